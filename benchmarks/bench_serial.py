"""serial: the plain, prefix and duplicates workloads with ``n_jobs=1``.

The workloads of bench_plain.py, bench_prefix.py and bench_duplicates.py,
unchanged but for ``n_jobs=1``: every search runs in this process (no
workers, no dispatch). The bound is divided by one worker; it is timed with
one BLAS thread, while ``n_jobs=1`` searches run with the process's BLAS
threads (one per core).

Run: ``python benchmarks/bench_serial.py [--quick] [--repeats N]``.
"""

from dataclasses import replace

import bench_duplicates
import bench_plain
import bench_prefix
from _harness import main


def workloads(quick):
    return [
        replace(w, name=f"{w.name}, n_jobs=1", n_jobs=1)
        for module in (bench_plain, bench_prefix, bench_duplicates)
        for w in module.workloads(quick)
    ]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
