"""`python -m importsense` runs the command line."""

import sys

from .cli import main

if __name__ == "__main__":  # a spawned worker process imports this module too: it must not start a CLI
    sys.exit(main())
