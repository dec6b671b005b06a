"""`python -m GitFleet`: the ``gitfleet`` command (see :mod:`GitFleet.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
