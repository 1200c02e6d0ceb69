"""Command line: python -m scripts <command>. See `make help`."""

from .cli import main

raise SystemExit(main())
