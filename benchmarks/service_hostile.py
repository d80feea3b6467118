"""The bot service under hostile load, on loopback only, bounded in time.

    python benchmarks/service_hostile.py [--stalled 3000] [--heavy-kb 400] [--ordinary 10]

1. Acknowledgement time of a signed webhook: 20 sent one after another on a quiet
   server, then 20 more while ``--stalled`` connections that never finish their
   request headers are held open (the server runs with 1,024 open files, as a small
   host would).
2. Starvation: two heavy submissions (``--heavy-kb`` KB of one paragraph without line
   breaks, a shape that once took minutes to check), then ``--ordinary`` ordinary
   ones; the time from sending each ordinary submission to its comment.

``qualitybot serve`` runs with its defaults (``--check-processes`` one per core, at
most 4) and the test suite's rules file; the platform is the simulator, in this process.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.platform_sim import PlatformSimulator  # noqa: E402
from tests.service_harness import TOKEN, Service, event, wait_for, write_rules  # noqa: E402

PLATFORM = {"max_attempts": 2, "backoff": 0.05, "max_backoff": 0.2, "read_timeout": 5, "deadline": 10}


def ack_times(service: Service, prefix: str, count: int = 20) -> list[float]:
    times = []
    for i in range(count):
        started = time.monotonic()
        answer = service.send(event(f"{prefix}-{i}", 1))
        times.append(time.monotonic() - started)
        assert answer.status_code == 202, answer.text
    return times


def summary(times: list[float]) -> str:
    return f"p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stalled", type=int, default=3000)
    parser.add_argument("--heavy-kb", type=int, default=400)
    parser.add_argument("--ordinary", type=int, default=10)
    parser.add_argument("--wait", type=float, default=120.0, help="longest wait for the ordinary comments (s)")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.stalled + 1000), hard))

    with tempfile.TemporaryDirectory() as tmp, PlatformSimulator(token=TOKEN) as sim:
        rules = write_rules(Path(tmp) / "rules.yml", sim.url, **PLATFORM)
        service = Service(
            rules,
            Path(tmp) / "data",
            Path(tmp) / "serve.log",
            check_processes=min(4, os.cpu_count() or 1),
            max_body=1,
            nofile=1024,
        ).start()
        try:
            quiet = ack_times(service, "quiet")
            stalled = []
            for _ in range(args.stalled):
                sock = socket.create_connection(("127.0.0.1", service.port), timeout=5)
                sock.sendall(b"POST /webhooks/submissions HTTP/1.1\r\nHost: bot\r\n")
                stalled.append(sock)
            flooded = ack_times(service, "flooded")
            for sock in stalled:
                sock.close()
            print(f"acknowledgement, quiet server:                {summary(quiet)}")
            print(f"acknowledgement, {args.stalled} stalled connections: {summary(flooded)}")

            sentence = "The committee heard evidence from residents about the new road and its costs. "
            heavy = sentence * (args.heavy_kb * 1024 // len(sentence))
            for i in range(2):
                assert service.send(event(f"heavy-{i}", 1, body=heavy)).status_code == 202
            sent: dict[str, float] = {}
            for i in range(args.ordinary):
                sub = f"ordinary-{i}"
                sent[sub] = time.monotonic()
                assert service.send(event(sub, 1)).status_code == 202
            posted: dict[str, float] = {}

            def all_in() -> bool:
                for sub in sent:
                    if sub not in posted and sim.comments.get(sub):
                        posted[sub] = time.monotonic() - sent[sub]
                return len(posted) == len(sent)

            wait_for(all_in, timeout=args.wait, interval=0.05)
            waits = sorted(posted.values())
            heavy_done = sum(1 for i in range(2) if sim.comments.get(f"heavy-{i}"))
            print(
                f"two {args.heavy_kb} KB heavy submissions queued first: {len(posted)} of {len(sent)} ordinary "
                f"comments within {args.wait:g} s"
                + (f", slowest after {waits[-1]:.1f} s, median {statistics.median(waits):.1f} s" if waits else "")
                + f"; heavy ones commented so far: {heavy_done} of 2"
            )
        finally:
            service.stop()


if __name__ == "__main__":
    main()
