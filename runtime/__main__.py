"""`python -m runtime` is `awx-runtime` (tests run it this way from a work tree)."""

import sys

from runtime.cli import main

sys.exit(main())
