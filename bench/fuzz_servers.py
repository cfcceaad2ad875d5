#!/usr/bin/env python3
"""Fuzzes tcpkit's chat-server and echo-server from outside (`make fuzz-servers`), and judges
them afterwards. For each server:

    1. start `tcpkit <server> --host 127.0.0.1 --port 0` (the Release build of --build) and read
       its `listening on` line; note its open descriptors (/proc/PID/fd) and RSS (VmRSS);
    2. warm up: tcpkit-fuzz-client for a few seconds, so that the allocator and the server's
       buffers reach their working size; once the descriptors are back to the start count, that
       RSS is the baseline;
    3. run tcpkit-fuzz-client for --seconds (FUZZ_SECONDS), sampling RSS for the peak;
    4. check, every wait bounded: the server is still running; a fresh normal client gets correct
       answers (chat: two clients join, one says a line, the other receives exactly that line;
       echo: 64 KiB come back unchanged); the open descriptors return to the start count (within
       10 s); RSS is back within RSS_MARGIN of the baseline; the fuzz client saw no wrong echo;
       SIGTERM ends the server with status 0.

RSS_MARGIN: at most max(8 MiB, 20% of the baseline) above the baseline. glibc keeps some freed
memory in its arenas rather than returning it, so RSS after a storm is rarely the baseline to the
page; 8 MiB is far below what a leak of one buffer per connection would leave after the
thousands of connections of a run (4 KiB each is 40 MB at 10,000), and 20% covers a server
whose baseline is large.

Prints one line per failure and a summary per server; exits 1 if anything failed. --seed makes
the bytes of a run repeatable (the warm-up uses SEED, the run SEED+1); it is printed either way.
A sanitizer build of the server (--tcpkit build/sanitize/cmd/tcpkit --no-rss-check, with
ASAN_OPTIONS=detect_leaks=1) turns a memory error into a dead server and a leak into a non-zero
exit status, both failures here.

--record DIR merges the figures into DIR/hostile-input.json and rewrites DIR/benchmarks.md from
DIR/benchmarks.json (bench/report.py renders the section from the JSON).
"""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import LOOPBACK, Server  # noqa: E402

RSS_MARGIN_KIB = 8 * 1024
RSS_MARGIN_FRACTION = 0.20
FD_SETTLE_SECONDS = 10
PROBE_TIMEOUT = 5.0
SERVERS = ("chat", "echo")


def open_descriptors(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def descriptor_kinds(pid):
    """What a process's descriptors are, counted: {"socket": 3, "anon_inode:[eventpoll]": 1, ...}."""
    kinds = {}
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            kind = target.split(":", 1)[0] if target.startswith(("socket:", "pipe:")) else target
            kinds[kind] = kinds.get(kind, 0) + 1
    except OSError:
        pass
    return kinds


def steady_descriptors(pid, timeout=3.0):
    """The descriptors of a process that has just started, once the count has stayed the same for
    0.3 s (it opens a few, its signal pipe among them, around its `listening on` line)."""
    deadline = time.monotonic() + timeout
    count, since = open_descriptors(pid), time.monotonic()
    while time.monotonic() - since < 0.3 and time.monotonic() < deadline:
        time.sleep(0.05)
        now = open_descriptors(pid)
        if now != count:
            count, since = now, time.monotonic()
    return count


def settle_descriptors(pid, wanted, timeout=FD_SETTLE_SECONDS):
    """Waits (bounded) until the process has at most `wanted` descriptors open; returns the count."""
    deadline = time.monotonic() + timeout
    count = open_descriptors(pid)
    while count is not None and count > wanted and time.monotonic() < deadline:
        time.sleep(0.1)
        count = open_descriptors(pid)
    return count


class RssSampler:
    """Samples a server's RSS every `period` seconds in a thread, for the peak and the series."""

    def __init__(self, server, period=0.25):
        self.server = server
        self.period = period
        self.samples = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        start = time.monotonic()
        while not self.stopping.is_set():
            rss = self.server.rss_kib()
            if rss is not None:
                self.samples.append((time.monotonic() - start, rss))
            self.stopping.wait(self.period)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        return self.samples

    def peak(self):
        return max((rss for _, rss in self.samples), default=None)


class LineReader:
    """Lines from a socket with a deadline for each wait."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def until(self, what, predicate, timeout=PROBE_TIMEOUT):
        """Reads until predicate(buffer) is true; returns the buffer, or raises TimeoutError or
        ConnectionError saying what it waited for and what it got."""
        deadline = time.monotonic() + timeout
        while not predicate(self.buffer):
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise TimeoutError()
                self.sock.settimeout(left)
                chunk = self.sock.recv(65536)
            except TimeoutError:
                raise TimeoutError(f"no {what} within {timeout:.0f} s; got {self.buffer[-300:]!r}") from None
            if not chunk:
                raise ConnectionError(f"closed by the server before {what}; got {self.buffer[-300:]!r}")
            self.buffer += chunk
        return self.buffer


def chat_probe(port, token):
    """Two fresh clients join; one says a line; the other must receive exactly that line."""
    first_name, second_name = f"probeA{token}", f"probeB{token}"
    text = f"after the fuzz {token}"
    with socket.create_connection((LOOPBACK, port), timeout=PROBE_TIMEOUT) as first, \
            socket.create_connection((LOOPBACK, port), timeout=PROBE_TIMEOUT) as second:
        first_lines, second_lines = LineReader(first), LineReader(second)
        first_lines.until("the first prompt", lambda b: b"nickname" in b)
        first.sendall(first_name.encode() + b"\n")
        first_lines.until("the first welcome", lambda b: f"Welcome, {first_name}!".encode() in b)
        second_lines.until("the second prompt", lambda b: b"nickname" in b)
        second.sendall(second_name.encode() + b"\n")
        second_lines.until("the second welcome", lambda b: f"Welcome, {second_name}!".encode() in b)
        # The first sees the second join (`* NAME joined`, or among others in a grouped
        # `* N joined: a, b, NAME`), so the room has both before the line is said.
        def announced(b):
            return any(b"joined" in line and second_name.encode() in line for line in b.split(b"\r\n"))
        first_lines.until("the second's join", announced)
        mark = len(second_lines.buffer)
        first.sendall(text.encode() + b"\n")
        expected = f"{first_name}: {text}\r\n".encode()
        # Exactly that line: whole (after a line's end), the text unchanged.
        def has_line(b):
            return (b"\n" + b[mark:]).find(b"\n" + expected) >= 0
        second_lines.until(f"the line {expected!r}", has_line)
        first.sendall(b"/quit\n")
        first_lines.until("the goodbye", lambda b: b"Bye!" in b)


def echo_probe(port, token):
    """64 KiB of random bytes must come back unchanged."""
    payload = random.Random(token).randbytes(65536)
    with socket.create_connection((LOOPBACK, port), timeout=PROBE_TIMEOUT) as client:
        client.sendall(payload)
        reader = LineReader(client)
        got = reader.until("the whole echo", lambda b: len(b) >= len(payload))
        if got[:len(payload)] != payload:
            raise AssertionError("the echo differs from what was sent")
        client.shutdown(socket.SHUT_WR)
        # Then the server's end, and nothing more.
        client.settimeout(PROBE_TIMEOUT)
        rest = client.recv(65536)
        if rest:
            raise AssertionError(f"the echo server sent {len(rest)} bytes more than it got")


def run_fuzz_client(build, target, port, seconds, seed, connections, max_line):
    command = [os.path.join(build, "bench", "tcpkit-fuzz-client"), target, LOOPBACK, str(port),
               "-d", str(seconds), "--seed", str(seed), "-c", str(connections),
               "--max-line", str(max_line)]
    # The client stops itself at -d plus 10 s; the timeout only guards against a hung process.
    result = subprocess.run(command, capture_output=True, timeout=seconds + 60)
    lines = [line for line in result.stdout.decode().splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"tcpkit-fuzz-client failed: {result.stderr.decode().strip()[:300]}")
    figures = json.loads(lines[-1])
    figures["exit_status"] = result.returncode
    return figures


def fuzz_one(build, tcpkit, target, seconds, seed, connections, max_line, log, check_rss=True):
    """Fuzzes one server; returns (figures, failures)."""
    command = [tcpkit, f"{target}-server", "--host", LOOPBACK, "--port", "0"]
    if target == "chat":
        command += ["--max-line", str(max_line)]
    failures = []
    with Server(command, ready_from_stderr=True) as server:
        pid = server.process.pid
        fds_start = steady_descriptors(pid)
        kinds_start = descriptor_kinds(pid)
        rss_start = server.rss_kib()
        warmup = max(2.0, min(10.0, seconds / 6))
        log(f"{target}-server: port {server.port}, {fds_start} descriptors, RSS {rss_start} KiB; "
            f"warm-up {warmup:.0f} s (seed {seed})")
        run_fuzz_client(build, target, server.port, warmup, seed, connections, max_line)
        settle_descriptors(pid, fds_start)
        rss_baseline = server.rss_kib()
        log(f"{target}-server: baseline RSS {rss_baseline} KiB; fuzzing {seconds:.0f} s (seed {seed + 1})")
        sampler = RssSampler(server)
        try:
            figures = run_fuzz_client(build, target, server.port, seconds, seed + 1, connections, max_line)
        finally:
            sampler.stop()
        rss_peak = sampler.peak()

        alive = server.process.poll() is None
        if not alive:
            failures.append(f"{target}-server: exited during the fuzz (status {server.process.returncode}): "
                            f"{' / '.join(list(server.said)[-3:])}")
        else:
            probe = chat_probe if target == "chat" else echo_probe
            try:
                probe(server.port, random.Random(seed).randrange(10 ** 6))
            except (OSError, AssertionError, TimeoutError) as problem:
                failures.append(f"{target}-server: a normal client after the fuzz: {problem}")
        fds_after = settle_descriptors(pid, fds_start)
        if fds_after is not None and fds_after > fds_start:
            failures.append(f"{target}-server: {fds_after} descriptors open {FD_SETTLE_SECONDS} s after "
                            f"the fuzz, {fds_start} at the start ({kinds_start} then, "
                            f"{descriptor_kinds(pid)} now)")
        rss_after = server.rss_kib()
        rss_limit = rss_baseline + max(RSS_MARGIN_KIB, int(rss_baseline * RSS_MARGIN_FRACTION))
        if check_rss and rss_after is not None and rss_after > rss_limit:
            failures.append(f"{target}-server: RSS {rss_after} KiB after the fuzz, above the limit of "
                            f"{rss_limit} KiB (baseline {rss_baseline} KiB after warm-up)")
        if figures["echo_mismatches"]:
            failures.append(f"{target}-server: {figures['echo_mismatches']} connection(s) got an echo "
                            "that differs from what they sent")
        if not figures["finished"]:
            failures.append(f"{target}-server: the fuzz client's connections did not all end in time")
        if figures["connections"] == 0:
            failures.append(f"{target}-server: the fuzz client made no connection "
                            f"({figures['connect_failures']} failed)")
        server.stop()
        if alive and server.process.returncode != 0:
            failures.append(f"{target}-server: exit status {server.process.returncode} after SIGTERM")

    figures.update(server=f"{target}-server", rss_start_kib=rss_start, rss_baseline_kib=rss_baseline,
                   rss_peak_kib=rss_peak, rss_after_kib=rss_after, rss_limit_kib=rss_limit,
                   fds_start=fds_start, fds_after=fds_after, warmup_seconds=warmup,
                   run_seed=seed + 1, passed=not failures)
    return figures, failures


def summary(f):
    return (f"{f['server']}: {f['connections']:,} connections ({f['connect_failures']} refused), "
            f"{f['bytes_sent'] / 1e6:,.1f} MB sent, {f['bytes_received'] / 1e6:,.1f} MB received, "
            f"{f['resets_sent']:,} resets, {f['half_closes']:,} half-closes, {f['seconds']:.0f} s; "
            + (f"{f['echo_checked_bytes'] / 1e6:,.1f} MB of echo checked, {f['echo_mismatches']} wrong; "
               if f["server"] == "echo-server" else "") +
            f"RSS KiB start {f['rss_start_kib']}, baseline {f['rss_baseline_kib']}, peak {f['rss_peak_kib']}, "
            f"after {f['rss_after_kib']} (limit {f['rss_limit_kib']}); descriptors {f['fds_start']} "
            f"before, {f['fds_after']} after: {'ok' if f['passed'] else 'FAILED'}")


def record(out_dir, key, value):
    """Merges `value` into out_dir/hostile-input.json under `key` and rewrites the report."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "hostile-input.json")
    try:
        with open(path) as existing:
            results = json.load(existing)
    except (OSError, ValueError):
        results = {}
    results[key] = value
    with open(path, "w") as updated:
        json.dump(results, updated, indent=1, sort_keys=True)
        updated.write("\n")
    benchmarks = os.path.join(out_dir, "benchmarks.json")
    if os.path.exists(benchmarks):
        from report import write_report
        with open(benchmarks) as raw:
            figures = json.load(raw)
        suffix = "-smoke" if figures["smoke"] else ""
        write_report(figures, os.path.join(out_dir, f"benchmarks{suffix}.md"), out_dir, suffix)


def machine():
    with open("/proc/cpuinfo") as info:
        model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")
    return {"cores": os.cpu_count(), "cpu": model, "kernel": os.uname().release,
            "date": time.strftime("%Y-%m-%d")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build/bench", help="a build with -DTCPKIT_BUILD_BENCH=ON")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", 60)),
                        help="fuzzing time per server (default: FUZZ_SECONDS, else 60)")
    parser.add_argument("--seed", type=int, help="seed of the fuzz client (default: random)")
    parser.add_argument("--connections", type=int, default=200, help="connections kept busy (200)")
    parser.add_argument("--max-line", type=int, default=4096, help="chat-server --max-line (4096)")
    parser.add_argument("--tcpkit", metavar="PATH", help="the server binary (default: BUILD/cmd/tcpkit; e.g. a "
                                                         "sanitizer build's, whose RSS is not comparable)")
    parser.add_argument("--no-rss-check", action="store_true",
                        help="report RSS but do not judge it (a sanitizer build keeps freed memory in quarantine)")
    parser.add_argument("--only", choices=SERVERS, nargs="+", default=list(SERVERS))
    parser.add_argument("--record", metavar="DIR", help="merge the figures into DIR/hostile-input.json")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2 ** 32)
    print(f"fuzz-servers: seed {seed} (repeat with --seed {seed})", flush=True)

    def log(text):
        print(text, flush=True)

    all_figures, all_failures = [], []
    for target in args.only:
        try:
            figures, failures = fuzz_one(args.build, args.tcpkit or os.path.join(args.build, "cmd", "tcpkit"),
                                         target, args.seconds, seed, args.connections, args.max_line, log,
                                         check_rss=not args.no_rss_check)
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as problem:
            figures, failures = None, [f"{target}-server: {problem}"]
        all_failures += failures
        if figures:
            all_figures.append(figures)
            log(summary(figures))
    for failure in all_failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if args.record:
        record(args.record, "fuzz_servers", {"seed": seed, "seconds": args.seconds,
                                             "connections": args.connections, "machine": machine(),
                                             "servers": all_figures, "failures": all_failures})
    return 1 if all_failures else 0


if __name__ == "__main__":
    sys.exit(main())
