"""Time per MB of each hostile document shape, at two sizes: linear work gives a flat ratio.

Generates every case of ``tests/hostile_cases.py`` (the issue #18 table and more)
at 1 MB and 4 MB (``--sizes``), runs ``qualitybot check --jobs 1`` on each in a new
process pinned to one core, and prints wall time, seconds per MB, the 4 MB / 1 MB
ratio of time per MB (about 1 when the work is linear), the exit code and the
peak memory (max RSS of the child). A check stopped by the time budget is named.
Then checks the shapes at the 5 MiB document limit (``--limit-shapes``) against
the 60 s target.

    python benchmarks/hostile.py [--sizes 1,4] [--cases a,b] [--limit-shapes]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile_cases import BY_NAME, CASES  # noqa: E402

MB = 1_000_000
_PEAK = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print('peak-kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def _one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def run(path: Path, timeout: float) -> tuple[float, str, int, list[str]]:
    """Wall seconds, exit code (or 'timeout'), peak RSS in MiB, the checks that gave up."""
    # A wrapper reports its child's peak memory (the getrusage of this process covers all children).
    command = [sys.executable, "-c", _PEAK, sys.executable, "-m", "qualitybot", "check", "--jobs", "1",
               "--format", "json", "--max-size", "64", str(path)]  # fmt: skip
    started = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                                preexec_fn=_one_core)  # fmt: skip
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, "timeout", 0, []
    seconds = time.perf_counter() - started
    peak = int(result.stderr.strip().rsplit("\n", 1)[-1].removeprefix("peak-kib ")) // 1024
    gave_up = []
    if result.returncode in (0, 1):
        for doc in json.loads(result.stdout)["documents"]:
            gave_up += [f["rule"].removesuffix(".timeout") for f in doc["findings"] if f["rule"].endswith(".timeout")]
    return seconds, str(result.returncode), peak, gave_up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4", help="sizes in MB, comma-separated (default 1,4)")
    parser.add_argument("--cases", default="", help="only these cases (comma-separated names)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a run is killed")
    parser.add_argument("--limit-shapes", action="store_true", help="also run every shape at 5 MiB - 1 byte")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    cases = [BY_NAME[n] for n in args.cases.split(",")] if args.cases else list(CASES)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    columns = "".join(f"{f'{s:g} MB s':>10}{'s/MB':>7}" for s in sizes)
    print(f"{'case':18}{columns}{'ratio':>7}  exit  MiB  gave up")
    with tempfile.TemporaryDirectory() as folder:
        for case in cases:
            row = f"{case.name:18}"
            per_mb = []
            exits, peaks, gave_up = [], [], set()
            for size in sizes:
                path = Path(folder) / f"{case.name}{case.suffix}"
                text = case.make(int(size * MB))
                path.write_text(text, encoding="utf-8", newline="")
                actual = path.stat().st_size / MB
                seconds, code, peak, stopped = run(path, args.timeout)
                per_mb.append(seconds / max(actual, 1e-6))
                row += f"{seconds:10.1f}{per_mb[-1]:7.1f}"
                exits.append(code)
                peaks.append(peak)
                gave_up.update(stopped)
            ratio = per_mb[-1] / per_mb[0] if len(per_mb) > 1 and per_mb[0] else float("nan")
            print(f"{row}{ratio:7.2f}  {'/'.join(exits):5} {max(peaks):4}  {', '.join(sorted(gave_up)) or '-'}",
                  flush=True)
        if args.limit_shapes:
            print("\nat the 5 MiB limit (5 MiB - 1 byte), target 60 s on one core")
            for case in cases:
                path = Path(folder) / f"{case.name}{case.suffix}"
                text = case.make(5 * 1048576 - 64)
                path.write_text(text, encoding="utf-8", newline="")
                seconds, code, peak, stopped = run(path, args.timeout)
                print(f"{case.name:18}{path.stat().st_size:>9} bytes {seconds:6.1f} s  exit {code:7}  "
                      f"{peak:5} MiB  gave up: {', '.join(stopped) or '-'}", flush=True)


if __name__ == "__main__":
    main()
