"""Load benchmark of the bot service, on loopback only, bounded in time.

    python benchmarks/service.py [--rate 500] [--workers 0 4] [--seconds 5] [--backlog 600]

1. Acknowledgement latency: signed events sent open-loop at a fixed rate by
   ``benchmarks/loadgen.py`` in a process of its own (each request due on schedule,
   whether or not earlier ones were answered; latency from when it was due to the end
   of its response) to ``qualitybot serve``, once accepting only (``--workers 0``) and
   once while its workers check and post everything that arrives; p50/p90/p99/max,
   the achieved send rate, and CPU per event of the server, of everything it started,
   and of the load generator.
2. Backlog drain: a backlog of stored events (one per submission) is drained by
   (a) ``serve --workers 4``, threads in its dispatcher process; (b) ``serve --workers 2``
   plus one ``qualitybot worker --workers 2`` process on the same SQLite queue;
   (c) huey on Redis with two ``qualitybot worker`` processes (skipped without
   ``redis-server``). Rate = comments posted per second, steady state.

The platform is the test suite's simulator (tests/platform_sim.py), in a process of
its own for part 1 and in this process for part 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadgen import write_requests  # noqa: E402
from qualitybot.service.signatures import standard_headers  # noqa: E402
from tests.platform_sim import PlatformSimulator  # noqa: E402
from tests.service_harness import (  # noqa: E402
    SECRET,
    TOKEN,
    Proc,
    RedisServer,
    Service,
    Worker,
    event,
    free_port,
    wait_for,
    write_rules,
)

SENTENCES = (
    "The council met on Tuesday to discuss the budget for the coming year.",
    "Officials said the plan would add two new bus routes to the northern districts.",
    "Residents who spoke at the meeting asked for more frequent service in the evenings.",
    "A spokesperson for the transport authority declined to give a date for the changes.",
    "The proposal still needs approval from the regional assembly, which meets next month.",
    "Local businesses have welcomed the idea, saying customers struggle to reach them.",
    "Critics argue that the money would be better spent on repairing existing roads.",
    "The mayor told reporters that both projects could go ahead if the grant is approved.",
)


def article(n: int, words: int = 450) -> str:
    """A plain news-like article of about ``words`` words, different for each ``n``."""
    paragraphs, count, i = [], 0, n
    while count < words:
        sentences = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(4)]
        i += 3
        paragraphs.append(" ".join(sentences))
        count += sum(len(s.split()) for s in sentences)
    return f"# Transport plan, part {n}\n\n" + "\n\n".join(paragraphs) + "\n"


def cpu_seconds(pid: int, descendants: bool = True) -> float:
    """User + system CPU time so far of a process (and, unless told otherwise, of every
    process it started, and they started: the consumer and check processes; Linux /proc)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    todo = [pid]
    while todo:
        candidate = todo.pop()
        try:
            fields = Path(f"/proc/{candidate}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
        if descendants:
            todo += children(candidate)
    return total


def children(pid: int) -> list[int]:
    """Direct children, whichever thread started them."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def machine_load() -> str:
    """The load average, and (where Linux reports it) the share of the last 10 s in which
    some runnable task waited for a CPU: other tenants' work shows there too."""
    text = "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    try:
        pressure = Path("/proc/pressure/cpu").read_text().split()[1]
        text += f", CPU pressure {pressure.split('=')[1]}% (some, 10 s)"
    except (OSError, IndexError):
        pass
    return text


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def raw_request(service: Service, body: bytes, delivery_id: str) -> bytes:
    """One complete signed HTTP/1.1 request, as the platform would send it."""
    headers = signed_headers(body, delivery_id)
    head = [
        "POST /webhooks/submissions HTTP/1.1",
        f"host: 127.0.0.1:{service.port}",
        f"content-length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def send_at_rate(service: Service, rate: float, seconds: float, prefix: str, tmp: Path) -> dict[str, float]:
    """Open-loop load from a separate process (benchmarks/loadgen.py), requests signed beforehand."""
    total = int(rate * seconds)
    requests_file = tmp / f"{prefix}.requests"
    write_requests(
        requests_file,
        [raw_request(service, event(f"{prefix}-{i}", 1, article(i)), f"{prefix}-d{i}") for i in range(total)],
    )
    sender = subprocess.run(
        [
            *(sys.executable, str(ROOT / "benchmarks" / "loadgen.py"), str(requests_file)),
            *("--port", str(service.port), "--rate", str(rate), "--connections", "64"),
        ],
        capture_output=True,
        check=True,
        timeout=seconds + 120,
    )
    result = json.loads(sender.stdout)
    latencies: list[float] = result["latencies_ms"]
    return {
        "events": total,
        "accepted": sum(1 for s in result["statuses"] if s == 202),
        "achieved_rate": result["send_rate"],
        "client_cpu": result["client_cpu_ms_per_request"],
        "p50": percentile(latencies, 0.50),
        "p90": percentile(latencies, 0.90),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "mean": statistics.fmean(latencies),
    }


def signed_headers(body: bytes, delivery_id: str) -> dict[str, str]:
    headers = standard_headers(SECRET, delivery_id, body, int(time.time()))
    headers["content-type"] = "application/json"
    return headers


def drain_rate(sim: PlatformSimulator, expected: int, timeout: float) -> tuple[float, float]:
    """(seconds from first to last comment, comments per second over the last 90%)."""

    def created() -> int:
        return sum(1 for r in list(sim.requests) if r.method == "POST" and r.answered == 201)

    if not wait_for(lambda: created() >= expected, timeout, interval=0.2):
        raise RuntimeError(f"only {created()} of {expected} comments after {timeout}s")
    times = sorted(r.at for r in list(sim.requests) if r.method == "POST" and r.answered == 201)
    tenth = times[len(times) // 10]
    return times[-1] - times[0], (len(times) - len(times) // 10 - 1) / (times[-1] - tenth)


def fill_backlog(rules: Path, data: Path, tmp: Path, count: int, redis_url: str | None = None) -> None:
    """Store ``count`` events with no worker running (serve --workers 0), then stop."""
    service = Service(rules, data, tmp / "fill.log", workers=0, redis_url=redis_url).start()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(
                pool.map(
                    lambda i: service.send(event(f"b-{i}", 1, article(i)), f"b-d{i}").status_code,
                    range(count),
                )
            )
        assert answers.count(202) == count, f"{answers.count(202)} of {count} accepted"
    finally:
        service.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, nargs="+", default=[500.0], help="events per second")
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 4], help="serve --workers settings")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each setting (tails vary between runs)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each rate is held")
    parser.add_argument("--backlog", type=int, default=600, help="events in each backlog to drain")
    parser.add_argument("--timeout", type=float, default=180.0, help="bound on each drain")
    args = parser.parse_args()
    print(f"qualitybot service benchmark: {os.cpu_count()} cores, loopback, the platform simulator on this machine")
    print(f"before the run: {machine_load()}")

    with tempfile.TemporaryDirectory(prefix="qb-bench-") as tmp_name:
        tmp = Path(tmp_name)
        # Phase 1: the simulator in its own process, so that this one only sends.
        port = free_port()
        sim_proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "platform_sim.py"), "--port", str(port), "--token", TOKEN],
            stdout=subprocess.DEVNULL,
        )
        rules = write_rules(tmp / "rules-1.yml", f"http://127.0.0.1:{port}/api")
        print("\n1. acknowledgement latency (ms) from each request's due time, open-loop load from a separate")
        print("   process; serve cpu = CPU per event of the serve process itself, all cpu = with every process")
        print("   it started (checking and posting, for workers > 0); client cpu = the load generator's;")
        print("   platform cpu = the platform simulator's (on this machine, though not part of the bot)")
        columns = ("rate/s", "sent/s", "202s", "p50", "p90", "p99", "max", "serve", "all", "client", "platfm")
        print(f"{'workers':>8} " + " ".join(f"{c:>7}" for c in columns))
        try:
            runs = [(w, rate, n) for w in args.workers for rate in args.rate for n in range(args.repeat)]
            for workers, rate, n in runs:
                name = f"ack-{workers}-{int(rate)}-{n}"
                service = Service(
                    rules,
                    tmp / name,
                    tmp / f"{name}.log",
                    workers=workers,
                    check_processes=os.cpu_count() or 1,
                ).start()
                assert service.popen is not None
                time.sleep(2.0 if workers else 0.2)  # let the check processes finish warming up
                serve_before = cpu_seconds(service.popen.pid, descendants=False)
                all_before = cpu_seconds(service.popen.pid)
                platform_before = cpu_seconds(sim_proc.pid)
                try:
                    r = send_at_rate(service, rate, args.seconds, name, tmp)
                    if workers:  # the work acknowledged is done too
                        wait_for(lambda s=service: s.http.get(s.url + "/healthz").json()["pending"] == 0, 60)
                    serve_cpu = cpu_seconds(service.popen.pid, descendants=False) - serve_before
                    all_cpu = cpu_seconds(service.popen.pid) - all_before
                    platform_cpu = cpu_seconds(sim_proc.pid) - platform_before
                finally:
                    service.stop()
                print(
                    f"{workers:>8} {rate:>7.0f} {r['achieved_rate']:>7.0f} {r['accepted']:>7} "
                    f"{r['p50']:>7.1f} {r['p90']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} "
                    f"{serve_cpu * 1000 / r['events']:>7.2f} {all_cpu * 1000 / r['events']:>7.2f} "
                    f"{r['client_cpu']:>7.2f} {platform_cpu * 1000 / r['events']:>7.2f}",
                    flush=True,
                )
                print(f"{'':>8} {machine_load()}", flush=True)
        finally:
            sim_proc.terminate()
            sim_proc.wait(10)

        if args.backlog <= 0:
            print(f"after the run: {machine_load()}")
            return 0
        with PlatformSimulator(token=TOKEN) as sim:
            rules = write_rules(tmp / "rules-2.yml", sim.url)
            print(f"\n2. backlog drain: {args.backlog} stored events, one per submission, ~450 words each")
            print(f"{'setup':<44} {'first→last s':>13} {'comments/s':>11}")
            setups: list[tuple[str, str | None, int, int]] = [
                ("serve --workers 4 (sqlite, 1 process)", None, 4, 0),
                ("serve --workers 2 + worker --workers 2 (sqlite)", None, 2, 1),
            ]
            redis: RedisServer | None = None
            if shutil.which("redis-server"):
                redis = RedisServer(tmp).start()
                setups.append(("redis: serve --workers 0 + 2 workers x 2", redis.url, 0, 2))
            else:
                print("   (redis setup skipped: redis-server is not installed)")
            try:
                for n, (label, redis_url, serve_workers, extra) in enumerate(setups):
                    sim.requests.clear()
                    sim.comments.clear()
                    data = tmp / f"drain-{n}"
                    fill_backlog(rules, data, tmp, args.backlog, redis_url)
                    procs: list[Proc] = []
                    try:
                        for k in range(extra):
                            procs.append(Worker(rules, redis_url, data, tmp / f"w{n}-{k}.log").start())
                        procs.append(
                            Service(
                                rules,
                                data,
                                tmp / f"drain-{n}.log",
                                workers=serve_workers,
                                redis_url=redis_url,
                            ).start()
                        )
                        span, rate = drain_rate(sim, args.backlog, args.timeout)
                    finally:
                        for proc in procs:
                            proc.stop()
                    print(f"{label:<44} {span:>13.1f} {rate:>11.1f}")
            finally:
                if redis:
                    redis.stop()
    print(f"after the run: {machine_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
