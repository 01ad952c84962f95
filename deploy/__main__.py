"""`python -m deploy --stack <stack>`: see deploy/cli.py."""

from deploy.cli import main

raise SystemExit(main())
