"""Every benchmark, one after the other: ``make bench`` (or ``python -m bench.run``).

The figures and the commands that produced them are kept in bench/README.md.
"""

from __future__ import annotations

import subprocess
import sys

RUNS = (
    ["-m", "bench.imports"],
    ["-m", "bench.exports"],
    ["-m", "bench.annotation_loop"],
    ["bench/quality.py"],
)


def main() -> None:
    extra = sys.argv[1:]
    for run in RUNS:
        print(f"\n$ python {' '.join(run + extra)}", flush=True)
        subprocess.run([sys.executable, *run, *extra], check=True)


if __name__ == "__main__":
    main()
