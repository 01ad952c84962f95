"""`python -m tests.runtime.backup_cli backup ...`: awx-runtime in a child process (for the
SIGKILL test and the bench), with the directory-store fallback of backup_dirstore."""

import sys

from runtime.cli import main
from tests.runtime.backup_dirstore import install_fallback

if __name__ == "__main__":
    install_fallback()
    sys.exit(main())
