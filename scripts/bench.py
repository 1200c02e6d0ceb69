"""`python -m scripts.bench` (`make bench`): the benchmark, kept at this
name; it lives in scripts/measure/bench.py with the other measuring tools."""

import sys

from .measure.bench import main

if __name__ == "__main__":
    sys.exit(main())
