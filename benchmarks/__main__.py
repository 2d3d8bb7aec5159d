"""``python -m benchmarks``: run the benchmark suite and write benchmarks/RESULTS.md."""

import sys

from .run import main

sys.exit(main())
