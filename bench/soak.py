#!/usr/bin/env python3
"""The soak under churn (`make soak`): one chat-server (the Release build of --build) holds
--clients clients (SOAK_CLIENTS, default 2,000) for --seconds (SOAK_SECONDS, default 600) while
they join, talk at a steady rate, go slow, reset and leave at random, and new ones join
(tcpkit-soak-client, which also checks that no line was lost or repeated: see its header).

This script starts the server, reads its `listening on` line, notes its descriptors and RSS,
runs the client, samples the server every second (RSS from /proc/PID/status, CPU from
/proc/PID/stat), and judges, every wait bounded:

- the client's checks: every line of every stayer (and of every churner that left gracefully)
  reached every other stayer in order exactly once; the first lines of a churner that reset
  reached every stayer alike; churners heard each sender without gaps or repeats; the server
  cut no one off; every join succeeded;
- RSS flat after warm-up: the least-squares slope of RSS against time, from the end of the
  warm-up (the stayers' join plus a fifth of the talking, at least 20 s: RSS
  climbs in steps to a plateau while the first generation of churners joins and the buffers
  reach their working size; runs under a minute are too short for a slope that means much) to the end of the
  talking, at most SLOPE_LIMIT_KIB_PER_MINUTE (reported either way). The limit is well above the
  noise of the slow readers' queues rising and falling (a few hundred KiB each) and well below
  what a leak of 1 KiB per join would show at this churn (some 1,000 joins a minute);
- the server's descriptors back to their start count within 15 s of the client's end;
- the server still running and ending with status 0 on SIGTERM.

It reports CPU seconds of the server per delivered line (its CPU while the room talked over
the lines the clients received).

The rate: each client sends one line every clients / --rate seconds (--rate lines a second in
the room, default 40; each line goes to every member). At 2,000 clients that is 80,000
deliveries a second, what this 2-core machine sustains for 10 minutes alongside other work
without the clients, rather than the server, being the limit; --interval 5 gives the rate of
1 line every 5 s per client (800,000 deliveries a second at 2,000 clients).

--record DIR merges the figures into DIR/hostile-input.json and rewrites DIR/benchmarks.md.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzz_servers import (descriptor_kinds, machine, open_descriptors, record, settle_descriptors,  # noqa: E402
                          steady_descriptors)  # noqa: E402
from run_benchmarks import LOOPBACK, Server  # noqa: E402

SLOPE_LIMIT_KIB_PER_MINUTE = 512
FD_SETTLE_SECONDS = 15


def slope_per_minute(samples):
    """Least-squares slope of (seconds, KiB) samples, in KiB per minute; None if too few."""
    if len(samples) < 3:
        return None
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_v = sum(v for _, v in samples) / n
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    if spread == 0:
        return None
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in samples) / spread


class ClientWatch:
    """Runs the soak client; notes when its stayers have joined (its stderr line)."""

    def __init__(self, command):
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        self.joined_at = None
        self.said = []
        self.reader = threading.Thread(target=self.read_stderr, daemon=True)
        self.reader.start()

    def read_stderr(self):
        for raw in iter(self.process.stderr.readline, b""):
            line = raw.decode(errors="replace").rstrip()
            self.said.append(line)
            if "stayers joined" in line and self.joined_at is None:
                self.joined_at = time.monotonic()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build/bench", help="a build with -DTCPKIT_BUILD_BENCH=ON")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)),
                        help="how long the room talks (SOAK_SECONDS, else 600)")
    parser.add_argument("--clients", type=int, default=int(os.environ.get("SOAK_CLIENTS", 2000)),
                        help="clients in the room at once (SOAK_CLIENTS, else 2000)")
    parser.add_argument("--rate", type=float, default=40, help="lines a second in the room (40)")
    parser.add_argument("--interval", type=float, help="seconds between two lines of a client "
                                                        "(default: clients / --rate)")
    parser.add_argument("--stayers", type=float, default=0.5, help="share of clients that stay (0.5)")
    parser.add_argument("--slow", type=float, default=0.1, help="share of stayers that go slow (0.1)")
    parser.add_argument("--seed", type=int, help="seed of the clients (default: random, printed)")
    parser.add_argument("--record", metavar="DIR", help="merge the figures into DIR/hostile-input.json")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2 ** 32)
    interval = args.interval or args.clients / args.rate
    print(f"soak: {args.clients} clients, {args.seconds:.0f} s, a line every {interval:.1f} s each, "
          f"seed {seed} (repeat with --seed {seed})", flush=True)

    failures = []
    tcpkit = os.path.join(args.build, "cmd", "tcpkit")
    command = [tcpkit, "chat-server", "--host", LOOPBACK, "--port", "0",
               "--max-clients", str(max(10000, 2 * args.clients))]
    with Server(command, ready_from_stderr=True) as server:
        pid = server.process.pid
        fds_start = steady_descriptors(pid)
        kinds_start = descriptor_kinds(pid)
        rss_start = server.rss_kib()
        client = ClientWatch([os.path.join(args.build, "bench", "tcpkit-soak-client"), LOOPBACK,
                              str(server.port), "-c", str(args.clients), "-d", str(args.seconds),
                              "--interval", str(interval), "--stayers", str(args.stayers),
                              "--slow", str(args.slow), "--seed", str(seed)])
        # The client ends by itself within -d + 200 s; past that it is killed.
        deadline = time.monotonic() + args.seconds + 260
        samples = []  # (seconds since the stayers joined, RSS KiB, CPU s)
        cpu_at_join = None
        last_report = time.monotonic()
        while client.process.poll() is None and time.monotonic() < deadline:
            time.sleep(1)
            rss, cpu = server.rss_kib(), server.cpu_seconds()
            if client.joined_at is None or rss is None:
                continue
            if cpu_at_join is None:
                cpu_at_join = cpu
            elapsed = time.monotonic() - client.joined_at
            if elapsed <= args.seconds:
                samples.append((elapsed, rss, cpu))
            if time.monotonic() - last_report >= 60:
                last_report = time.monotonic()
                print(f"soak: {elapsed:.0f} s, server RSS {rss} KiB, "
                      f"{open_descriptors(pid)} descriptors, CPU {cpu:.1f} s", flush=True)
        if client.process.poll() is None:
            client.process.kill()
            failures.append("the soak client did not end in time (killed)")
        output, _ = client.process.communicate(timeout=30)
        client.reader.join(timeout=5)
        lines = [line for line in output.decode().splitlines() if line.startswith("{")]
        figures = json.loads(lines[-1]) if lines else {}
        if not figures:
            failures.append(f"the soak client printed no figures: {' / '.join(client.said[-5:])}")
        for failure in figures.get("failures", []):
            failures.append(f"client: {failure}")
        if figures and client.process.returncode != 0 and not figures.get("failures"):
            failures.append(f"the soak client exited with status {client.process.returncode}")

        warmup = max(20.0, args.seconds / 5)
        steady = [(t, rss) for t, rss, _ in samples if t >= warmup]
        slope = slope_per_minute(steady)
        if slope is None:
            failures.append(f"too few RSS samples after the warm-up ({len(steady)})")
        elif slope > SLOPE_LIMIT_KIB_PER_MINUTE:
            failures.append(f"server RSS grows {slope:.0f} KiB/min after the warm-up "
                            f"(limit {SLOPE_LIMIT_KIB_PER_MINUTE})")
        alive = server.process.poll() is None
        if not alive:
            failures.append(f"the server exited (status {server.process.returncode}): "
                            f"{' / '.join(list(server.said)[-3:])}")
        fds_after = settle_descriptors(pid, fds_start, FD_SETTLE_SECONDS)
        if alive and fds_after is not None and fds_after > fds_start:
            failures.append(f"the server has {fds_after} descriptors open {FD_SETTLE_SECONDS} s after the "
                            f"clients left, {fds_start} at the start ({kinds_start} then, {descriptor_kinds(pid)} now)")
        rss_after = server.rss_kib()
        cpu_talking = samples[-1][2] - cpu_at_join if samples and cpu_at_join is not None else None
        server.stop()
        if alive and server.process.returncode != 0:
            failures.append(f"the server's exit status after SIGTERM is {server.process.returncode}")

    deliveries = figures.get("deliveries", 0)
    rss_values = [rss for _, rss, _ in samples]
    result = {
        "seed": seed, "clients": args.clients, "seconds": args.seconds, "interval_seconds": interval,
        "warmup_seconds": warmup, "machine": machine(), "client": figures,
        "rss_start_kib": rss_start, "rss_after_warmup_kib": steady[0][1] if steady else None,
        "rss_peak_kib": max(rss_values, default=None), "rss_end_of_talk_kib": rss_values[-1] if rss_values else None,
        "rss_after_kib": rss_after, "rss_slope_kib_per_minute": slope,
        "rss_slope_limit_kib_per_minute": SLOPE_LIMIT_KIB_PER_MINUTE,
        "rss_series": [[round(t), rss] for t, rss, _ in samples[::max(1, len(samples) // 60)]],
        "fds_start": fds_start, "fds_after": fds_after, "server_cpu_seconds": cpu_talking,
        "server_cpu_us_per_delivery": (cpu_talking * 1e6 / deliveries if cpu_talking and deliveries else None),
        "failures": failures, "passed": not failures,
    }
    c = figures
    print(f"soak: {c.get('clients', 0):,} clients ({c.get('stayers', 0):,} stayers, {c.get('slow_stayers', 0)} slow), "
          f"{c.get('churner_joins', 0):,} churner joins, leaves {c.get('leaves_quit', 0):,} /quit, "
          f"{c.get('leaves_half_close', 0):,} half-close, {c.get('leaves_reset', 0):,} reset; "
          f"{c.get('lines_sent', 0):,} lines sent, {deliveries:,} delivered, lost {c.get('lost', '?')}, "
          f"duplicated {c.get('duplicated', '?')}, cut off: {c.get('stayers_disconnected', '?')} stayers, "
          f"{c.get('churners_disconnected', '?')} churners", flush=True)
    slope_text = f"{slope:+.0f} KiB/min" if slope is not None else "n/a"
    per_line = result["server_cpu_us_per_delivery"]
    print(f"soak: server RSS KiB start {rss_start}, after warm-up {result['rss_after_warmup_kib']}, peak "
          f"{result['rss_peak_kib']}, end {result['rss_end_of_talk_kib']}, after {rss_after}; slope {slope_text} "
          f"(limit {SLOPE_LIMIT_KIB_PER_MINUTE}); descriptors {fds_start} before, {fds_after} after; server CPU "
          f"{cpu_talking or 0:.1f} s, {per_line or 0:.2f} us per delivered line: "
          f"{'ok' if not failures else 'FAILED'}", flush=True)
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if args.record:
        record(args.record, "soak", result)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
