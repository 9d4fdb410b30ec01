"""Run every bench_*.py script and print (or write) one markdown table.

Each script runs in its own process (its methods side by side inside it).

    python benchmarks/run_all.py [--quick] [--repeats N] [--quiet-wait S]
        [--save DIR] [--only plain warm ...] [--write docs/performance.md]

With ``--save DIR`` each script's results are kept in ``DIR/NAME.json`` and
the table is made from every result in DIR, so that ``--only`` can redo some
workloads (e.g. ones disturbed by other jobs on a shared machine) and keep
the others; ``--only`` with no names runs nothing and remakes the table.
Workloads of a ``group`` (bench_overhead.py's) also get a small table of
time per candidate, after the main one.
With ``--write``, the part of the file between the ``<!-- results:start -->``
and ``<!-- results:end -->`` lines is replaced by the machine description
and the table; the rest of the file is kept.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from _harness import HEADER, footnotes, row, scaling_table, versions

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "plain",
    "prefix",
    "duplicates",
    "warm",
    "mlp",
    "staged",
    "halving",
    "custom_prefix",
    "tiny",
    "serial",
    "overhead",
    "memory",
]
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _blas():
    try:
        from threadpoolctl import threadpool_info

        return ", ".join(
            f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')}, "
            f"{i['num_threads']} threads)"
            for i in threadpool_info()
        )
    except Exception:
        return "unknown"


def machine(loads, args):
    v = versions()
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env_text = ", ".join(f"{k}={val}" for k, val in env.items() if val) or "not set"
    return "\n".join(
        [
            f"- date: {datetime.date.today().isoformat()}",
            f"- machine: {os.cpu_count()} cores ({_cpu_model()}), {_memory()} memory, "
            f"{platform.system()} {platform.release()}",
            f"- load average (1 min) before / after each script: {loads}",
            f"- Python {v['python']}, scikit-learn {v['scikit-learn']}, numpy "
            f"{v['numpy']}, skhyper {v['skhyper']} (git {_git()}), "
            f"dask-ml {v['dask-ml']} (dask {v.get('dask', 'n/a')})",
            f"- BLAS: {_blas()}; OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: {env_text}",
            f"- run: `python benchmarks/run_all.py"
            f"{' --quick' if args.quick else ''} --repeats {args.repeats}"
            f" --dask-scheduler {args.dask_scheduler} --quiet-wait {args.quiet_wait:g}"
            f" --busy {args.busy:g}`; n_jobs=2 unless the workload's name "
            "says otherwise; times are medians over the repeats",
        ]
    )


def _git():
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _load():
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--dask-scheduler", choices=["threads", "processes", "none"], default="threads"
    )
    parser.add_argument("--quiet-wait", type=float, default=0.0)
    parser.add_argument("--busy", type=float, default=0.25)
    parser.add_argument("--only", nargs="*", choices=SCRIPTS, help="scripts to run")
    parser.add_argument("--save", help="directory keeping each script's results")
    parser.add_argument("--write", help="markdown file to update between markers")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.save or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in SCRIPTS if args.only is None else args.only:
            out = folder / f"{name}.json"
            cmd = [sys.executable, str(HERE / f"bench_{name}.py"), "--json", str(out)]
            cmd += ["--repeats", str(args.repeats)]
            cmd += ["--dask-scheduler", args.dask_scheduler]
            cmd += ["--quiet-wait", str(args.quiet_wait), "--busy", str(args.busy)]
            cmd += ["--quick"] if args.quick else []
            print("$", " ".join(cmd[1:]), flush=True)
            before = _load()
            subprocess.run(cmd, check=True)
            data = json.loads(out.read_text())
            data["load"] = [before, _load()]
            out.write_text(json.dumps(data, indent=1))
        results, loads = [], []
        for name in SCRIPTS:
            path = folder / f"{name}.json"
            if path.exists():
                data = json.loads(path.read_text())
                results += data["results"]
                if "load" in data:  # a script run by hand has none
                    loads.append(f"{name} {data['load'][0]} / {data['load'][1]}")
    scaling = scaling_table(results)
    text = "\n".join(
        [
            machine("; ".join(loads), args),
            "",
            HEADER,
            *map(row, results),
            "",
            *([scaling, ""] if scaling else []),
            footnotes(results),
        ]
    )
    print("\n" + text)
    if args.write:
        path = Path(args.write)
        doc = path.read_text()
        head, rest = doc.split(START, 1)
        _, tail = rest.split(END, 1)
        path.write_text(f"{head}{START}\n{text}\n{END}{tail}")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
