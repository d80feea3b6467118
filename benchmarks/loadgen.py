"""An open-loop HTTP load generator, light enough not to be the bottleneck it measures.

    python benchmarks/loadgen.py REQUESTS_FILE --host H --port P --rate R [--connections N]

``REQUESTS_FILE`` holds complete raw HTTP/1.1 requests (built and signed beforehand by
the caller), each preceded by its length as 4 big-endian bytes. Request ``i`` is due at
``t0 + i / rate`` whatever happened to the earlier ones; it goes out on the first idle
kept-alive connection (of ``--connections``, opened before ``t0``), and its latency runs
from when it was *due* to the end of its response, so time spent waiting for a connection
or for this process counts against the server, not outside the figure (no coordinated
omission). Runs in its own process, on uvloop when installed, so that the server's
measurement does not share an interpreter with the client.

Prints one JSON object: statuses, latencies (ms), the achieved send rate, how late sends
were, and this process's own CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path


def read_requests(path: Path) -> list[bytes]:
    data = path.read_bytes()
    requests, at = [], 0
    while at < len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        requests.append(data[at + 4 : at + 4 + size])
        at += 4 + size
    return requests


def write_requests(path: Path, requests: list[bytes]) -> None:
    with path.open("wb") as out:
        for raw in requests:
            out.write(len(raw).to_bytes(4, "big") + raw)


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def run(requests: list[bytes], host: str, port: int, rate: float, connections: int) -> dict[str, object]:
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection(host, port))
    latencies: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)
    late: list[float] = [0.0] * len(requests)
    clock = time.perf_counter  # uvloop's loop.time() counts whole milliseconds

    async def one(i: int, due: float) -> None:
        reader, writer = await idle.get()
        try:
            late[i] = clock() - due
            writer.write(requests[i])
            statuses[i] = await read_response(reader)
            latencies[i] = (clock() - due) * 1000
            idle.put_nowait((reader, writer))
        except (OSError, asyncio.IncompleteReadError, ValueError):
            statuses[i] = -1  # the connection broke: counted as a failure, not replaced
            latencies[i] = (clock() - due) * 1000

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = clock() + 0.1
    tasks = []
    for i in range(len(requests)):
        due = t0 + i / rate
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    sent_in = clock() - t0
    await asyncio.gather(*tasks)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    while not idle.empty():
        idle.get_nowait()[1].close()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "statuses": statuses,
        "latencies_ms": latencies,
        "send_rate": len(requests) / max(sent_in, 1e-9),
        "late_ms_max": max(late) * 1000,
        "client_cpu_ms_per_request": cpu * 1000 / len(requests),
        "uvloop": type(asyncio.get_running_loop()).__module__.startswith("uvloop"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("requests", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    requests = read_requests(args.requests)
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    result = runner(run(requests, args.host, args.port, args.rate, args.connections))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
