#!/usr/bin/env python3
"""Runs the tcpkit benchmarks side by side with nc, ncat, socat and iperf3, on loopback only,
and writes docs/benchmarks.md (tables, ratios, a chart) and docs/benchmarks.json (raw figures).

    bench/run_benchmarks.py --build build/bench            # the full run (`make bench`)
    bench/run_benchmarks.py --build build/bench --smoke    # every scenario, tiny (`make bench-smoke`)
    bench/run_benchmarks.py --build build/bench --baseline ../before/build/bench   # before and after

With --baseline, every scenario that runs tcpkit also runs the tcpkit of that other build (a
build of the code before a change), named "tcpkit-before", alternating with this build's run by
run (before, after, before, after...) so that the machine's noise falls on both alike, with this
build's load generator for both. The report then compares the two ("Before and after").
--tcpkit-only, --echo-connections and --chat-clients narrow a run to what such a comparison needs;
a narrowed run, like one of --only, is merged into the last full run figure by figure. The "no
cost" check of a refactoring (echo at 1, 100 and 1,000 connections, bulk both ways, chat flood and
steady at 1,000 clients, idle memory per chat client), about 12 minutes on a 2-core machine:

    bench/run_benchmarks.py --build build/bench --baseline BEFORE/build/bench \
        --only bulk echo chat idle_memory --tcpkit-only --chat-clients 1000 --runs 10

Fewer than 4 runs cannot tell a change from noise at all (see report.py, before_after_verdict).

The TLS scenarios (issue 10) alone, merged into the last full run (`--only tls` is all four):

    bench/run_benchmarks.py --build build/bench --only tls_bulk tls_echo tls_handshake tls_flood

They make their certificates with `openssl req` at the start (ECDSA P-256 and RSA 2048, in a
temporary directory); tcpkit's servers use their ephemeral ECDSA P-256 certificate where the
peers use the P-256 one, and --cert/--key for RSA.

The listen scenarios (issue 11) alone, merged into the last full run (`--only listen` is both):

    bench/run_benchmarks.py --build build/bench --only listen_bulk listen_exec_echo

The line mode scenario (issue 12) alone, merged into the last full run (`--only line` is the same):

    bench/run_benchmarks.py --build build/bench --only line_flood

It runs each client on a pseudo-terminal made here (Python's pty module), so it needs no tmux and
draws nothing; rlwrap (install-deps.sh --bench) and nc are its peers.

The cluster scenarios (issue 13) alone, merged into the last full run (`--only cluster` is all three):

    bench/run_benchmarks.py --build build/bench --only cluster_flood cluster_steady cluster_failover

The overload scenario (issue 14: 1,000 clients each pasting 100 lines at once, tcpkit and ncat
taking turns, 3 runs or --runs) and the slow reader, merged into the last full run:

    bench/run_benchmarks.py --build build/bench --only overload slow_reader --runs 3

Each run starts its own redis-server (`--save '' --appendonly no`, a free loopback port) and the
nodes (`chat-server --cluster redis://127.0.0.1:PORT --room bench`); without redis-server, or
with a tcpkit that has no --cluster, they are recorded as skipped.

Every server is started here and stopped here; every client has a timeout. A peer that is not
installed, or that fails a scenario, is recorded as such rather than stopping the run.
"""
import argparse
import collections
import fcntl
import json
import os
import platform
import pty
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

sys.dont_write_bytecode = True  # importing report.py must not leave bench/__pycache__ in the work tree
from report import BEFORE, before_key, write_report  # noqa: E402

LOOPBACK = "127.0.0.1"
TLS_SCENARIOS = ("tls_bulk", "tls_echo", "tls_handshake", "tls_flood")
LISTEN_SCENARIOS = ("listen_bulk", "listen_exec_echo")
LINE_SCENARIOS = ("line_flood",)
CLUSTER_SCENARIOS = ("cluster_flood", "cluster_steady", "cluster_failover")
SCENARIOS = (("bulk", "echo", "chat", "idle_memory", "slow_reader", "overload", "startup") + TLS_SCENARIOS + LISTEN_SCENARIOS
             + LINE_SCENARIOS + CLUSTER_SCENARIOS)
# The room the cluster scenarios' nodes form (each run has a Redis of its own).
CLUSTER_ROOM = "bench"
# What a server may say on stderr before its `listening on` line (a cluster node's start-up line).
READY_TIMEOUT = 30


def free_port():
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_connectable(port, timeout=10.0):
    """For peers that print nothing when ready: retry connecting, bounded in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.02)
    return False


def is_listening(port):
    """Whether a socket listens on 127.0.0.1:port, from /proc/net/tcp: a readiness check that
    does not connect, for listeners that serve one client and would take a probe for it."""
    wanted = f"0100007F:{port:04X}"
    try:
        with open("/proc/net/tcp") as table:
            next(table)  # the header
            return any(fields[1] == wanted and fields[3] == "0A"  # 0A: LISTEN
                       for fields in (line.split() for line in table))
    except (OSError, StopIteration):
        return False


def wait_listening(port, process, timeout=10.0):
    """Polls is_listening until it is true, the process has exited, or timeout is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if is_listening(port):
            return True
        time.sleep(0.005)
    return False


def wait_exit_unreaped(process, timeout):
    """Waits (bounded) for process to exit but leaves it a zombie, so that /proc/PID still has
    its I/O counts; True once it has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
            return True
        time.sleep(0.001)
    return False


def reap(process):
    """Reaps an exited process: (exit status, user plus system CPU seconds it used)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime


def written_bytes(pid):
    """The bytes a process has written (wchar of /proc/PID/io: to /dev/null too), or None."""
    try:
        with open(f"/proc/{pid}/io") as counts:
            return next(int(line.split()[1]) for line in counts if line.startswith("wchar:"))
    except (OSError, StopIteration, ValueError):
        return None


class Server:
    """A server process; stopped (SIGTERM, then SIGKILL) when the scenario is over."""

    def __init__(self, command, port=None, ready_from_stderr=False):
        self.command = command
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE if ready_from_stderr else self.log,
                                        start_new_session=True)
        self.port = port
        # The last lines the server said on stderr (ready_from_stderr only): its cluster lines.
        self.said = collections.deque(maxlen=200)
        if ready_from_stderr:
            # A server that neither says it listens nor exits within READY_TIMEOUT is killed, so
            # that the readline below always ends.
            watchdog = threading.Timer(READY_TIMEOUT, self.process.kill)
            watchdog.start()
            match = None
            try:
                for raw in iter(self.process.stderr.readline, b""):
                    line = raw.decode(errors="replace").rstrip()
                    match = re.search(r"listening on [^ ]*:(\d+)", line)
                    if match:
                        break
                    self.said.append(line)  # a cluster node's start-up line comes first
            finally:
                watchdog.cancel()
            if not match:
                self.stop()
                raise RuntimeError(f"{command[0]} did not start: {' / '.join(self.said)[-300:]}")
            self.port = int(match.group(1))
            # What the server logs from then on (its TLS certificate line, failed handshakes)
            # is read and all but its last lines dropped: a full pipe would stop the server in
            # the middle of a run.
            self.drain = threading.Thread(target=self.keep_last_lines, daemon=True)
            self.drain.start()
        elif not wait_connectable(port):
            self.stop()
            raise RuntimeError(f"{' '.join(command)} did not start listening")

    def keep_last_lines(self):
        for raw in iter(self.process.stderr.readline, b""):
            self.said.append(raw.decode(errors="replace").rstrip())

    def status_kib(self, field):
        """A memory figure of /proc/PID/status ("VmHWM", "VmRSS") in KiB, or None."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def peak_rss_kib(self):
        return self.status_kib("VmHWM")

    def rss_kib(self):
        return self.status_kib("VmRSS")

    def cpu_seconds(self):
        """User plus system CPU time the server has used so far."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stderr:
            if getattr(self, "drain", None):
                self.drain.join(timeout=5)
            if not getattr(self, "drain", None) or not self.drain.is_alive():
                self.process.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def run_json(command, timeout, stdin=None):
    result = subprocess.run(command, capture_output=True, timeout=timeout, input=stdin)
    lines = [line for line in result.stdout.decode().splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.decode().strip()[:300]}")
    return json.loads(lines[-1])


def run_json_costing(server, command, timeout):
    """run_json for a client program run against `server`, with the CPU time the server used
    meanwhile as "server_cpu_seconds" (None where /proc does not tell)."""
    cpu_before = server.cpu_seconds()
    figure = run_json(command, timeout=timeout)
    cpu_after = server.cpu_seconds()
    figure["server_cpu_seconds"] = None if None in (cpu_before, cpu_after) else cpu_after - cpu_before
    return figure


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def per_run(figures, fields):
    """The value of each run, for each field: the report's before and after verdicts need the spread."""
    return {field: [f[field] for f in figures] for field in fields}


def describe_build(build):
    """Where a build comes from: its source tree, the commit checked out there, its build type."""
    cache = {}
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as entries:
            for line in entries:
                match = re.match(r"(CMAKE_HOME_DIRECTORY|CMAKE_BUILD_TYPE):\w+=(.*)", line.strip())
                if match:
                    cache[match.group(1)] = match.group(2)
    except OSError:
        pass
    source = cache.get("CMAKE_HOME_DIRECTORY")
    commit = None
    if source:
        head = subprocess.run(["git", "-C", source, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        if head.returncode == 0:
            changed = subprocess.run(["git", "-C", source, "status", "--porcelain", "--untracked-files=no"],
                                     capture_output=True, text=True).stdout.strip()
            commit = head.stdout.strip() + (" with uncommitted changes" if changed else "")
    return {"build": build, "source": source, "commit": commit, "build_type": cache.get("CMAKE_BUILD_TYPE")}


# ---- line mode (issue 12): a flood of text lines at a client on a pseudo-terminal ---------------

FLOOD_LINE_BYTES = 80
# The text of the flood's last line, and of no other: the runner knows the flood has reached the
# terminal once it reads this on the terminal's master side.
FLOOD_END = b"== the end of the flood =="
TYPED = b"typed line"


def line_flood_payload(size):
    """About `size` bytes (whole lines) of 80-byte lines, the last one FLOOD_END's: a third ASCII,
    a third CJK (3 bytes and 2 columns a character), a third both; all narrower than 80 columns,
    so no line wraps on the 80-column terminal."""
    ascii_text = "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs."
    cjk_text = "行模式的测试：你好，世界。小明和小红在聊天室里说话，日本語の文字と漢字も混ぜる。"
    assert all(len(char.encode()) == 3 for char in cjk_text)
    lines = []
    for number in range(1000):
        prefix, shift = f"{number:03d} ", number % 10
        if number % 3 == 0:
            text = prefix + ascii_text[shift:shift + 75]
        elif number % 3 == 1:
            text = prefix + cjk_text[shift:shift + 25]
        else:
            text = prefix + cjk_text[shift:shift + 12] + ascii_text[shift:shift + 39]
        line = (text + "\n").encode()
        assert len(line) == FLOOD_LINE_BYTES, (number, len(line))
        lines.append(line)
    block = b"".join(lines)
    count = size // FLOOD_LINE_BYTES
    last = (FLOOD_END + b" " + b"." * FLOOD_LINE_BYTES)[:FLOOD_LINE_BYTES - 1] + b"\n"
    whole, rest = divmod(count - 1, len(lines))
    return block * whole + block[:rest * FLOOD_LINE_BYTES] + last


class FloodPeer:
    """The server a line-mode client connects to: it sends the flood, then (for a typed run, once
    the typed line has arrived, or given up on) ends its side, and reads whatever the client sends
    until the client closes. Each socket operation is bounded by `timeout`."""

    def __init__(self, payload, typed, timeout):
        self.listener = socket.socket()
        self.listener.bind((LOOPBACK, 0))
        self.listener.listen(1)
        self.listener.settimeout(min(timeout, 20))  # every client connects at once
        self.port = self.listener.getsockname()[1]
        self.payload, self.typed, self.timeout = payload, typed, timeout
        self.sent = 0
        self.received = b""
        self.typed_arrived = threading.Event()
        self.typed_arrived_at = None
        self.displayed = lambda: None  # set by the runner: how much of the flood the terminal shows
        self.flood_left = None  # of the flood, bytes not yet shown when the typed line arrived
        self.shut_down = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self):
        reader = None
        try:
            connection, _ = self.listener.accept()
            connection.settimeout(self.timeout)
            reader = threading.Thread(target=self.read, args=(connection,), daemon=True)
            reader.start()
            with memoryview(self.payload) as flood:
                while self.sent < len(flood):
                    connection.sendall(flood[self.sent:self.sent + (1 << 16)])
                    self.sent = min(self.sent + (1 << 16), len(flood))
            if self.typed:  # a typed line that has not arrived 30 s after the flood is a failure anyway
                self.typed_arrived.wait(min(self.timeout, 30))
            connection.shutdown(socket.SHUT_WR)
            self.shut_down.set()
            reader.join(self.timeout)
            connection.close()
        except OSError as error:
            self.error = error
        finally:
            self.shut_down.set()
            self.listener.close()

    def read(self, connection):
        try:
            while True:
                data = connection.recv(1 << 16)
                if not data:
                    return
                self.received += data[:4096 - len(self.received)]  # a few lines are expected, not a flood
                if self.typed_arrived_at is None and b"\n" in self.received:
                    self.typed_arrived_at = time.monotonic()
                    shown = self.displayed()
                    self.flood_left = None if shown is None else max(0, len(self.payload) - shown)
                    self.typed_arrived.set()
        except OSError:
            pass


def one_line_flood(command, payload, exits_by_itself, typed, home, timeout):
    """One flood of `payload` at `command` (its PORT replaced) on a fresh 80x24 pseudo-terminal.

    The client's standard input, output and error are the terminal's slave side, its controlling
    terminal, open and idle all along; this runner reads the master side as fast as it can and
    counts what it reads. A run lasts from the client's start until the flood's last line has
    reached the master, and, for a client that exits by itself when the peer closes (tcpkit),
    until it has exited: that exit (status 0) is part of what is measured. nc does not exit while
    its input is open, nor rlwrap while nc runs, so once their last line is there and the peer has
    closed, the runner hangs the terminal up (closes the master) and they end on the SIGHUP; the
    CPU seconds (wait4: rlwrap's include nc's) cover that end too. Typed: when half of the flood
    has reached the terminal, `typed line` and Enter are written to the master, and the peer must
    receive exactly `typed line\\n`; the figure is how long that took."""
    peer = FloodPeer(payload, typed, timeout)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    # An empty home: no ~/.editrc or ~/.inputrc of the user's, rlwrap's history file kept out of theirs.
    environment = {name: value for name, value in os.environ.items() if name not in ("COLUMNS", "LINES", "INPUTRC")}
    environment.update(TERM="xterm", LC_ALL="C.UTF-8", HOME=home)
    shown = 0  # bytes read from the master
    # Lines read from the master: each line of the flood ends in one \n there, whatever the client
    # adds around it (\r, redrawing its input line), so this is how much of the flood is shown.
    lines_shown = 0
    lines = len(payload) // FLOOD_LINE_BYTES
    peer.displayed = lambda: lines_shown * FLOOD_LINE_BYTES
    start = time.monotonic()
    try:
        # Its own session, the terminal its controlling terminal: what a program started at a terminal has.
        client = subprocess.Popen([part.replace("PORT", str(peer.port)) for part in command], stdin=slave,
                                  stdout=slave, stderr=slave, env=environment, start_new_session=True,
                                  preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    except OSError:
        os.close(master)
        os.close(slave)
        peer.listener.close()
        raise
    os.close(slave)  # the client's now: the master reads EIO once the client has closed it
    peer.thread.start()
    deadline = start + timeout
    seen_end = None  # when FLOOD_END was read on the master
    typed_at = None
    tail = b""
    hung_up = False
    try:
        while time.monotonic() < deadline:
            if typed and typed_at is None and lines_shown >= lines // 2:
                os.write(master, TYPED + b"\r")
                typed_at = time.monotonic()
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: every descriptor of the slave side is closed, the client has gone
                chunk = b""
            if not chunk:
                break
            shown += len(chunk)
            lines_shown += chunk.count(b"\n")
            if seen_end is None and FLOOD_END in tail + chunk:
                seen_end = time.monotonic()
                if not exits_by_itself:
                    break
            tail = chunk[-200:]  # what the client said last, should it fail
        if seen_end is None:
            said = re.sub(r"[\x00-\x1f\x7f]", "", tail.decode(errors="replace").replace("\n", " / ")).strip()
            raise RuntimeError((f"the flood's last line did not reach the terminal ({shown} bytes did)"
                                if time.monotonic() < deadline else f"no end after {timeout} s")
                               + (f"; the terminal showed last: {said[-120:]}" if said else ""))
        if exits_by_itself:
            if not wait_exit_unreaped(client, timeout=max(1.0, deadline - time.monotonic())):
                raise RuntimeError("the client did not exit when the peer closed")
            end = time.monotonic()
        else:
            end = seen_end
            peer.shut_down.wait(max(1.0, deadline - time.monotonic()))
            os.close(master)
            hung_up = True
            if not wait_exit_unreaped(client, timeout=10):
                raise RuntimeError("the client did not end when its terminal was hung up")
        status, cpu_used = reap(client)
        if exits_by_itself and status != 0:
            raise RuntimeError(f"the client exited with status {status}")
        # The last line alone is not enough: a client that drops lines it could not write at once
        # (a terminal's stdout made non-blocking) would otherwise look fast.
        if lines_shown < lines:
            raise RuntimeError(f"{lines - lines_shown} of the flood's {lines} lines never reached the terminal")
        peer.thread.join(timeout=10)
        if peer.error:
            raise RuntimeError(f"the peer failed: {peer.error}")
        if peer.sent != len(payload):
            raise RuntimeError(f"the peer sent {peer.sent} of {len(payload)} bytes")
        if typed:
            if typed_at is None:
                raise RuntimeError("half of the flood never reached the terminal, so nothing was typed")
            expected = TYPED + b"\n"
            if peer.received != expected:
                raise RuntimeError(f"the peer received {peer.received[:80]!r}, not {expected!r}")
            return {"latency_ms": round((peer.typed_arrived_at - typed_at) * 1000, 1),
                    "flood_left_MiB": None if peer.flood_left is None else round(peer.flood_left / (1 << 20), 2)}
        if peer.received:
            raise RuntimeError(f"the peer received {peer.received[:80]!r} though nothing was typed")
        elapsed = end - start
        return {"MiB_per_second": round(len(payload) / (1 << 20) / elapsed, 1), "seconds": round(elapsed, 3),
                "client_cpu_seconds": round(cpu_used, 3), "terminal_bytes": shown}
    finally:
        if client.returncode is None and client.poll() is None:
            os.killpg(client.pid, signal.SIGKILL)  # its own session (rlwrap's nc then loses its terminal)
            client.wait()
        if not hung_up:
            os.close(master)
        peer.thread.join(timeout=10)


class Bench:
    def __init__(self, build, smoke, runs, out, baseline=None, tcpkit_only=False, echo_connections=None,
                 chat_clients=None):
        self.tcpkit = os.path.join(build, "cmd", "tcpkit")
        # The tcpkit binaries measured side by side, in the order of each run: the baseline first.
        self.binaries = {"tcpkit": self.tcpkit}
        if baseline:
            self.binaries = {BEFORE: os.path.join(baseline, "cmd", "tcpkit"), "tcpkit": self.tcpkit}
        self.tcpkits = list(self.binaries)
        self.tcpkit_only = tcpkit_only
        self.echo_connections = echo_connections
        self.chat_clients = chat_clients
        self.loadgen = os.path.join(build, "bench", "tcpkit-loadgen")
        self.epoll_echo = os.path.join(build, "bench", "epoll-echo")
        self.smoke = smoke
        self.runs = runs
        self.out = out
        self.results = {"machine": machine(), "smoke": smoke, "runs": runs, "scenarios": {}}
        if baseline:
            self.results["before_after"] = {"before": describe_build(baseline), "after": describe_build(build),
                                            "date": self.results["machine"]["date"], "runs": runs}
        # --tcpkit-only: as if no peer were installed.
        self.have = {tool: not tcpkit_only and shutil.which(tool) is not None
                     for tool in ("nc", "ncat", "socat", "iperf3", "openssl", "rlwrap")}
        self.certificates = None  # made by tls_certificates() when a TLS scenario first needs them

    def settings(self):
        """How this run differs from a full one, for the report's note on a partial rerun."""
        notes = [f"{self.runs} run(s) per figure"]
        if BEFORE in self.binaries:
            notes.append("before and after")
        if self.tcpkit_only:
            notes.append("tcpkit only")
        if self.echo_connections:
            notes.append(f"echo at {', '.join(map(str, self.echo_connections))} connection(s)")
        if self.chat_clients:
            notes.append(f"chat at {', '.join(map(str, self.chat_clients))} clients")
        return notes

    def interleaved(self, contenders, one_run):
        """one_run(name) for each contender, run by run (a, b, a, b, ...), so that the machine's
        noise falls on all alike. One that raises is not run again. Returns {name: (figures, failure)}."""
        figures = {name: [] for name in contenders}
        failures = {}
        for _ in range(self.runs):
            for name in contenders:
                if name in failures:
                    continue
                try:
                    figures[name].append(one_run(name))
                except Exception as error:  # a peer that cannot take the load
                    failures[name] = str(error)[:200]
        return {name: (figures[name], failures.get(name)) for name in contenders}

    def record(self, scenario, key, value):
        self.results["scenarios"].setdefault(scenario, {})[key] = value

    def log(self, text):
        print(f"bench: {text}", flush=True)

    # ---- 1. bulk ----------------------------------------------------------------------------

    def bulk(self):
        size = (64 << 20) if self.smoke else (2 << 30)
        count = size >> 20
        senders = {name: (lambda port, binary=binary: [binary, "connect", LOOPBACK, str(port)])
                   for name, binary in self.binaries.items()}
        senders.update({
            "nc": lambda port: ["nc", "-N", LOOPBACK, str(port)],
            "ncat": lambda port: ["ncat", "--send-only", LOOPBACK, str(port)],
            "socat": lambda port: ["socat", "-u", "-", f"TCP:{LOOPBACK}:{port}"],
        })
        receivers = {name: (lambda port, binary=binary: [binary, "connect", LOOPBACK, str(port)])
                     for name, binary in self.binaries.items()}
        receivers.update({
            "nc": lambda port: ["nc", "-d", LOOPBACK, str(port)],
            "ncat": lambda port: ["ncat", "--recv-only", LOOPBACK, str(port)],
            "socat": lambda port: ["socat", "-u", f"TCP:{LOOPBACK}:{port}", "-"],
        })
        # tcpkit and its baseline take turns; each peer runs on its own.
        groups = [self.tcpkits] + [[tool] for tool in ("nc", "ncat", "socat") if self.have[tool]]
        for direction, tools in (("upload", senders), ("download", receivers)):
            for group in groups:
                rates = {name: [] for name in group}
                for _ in range(self.runs):
                    for name in group:
                        rates[name].append(self.one_bulk(direction, tools[name], size, count))
                for name in group:
                    self.record("bulk", f"{direction}/{name}",
                                {"MiB_per_second": median(rates[name]), "runs": rates[name],
                                 "command": " ".join(tools[name]("PORT"))})
                    self.log(f"bulk {direction} {name}: {median(rates[name])} MiB/s")
        if self.have["iperf3"]:
            rates = []
            for _ in range(self.runs):
                port = free_port()
                with Server(["iperf3", "-s", "-p", str(port)], port=port):  # not -1: the readiness probe would be its one client
                    # The server may still be finishing with the readiness probe, which it took
                    # for a client: it then answers "the server is busy running a test". Try
                    # again, a few times (seen once in a CI run on a loaded machine).
                    for attempt in range(5):
                        output = subprocess.run(["iperf3", "-c", LOOPBACK, "-p", str(port), "-n", str(size), "-J"],
                                                capture_output=True, timeout=300).stdout
                        report = json.loads(output)  # iperf3 prints one JSON document over many lines
                        if "sum_received" in report.get("end", {}):
                            break
                        self.log(f"bulk iperf3: {report.get('error', 'no result')}; again")
                        time.sleep(0.2 * (attempt + 1))
                    else:
                        raise RuntimeError(f"iperf3 gave no result: {report.get('error', output[:200])}")
                    rates.append(report["end"]["sum_received"]["bits_per_second"] / 8 / (1 << 20))
            self.record("bulk", "iperf3", {"MiB_per_second": median(rates), "runs": rates,
                                           "command": f"iperf3 -c {LOOPBACK} -n {size}"})

    def one_bulk(self, direction, command, size, count, server_tls=()):
        """server_tls: the load generator's TLS options (--tls --cert ...) for its sink or source."""
        if direction == "upload":
            sink = subprocess.Popen([self.loadgen, "sink", "0", *server_tls], stdout=subprocess.PIPE)
            port = json.loads(sink.stdout.readline())["listening"]
            start = time.monotonic()
            dd = subprocess.Popen(["dd", "if=/dev/zero", "bs=1M", f"count={count}", "status=none"],
                                  stdout=subprocess.PIPE)
            tool = subprocess.run(command(port), stdin=dd.stdout, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=600)
            dd.wait()
            report = json.loads(sink.communicate(timeout=60)[0].decode().splitlines()[-1])
            elapsed = time.monotonic() - start
            if tool.returncode != 0 or report["bytes"] != size:
                return None
        else:
            source = subprocess.Popen([self.loadgen, "source", "0", "--bytes", str(size), *server_tls],
                                      stdout=subprocess.PIPE)
            port = json.loads(source.stdout.readline())["listening"]
            start = time.monotonic()
            with open(os.devnull, "wb") as null:
                tool = subprocess.run(command(port), stdin=subprocess.DEVNULL, stdout=null,
                                      stderr=subprocess.DEVNULL, timeout=600)
            elapsed = time.monotonic() - start
            source.communicate(timeout=60)
            if tool.returncode != 0:
                return None
        return round(size / (1 << 20) / elapsed, 1)

    # ---- 2. echo ----------------------------------------------------------------------------

    def echo_servers(self):
        servers = {name: (lambda binary=binary: Server([binary, "echo-server", "--host", LOOPBACK, "--port", "0",
                                                        "-q", "--max-conns", "100000"], ready_from_stderr=True))
                   for name, binary in self.binaries.items()}
        if self.tcpkit_only:
            return servers
        servers.update({
            "tcpkit --threads 2": lambda: Server([self.tcpkit, "echo-server", "--host", LOOPBACK, "--port", "0",
                                                  "-q", "--threads", "2", "--max-conns", "100000"],
                                                 ready_from_stderr=True),
            "epoll limit": lambda: Server([self.epoll_echo, "0"], ready_from_stderr=True),
        })
        if self.have["socat"]:
            port = free_port()
            servers["socat"] = lambda port=port: Server(
                ["socat", f"TCP-LISTEN:{port},fork,reuseaddr,bind={LOOPBACK}", "PIPE"], port=port)
        if self.have["ncat"]:
            port = free_port()
            servers["ncat"] = lambda port=port: Server(
                ["ncat", "-l", LOOPBACK, str(port), "-k", "-m", "2000", "--sh-exec", "cat"], port=port)
        return servers

    def echo(self):
        counts = self.echo_connections or ([1, 10] if self.smoke else [1, 100, 1000])
        sizes = [64, 16384]
        duration = "0.3" if self.smoke else "3"
        fields = ("messages_per_second", "p50_us", "p99_us", "loadgen_cpu_seconds")
        servers = self.echo_servers()
        # tcpkit and its baseline take turns; each other server runs on its own.
        groups = [self.tcpkits] + [[name] for name in servers if name not in self.tcpkits]
        for group in groups:
            for count in counts:
                for size in sizes:
                    def one_run(name):
                        with servers[name]() as server:
                            return run_json([self.loadgen, "echo", LOOPBACK, str(server.port), "-c", str(count),
                                             "-s", str(size), "-d", duration], timeout=120)

                    for name, (figures, failure) in self.interleaved(group, one_run).items():
                        key = f"{name}/{count}x{size}"
                        if failure or not figures or any(f["errors"] for f in figures):
                            self.record("echo", key, {"failed": failure or "connection errors"})
                            self.log(f"echo {key}: failed ({failure})")
                            continue
                        summary = {field: median([f[field] for f in figures]) for field in fields}
                        self.record("echo", key, {**summary, "seconds": float(duration),
                                                  "per_run": per_run(figures, fields)})
                        self.log(f"echo {key}: {summary['messages_per_second']:.0f}/s")

    # ---- 3. chat fan-out, 5. slow reader ----------------------------------------------------

    def chat_server(self, name, clients, default_queue=False, extra=()):
        if name in self.binaries:
            # No rate limit and no history, as ncat has neither; a queue large enough that a
            # flood never cuts off a client that reads, except where the default is the point.
            queue = [] if default_queue else ["--max-queue", str(64 << 20)]
            return Server([self.binaries[name], "chat-server", "--host", LOOPBACK, "--port", "0", "-q", "--rate", "0",
                           "--max-clients", "100000", "--history", "0"] + queue + list(extra),
                          ready_from_stderr=True)
        port = free_port()
        return Server(["ncat", "--chat", "-l", LOOPBACK, str(port), "-m", str(clients + 10)], port=port)

    def chat(self):
        counts = self.chat_clients or ([20] if self.smoke else [100, 1000, 10000])
        lines = 10 if self.smoke else 100
        # tcpkit and its baseline take turns; ncat runs on its own.
        groups = [self.tcpkits] + ([["ncat"]] if self.have["ncat"] else [])
        # ncat answers every join with the list of everyone, so joining 1,000 takes it about
        # 90 s; the load generator's timeout covers joining as well as delivering.
        timeout = 5 if self.smoke else 300
        fields = ("deliveries_per_second", "delivered_fraction", "delivery_seconds", "p50_us", "p99_us",
                  "join_seconds", "server_peak_rss_kib", "server_cpu_seconds", "loadgen_cpu_seconds")
        for group in groups:
            for count in counts:
                flood_failures = {}
                for mode, rate in (("flood", 0), ("steady", 100 if self.smoke else 1000)):
                    def one_run(name):
                        with self.chat_server(name, count) as server:
                            command = [self.loadgen, "chat", LOOPBACK, str(server.port), "-c", str(count),
                                       "--senders", "10", "--lines", str(lines), "--rate", str(rate),
                                       "--timeout", str(timeout)]
                            if name == "ncat":
                                command.append("--ncat")
                            figure = run_json_costing(server, command, timeout=timeout + 60)
                            figure["server_peak_rss_kib"] = server.peak_rss_kib()
                            if figure["errors"]:
                                raise RuntimeError(f"{figure['errors']} client(s) failed after "
                                                   f"{figure['delivered']} of {figure['expected']} deliveries")
                            return figure

                    # The same server and count would fail a steady run the way it failed the flood.
                    contenders = [name for name in group if name not in flood_failures]
                    for name in group:
                        if name in flood_failures:
                            self.record("chat", f"{name}/{count}/{mode}",
                                        {"failed": f"not run: {flood_failures[name]}"})
                    for name, (figures, failure) in self.interleaved(contenders, one_run).items():
                        key = f"{name}/{count}/{mode}"
                        if failure or not figures:
                            self.record("chat", key, {"failed": failure})
                            self.log(f"chat {key}: failed ({failure})")
                            if mode == "flood":
                                flood_failures[name] = failure
                            continue
                        summary = {field: median([f[field] for f in figures]) for field in fields}
                        self.record("chat", key, {**summary, "per_run": per_run(figures, fields)})
                        self.log(f"chat {key}: {summary}")

    def slow_reader(self):
        """One client that never reads, with the server's default --max-queue (1 MiB): it is sent
        more than its socket buffers and its queue hold, so it is cut off as too slow, and the
        others' figures are compared with the same run without it."""
        count = 20 if self.smoke else 200
        lines = 50 if self.smoke else 1000
        rate = 2000  # lines per second in total: each reader gets 460 KB/s, easily kept up with
        # Lines of about 630 bytes: 6.3 MB for the one that never reads, more than the kernel's
        # buffers (about 3 MB here) and its 1 MiB queue together, so it is cut off as too slow.
        padding = 600
        fields = ("deliveries_per_second", "delivered_fraction", "delivery_seconds", "p50_us", "p99_us",
                  "server_peak_rss_kib")
        for slow in (0, 1):
            def one_run(name):
                with self.chat_server(name, count + slow, default_queue=True) as server:
                    figure = run_json([self.loadgen, "chat", LOOPBACK, str(server.port), "-c", str(count + slow),
                                       "--senders", "10", "--lines", str(lines), "--rate", str(rate),
                                       "--padding", str(padding), "--slow-readers", str(slow),
                                       "--timeout", "60"], timeout=120)
                    figure["server_peak_rss_kib"] = server.peak_rss_kib()
                    return figure

            for name, (figures, failure) in self.interleaved(self.tcpkits, one_run).items():
                if failure:  # as before the baseline existed: a failure here stops the run
                    raise RuntimeError(f"slow reader, {name}: {failure}")
                key = f"slow_readers={slow}" if name == "tcpkit" else f"{name}/slow_readers={slow}"
                self.record("slow_reader", key, {
                    **{field: median([f[field] for f in figures]) for field in fields},
                    "per_run": per_run(figures, fields)})

    def overload(self):
        """A room over capacity as a whole (issue 14): every client pastes 100 lines at once, with
        the server's default --max-queue (1 MiB), so about 100 million deliveries are due at 1,000
        clients. Recorded: the fraction delivered, the clients cut off (as too slow: their reads
        failed), latency from the paste, the server's peak RSS. tcpkit's run and ncat's take turns."""
        count = 20 if self.smoke else 1000
        lines = 10 if self.smoke else 100
        # ncat takes about 90 s to let 1,000 clients join; a room that has cut clients off never
        # delivers everything, so a run ends after `stall` seconds with nothing arriving.
        timeout, stall = (10, 5) if self.smoke else (400, 20)
        fields = ("delivered_fraction", "cut_off", "delivery_seconds", "deliveries_per_second", "p50_us",
                  "p99_us", "join_seconds", "server_peak_rss_kib", "server_cpu_seconds")
        contenders = self.tcpkits + (["ncat"] if self.have["ncat"] else [])

        def one_run(name):
            with self.chat_server(name, count, default_queue=True) as server:
                command = [self.loadgen, "chat", LOOPBACK, str(server.port), "-c", str(count), "--senders",
                           str(count), "--lines", str(lines), "--rate", "0", "--timeout", str(timeout),
                           "--stall", str(stall)]
                if name == "ncat":
                    command.append("--ncat")
                figure = run_json_costing(server, command, timeout=timeout + 60)
                figure["server_peak_rss_kib"] = server.peak_rss_kib()
                figure["cut_off"] = figure["errors"]
                return figure

        for name, (figures, failure) in self.interleaved(contenders, one_run).items():
            if failure or not figures:
                self.record("overload", name, {"failed": failure})
                self.log(f"overload {name}: failed ({failure})")
                continue
            summary = {field: median([f[field] for f in figures]) for field in fields}
            self.record("overload", name, {**summary, "clients": count, "lines": lines,
                                           "per_run": per_run(figures, fields)})
            self.log(f"overload {name}: {summary}")

    # ---- 4. memory per idle client ----------------------------------------------------------

    def idle_memory(self):
        count = 200 if self.smoke else 10000

        def one_run(name):
            with self.chat_server(name, count) as server:
                before = server.rss_kib()
                holder = subprocess.Popen([self.loadgen, "idle", LOOPBACK, str(server.port), "-c", str(count)],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                line = holder.stdout.readline()  # the load generator gives up on its own after 120 s
                if not line:
                    holder.wait(timeout=10)
                    raise RuntimeError("the clients did not all join")
                ready = json.loads(line)
                after = server.rss_kib()
                holder.stdin.close()
                holder.wait(timeout=60)
            return {"rss_before_kib": before, "rss_after_kib": after,
                    "bytes_per_client": round((after - before) * 1024 / count), "join_seconds": ready["join_seconds"]}

        fields = ("rss_before_kib", "rss_after_kib", "bytes_per_client", "join_seconds")
        for name, (figures, failure) in self.interleaved(self.tcpkits, one_run).items():
            if failure:
                self.record("idle_memory", name, {"failed": failure})
                continue
            summary = {field: median([f[field] for f in figures]) for field in fields}
            for field in ("rss_before_kib", "rss_after_kib", "bytes_per_client"):  # whole, as with one run
                summary[field] = round(summary[field])
            self.record("idle_memory", name, {"clients": count, **summary, "per_run": per_run(figures, fields)})

    # ---- 6. start-up ------------------------------------------------------------------------

    def startup(self):
        tools = {name: [binary, "--version"] for name, binary in self.binaries.items()}
        if self.have["nc"]:
            tools["nc"] = ["nc", "-h"]
        if self.have["ncat"]:
            tools["ncat"] = ["ncat", "--version"]
        repeats = 5 if self.smoke else 50
        # tcpkit and its baseline take turns start by start; each other tool starts on its own.
        groups = [self.tcpkits] + [[name] for name in tools if name not in self.tcpkits]
        for group in groups:
            times = {name: [] for name in group}
            for _ in range(repeats):
                for name in group:
                    start = time.monotonic()
                    subprocess.run(tools[name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
                    times[name].append((time.monotonic() - start) * 1000)
            for name in group:
                command = tools[name]
                path = shutil.which(command[0]) or command[0]
                stripped = tempfile.NamedTemporaryFile(delete=False)
                stripped.close()
                shutil.copy(path, stripped.name)
                subprocess.run(["strip", stripped.name], stderr=subprocess.DEVNULL)
                size = os.path.getsize(stripped.name)
                os.unlink(stripped.name)
                self.record("startup", name, {
                    "median_ms": round(median(times[name]), 2), "stripped_bytes": size,
                    "command": " ".join([os.path.basename(command[0])] + command[1:]),
                    "per_run": {"median_ms": [round(ms, 3) for ms in times[name]], "stripped_bytes": [size]}})

    # ---- 7. TLS -----------------------------------------------------------------------------

    def tls_certificates(self):
        """ECDSA P-256 and RSA 2048 self-signed certificates for localhost and 127.0.0.1, made
        once per run with openssl: {"ecdsa": (cert, key), "rsa": (cert, key)}."""
        if self.certificates is None:
            directory = tempfile.mkdtemp(prefix="tcpkit-bench-tls-")
            self.certificates = {"directory": directory}
            for kind, key_options in (("ecdsa", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                                      ("rsa", ["-newkey", "rsa:2048"])):
                cert, key = os.path.join(directory, f"{kind}-cert.pem"), os.path.join(directory, f"{kind}-key.pem")
                subprocess.run(["openssl", "req", "-x509", *key_options, "-nodes", "-sha256", "-days", "2",
                                "-subj", "/CN=localhost", "-addext", f"subjectAltName=DNS:localhost,IP:{LOOPBACK}",
                                "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
                self.certificates[kind] = (cert, key)
        return self.certificates

    @staticmethod
    def has_options(binary, command, *options):
        """Whether `binary COMMAND --help` lists every one of `options` (an older tcpkit, kept as a
        baseline, may lack what a scenario needs)."""
        try:
            help_text = subprocess.run([binary, command, "--help"], capture_output=True, text=True,
                                       timeout=10).stdout
        except OSError:
            return False
        return all(option in help_text for option in options)

    def tcpkits_with(self, command, *options):
        """The names of the tcpkit binaries whose COMMAND has every one of `options`."""
        return [name for name, binary in self.binaries.items()
                if self.has_options(binary, command, *options)]

    def tls_tcpkits(self):
        """The tcpkit binaries that speak TLS: a baseline from before TLS is left out."""
        return self.tcpkits_with("echo-server", "--tls")

    def record_missing_tls(self, scenario, keys):
        self.record_missing(scenario, keys, "this tcpkit has no --tls")

    def record_missing(self, scenario, keys, why):
        for key in keys:
            self.record(scenario, key, {"failed": why})

    def tls_bulk(self):
        """Bulk through `connect --tls` both ways, beside ncat --ssl and socat OPENSSL, and plain
        `connect` in the same turns (the TLS/plain ratio). The load generator's sink and source
        are the TLS servers for every client alike (ECDSA P-256, TLS 1.3)."""
        size = (16 << 20) if self.smoke else (1 << 30)
        count = size >> 20
        cert, key = self.tls_certificates()["ecdsa"]
        server_tls = ["--tls", "--cert", cert, "--key", key]
        tls_tcpkits = self.tls_tcpkits()
        clients = {}
        for name in tls_tcpkits:
            binary = self.binaries[name]
            clients[name] = (lambda port, binary=binary: [binary, "connect", "--tls", "--insecure", LOOPBACK,
                                                          str(port)], True)
        clients["tcpkit plain"] = (lambda port: [self.tcpkit, "connect", LOOPBACK, str(port)], False)
        peers = {
            "upload": {"ncat": lambda port: ["ncat", "--ssl", "--send-only", LOOPBACK, str(port)],
                       "socat": lambda port: ["socat", "-u", "-", f"OPENSSL:{LOOPBACK}:{port},verify=0"]},
            "download": {"ncat": lambda port: ["ncat", "--ssl", "--recv-only", LOOPBACK, str(port)],
                         "socat": lambda port: ["socat", "-u", f"OPENSSL:{LOOPBACK}:{port},verify=0", "-"]},
        }
        # tcpkit over TLS, its baseline and plain tcpkit take turns; each peer runs on its own.
        groups = [tls_tcpkits + ["tcpkit plain"]] + [[tool] for tool in ("ncat", "socat") if self.have[tool]]
        for direction in ("upload", "download"):
            self.record_missing_tls("tls_bulk", [f"{direction}/{name}" for name in self.tcpkits
                                                 if name not in tls_tcpkits])
            for group in groups:
                rates = {name: [] for name in group}
                for _ in range(self.runs):
                    for name in group:
                        command, tls = clients[name] if name in clients else (peers[direction][name], True)
                        rates[name].append(self.one_bulk(direction, command, size, count,
                                                         server_tls if tls else ()))
                for name in group:
                    command = clients[name][0] if name in clients else peers[direction][name]
                    if median(rates[name]) is None:
                        self.record("tls_bulk", f"{direction}/{name}", {"failed": "the transfer failed"})
                        continue
                    self.record("tls_bulk", f"{direction}/{name}",
                                {"MiB_per_second": median(rates[name]), "runs": rates[name],
                                 "command": " ".join(command("PORT"))})
                    self.log(f"tls bulk {direction} {name}: {median(rates[name])} MiB/s")

    def tls_echo_servers(self, tls_tcpkits):
        cert, key = self.tls_certificates()["ecdsa"]
        servers = {name: (lambda binary=self.binaries[name]: Server(
            [binary, "echo-server", "--tls", "--host", LOOPBACK, "--port", "0", "-q", "--max-conns", "100000"],
            ready_from_stderr=True)) for name in tls_tcpkits}
        servers["tcpkit plain"] = lambda: Server([self.tcpkit, "echo-server", "--host", LOOPBACK, "--port", "0", "-q",
                                                  "--max-conns", "100000"], ready_from_stderr=True)
        if self.have["ncat"]:
            port = free_port()
            servers["ncat"] = lambda port=port: Server(
                ["ncat", "--ssl", "--ssl-cert", cert, "--ssl-key", key, "-l", LOOPBACK, str(port), "-k", "-m", "2000",
                 "--sh-exec", "cat"], port=port)
        if self.have["socat"]:
            port = free_port()
            servers["socat"] = lambda port=port: Server(
                ["socat", f"OPENSSL-LISTEN:{port},fork,reuseaddr,bind={LOOPBACK},cert={cert},key={key},verify=0",
                 "PIPE"], port=port)
        return servers

    def tls_echo(self):
        """Echo over TLS at 1 and 100 connections: tcpkit echo-server --tls (its ephemeral
        certificate) against ncat --ssl --sh-exec cat and socat OPENSSL-LISTEN ... PIPE (a P-256
        certificate), and plain tcpkit in the same turns."""
        counts = [1, 10] if self.smoke else [1, 100]
        sizes = [64] if self.smoke else [64, 16384]
        duration, warmup = ("0.3", "0.1") if self.smoke else ("3", "0.5")
        fields = ("messages_per_second", "p50_us", "p99_us", "loadgen_cpu_seconds")
        tls_tcpkits = self.tls_tcpkits()
        servers = self.tls_echo_servers(tls_tcpkits)
        groups = [tls_tcpkits + ["tcpkit plain"]] + [[name] for name in ("ncat", "socat") if name in servers]
        self.record_missing_tls("tls_echo", [f"{name}/{count}x{size}" for name in self.tcpkits
                                             if name not in tls_tcpkits for count in counts for size in sizes])
        for group in groups:
            for count in counts:
                for size in sizes:
                    def one_run(name):
                        with servers[name]() as server:
                            tls = [] if name == "tcpkit plain" else ["--tls"]
                            return run_json([self.loadgen, "echo", LOOPBACK, str(server.port), "-c", str(count),
                                             "-s", str(size), "-d", duration, "--warmup", warmup, *tls],
                                            timeout=120)

                    for name, (figures, failure) in self.interleaved(group, one_run).items():
                        key = f"{name}/{count}x{size}"
                        if failure or not figures or any(f["errors"] for f in figures):
                            self.record("tls_echo", key, {"failed": failure or "connection errors"})
                            self.log(f"tls echo {key}: failed ({failure})")
                            continue
                        summary = {field: median([f[field] for f in figures]) for field in fields}
                        self.record("tls_echo", key, {**summary, "seconds": float(duration),
                                                      "per_run": per_run(figures, fields)})
                        self.log(f"tls echo {key}: {summary['messages_per_second']:.0f}/s")

    def handshake_servers(self, kind, tls_tcpkits):
        """Servers for full handshakes with a certificate of `kind` ("ecdsa", "rsa")."""
        cert, key = self.tls_certificates()[kind]
        # ECDSA: tcpkit's own ephemeral P-256 certificate; RSA: the one made here.
        given = [] if kind == "ecdsa" else ["--cert", cert, "--key", key]
        servers = {name: (lambda binary=self.binaries[name]: Server(
            [binary, "echo-server", "--tls", *given, "--host", LOOPBACK, "--port", "0", "-q", "--max-conns", "100000"],
            ready_from_stderr=True)) for name in tls_tcpkits}
        if self.have["openssl"] and not self.tcpkit_only:
            port = free_port()
            # -no_cache: no session cache, so no handshake can be resumed.
            servers["openssl s_server"] = lambda port=port: Server(
                ["openssl", "s_server", "-accept", f"{LOOPBACK}:{port}", "-cert", cert, "-key", key, "-www", "-quiet",
                 "-no_cache"], port=port)
        if self.have["ncat"]:
            port = free_port()
            servers["ncat"] = lambda port=port: Server(
                ["ncat", "--ssl", "--ssl-cert", cert, "--ssl-key", key, "-l", LOOPBACK, str(port), "-k", "-m", "2000"],
                port=port)
        return servers

    def tls_handshake(self):
        """Full handshakes per second (connect, handshake, close_notify, close; no resumption)
        from a loop of concurrent connectors, and per core: per second of the server's own CPU
        time (user + system), which does not depend on whether the load generator kept up."""
        connectors = 4 if self.smoke else 16
        duration = "0.3" if self.smoke else "5"
        fields = ("handshakes_per_second", "handshakes_per_core", "server_cpu_seconds", "p50_us", "p99_us",
                  "loadgen_cpu_seconds")
        tls_tcpkits = self.tls_tcpkits()
        for kind in ("ecdsa", "rsa"):
            servers = self.handshake_servers(kind, tls_tcpkits)
            self.record_missing_tls("tls_handshake", [f"{name}/{kind}" for name in self.tcpkits
                                                      if name not in tls_tcpkits])
            groups = [tls_tcpkits] + [[name] for name in servers if name not in tls_tcpkits]
            for group in groups:
                def one_run(name):
                    with servers[name]() as server:
                        figure = run_json_costing(server, [self.loadgen, "handshake", LOOPBACK, str(server.port),
                                                           "-c", str(connectors), "-d", duration, "--warmup", "0.2"],
                                                  timeout=120)
                    if not figure["handshakes"]:
                        raise RuntimeError(f"no handshake completed ({figure['failures']} failed, "
                                           f"{figure['unfinished']} unfinished at the end)")
                    used = figure["server_cpu_seconds"]
                    # Every handshake of the run (warm-up too) against all the CPU it cost the server.
                    figure["handshakes_per_core"] = (round(figure["all_handshakes"] / used, 1) if used else None)
                    return figure

                for name, (figures, failure) in self.interleaved(group, one_run).items():
                    key = f"{name}/{kind}"
                    if failure or not figures:
                        self.record("tls_handshake", key, {"failed": failure or "no figures"})
                        self.log(f"tls handshake {key}: failed ({failure})")
                        continue
                    summary = {field: median([f[field] for f in figures]) for field in fields}
                    self.record("tls_handshake", key, {
                        **summary, "connectors": connectors, "seconds": float(duration),
                        "protocol": figures[0].get("protocol"), "cipher": figures[0].get("cipher"),
                        "failures": sum(f["failures"] for f in figures), "per_run": per_run(figures, fields)})
                    self.log(f"tls handshake {key}: {summary['handshakes_per_second']:.0f}/s, "
                             f"{summary['handshakes_per_core']} per core")

    def tls_flood(self):
        """An established TLS echo client's round trips (64 bytes, one in flight) with no flood,
        then while half-open connections (TCP connected, no ClientHello) and a full-handshake
        loop hit the same server. The flood comes from a load generator of its own, so that its
        work does not delay the measuring client's."""
        half_open = 20 if self.smoke else 1000
        connectors = 2 if self.smoke else 8
        duration, warmup = (0.5, 0.2) if self.smoke else (5.0, 0.5)
        fields = ("messages_per_second", "p50_us", "p99_us", "flood_handshakes_per_second", "half_open_closed")
        tls_tcpkits = self.tls_tcpkits()
        servers = {name: (lambda binary=self.binaries[name]: Server(
            [binary, "echo-server", "--tls", "--host", LOOPBACK, "--port", "0", "-q", "--max-conns", "100000"],
            ready_from_stderr=True)) for name in tls_tcpkits}
        if self.have["ncat"]:
            cert, key = self.tls_certificates()["ecdsa"]
            port = free_port()
            servers["ncat"] = lambda port=port, cert=cert, key=key: Server(
                ["ncat", "--ssl", "--ssl-cert", cert, "--ssl-key", key, "-l", LOOPBACK, str(port), "-k",
                 "-m", str(half_open + 1000), "--sh-exec", "cat"], port=port)
        self.record_missing_tls("tls_flood", [f"{name}/{mode}" for name in self.tcpkits if name not in tls_tcpkits
                                              for mode in ("quiet", "flood")])
        groups = [tls_tcpkits] + [[name] for name in servers if name not in tls_tcpkits]
        echo = [self.loadgen, "echo", "--tls", "-c", "1", "-s", "64", "-d", str(duration), "--warmup", str(warmup)]
        for group in groups:
            for mode in ("quiet", "flood"):
                def one_run(name):
                    with servers[name]() as server:
                        target = [LOOPBACK, str(server.port)]
                        if mode == "quiet":
                            figure = run_json(echo[:2] + target + echo[2:], timeout=60)
                            figure.update(flood_handshakes_per_second=None, half_open_closed=None)
                        else:
                            # The flood outlasts the measuring client, which starts once it is ready.
                            figure = self.one_flood(echo[:2] + target + echo[2:], target, half_open, connectors,
                                                    duration + warmup + (0.3 if self.smoke else 1))
                    if figure["errors"]:
                        raise RuntimeError("the measuring client failed" + (" during the flood" if mode == "flood"
                                                                             else ""))
                    return figure

                for name, (figures, failure) in self.interleaved(group, one_run).items():
                    key = f"{name}/{mode}"
                    if failure or not figures:
                        self.record("tls_flood", key, {"failed": failure or "no figures"})
                        self.log(f"tls flood {key}: failed ({failure})")
                        continue
                    summary = {field: median([f[field] for f in figures]) for field in fields}
                    self.record("tls_flood", key, {**summary, "half_open": half_open if mode == "flood" else 0,
                                                   "connectors": connectors if mode == "flood" else 0,
                                                   "per_run": per_run(figures, fields)})
                    self.log(f"tls flood {key}: p50 {summary['p50_us']:.0f} us, p99 {summary['p99_us']:.0f} us")

    def one_flood(self, echo_command, target, half_open, connectors, flood_seconds):
        """The measuring echo client, run once the flood is at full strength; the flood's own
        figures (handshakes/s beside it, half-open connections the server closed) go with it."""
        flood = subprocess.Popen([self.loadgen, "handshake", *target, "-c", str(connectors), "--half-open",
                                  str(half_open), "-d", str(flood_seconds), "--warmup", "0"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            ready = flood.stdout.readline()  # the load generator gives up connecting after 30 s
            if not ready or json.loads(ready).get("still_connecting"):
                raise RuntimeError("the half-open connections did not all connect")
            figure = run_json(echo_command, timeout=60)
            output = flood.communicate(timeout=flood_seconds + 30)[0].decode().splitlines()
            flood_figure = json.loads(output[-1]) if output else {}
        finally:
            if flood.poll() is None:
                flood.kill()
                flood.wait()
        figure["flood_handshakes_per_second"] = flood_figure.get("handshakes_per_second")
        figure["half_open_closed"] = flood_figure.get("half_open_closed")
        return figure

    # ---- 8. listen (issue 11) ---------------------------------------------------------------

    def listen_tcpkits(self):
        """The tcpkit binaries that have `listen -k --exec`: a baseline from before it is left out."""
        return self.tcpkits_with("listen", "--keep-open", "--exec")

    def listen_bulk(self):
        """2 GiB through one listener each way, beside nc -l, ncat -l and socat TCP-LISTEN. The
        listener receives: its stdout to /dev/null, `tcpkit-loadgen send` the client. The listener
        sends: its stdin from dd (as bulk feeds connect), `tcpkit-loadgen receive` the client, which
        closes only once it has everything. A run counts from the client's start until the client is
        done and the listener has exited; every byte is checked, so a cut-off run cannot look fast."""
        size = (8 << 20) if self.smoke else (2 << 30)
        listen_tcpkits = self.listen_tcpkits()
        # nc -d, ncat --recv-only, socat -u: no reading of stdin when receiving (as bulk's clients);
        # nc -N: without it nc never ends its side when its stdin ends, and the client would wait.
        listeners = {
            "receives": {"nc": lambda port: ["nc", "-d", "-l", LOOPBACK, str(port)],
                         "ncat": lambda port: ["ncat", "-l", LOOPBACK, str(port), "--recv-only"],
                         "socat": lambda port: ["socat", "-u", f"TCP-LISTEN:{port},bind={LOOPBACK}", "STDOUT"]},
            "sends": {"nc": lambda port: ["nc", "-N", "-l", LOOPBACK, str(port)],
                      "ncat": lambda port: ["ncat", "-l", LOOPBACK, str(port), "--send-only"],
                      "socat": lambda port: ["socat", "-u", "STDIN", f"TCP-LISTEN:{port},bind={LOOPBACK}"]},
        }
        for commands in listeners.values():
            commands.update({name: (lambda port, binary=self.binaries[name]: [binary, "listen", LOOPBACK, str(port)])
                             for name in listen_tcpkits})
        fields = ("MiB_per_second", "listener_cpu_seconds")
        # tcpkit and its baseline take turns; each peer runs on its own.
        groups = [listen_tcpkits] + [[tool] for tool in ("nc", "ncat", "socat") if self.have[tool]]
        for direction, commands in listeners.items():
            self.record_missing("listen_bulk", [f"{direction}/{name}" for name in self.tcpkits
                                                if name not in listen_tcpkits], "this tcpkit has no listen")
            for group in groups:
                results = self.interleaved(group, lambda name: self.one_listen_bulk(direction, commands[name], size))
                for name, (figures, failure) in results.items():
                    key = f"{direction}/{name}"
                    if failure or not figures:
                        self.record("listen_bulk", key, {"failed": failure or "no figures"})
                        self.log(f"listen bulk {key}: failed ({failure})")
                        continue
                    summary = {field: median([f[field] for f in figures]) for field in fields}
                    self.record("listen_bulk", key, {**summary, "bytes": size, "per_run": per_run(figures, fields),
                                                     "command": " ".join(commands[name]("PORT"))})
                    self.log(f"listen bulk {key}: {summary['MiB_per_second']} MiB/s, "
                             f"listener CPU {summary['listener_cpu_seconds']:.2f} s")

    def one_listen_bulk(self, direction, command, size):
        """One transfer of `size` bytes through the listener `command(port)`: its MiB/s and the
        listener's CPU seconds; raises when a byte is missing or a side fails."""
        port = free_port()  # nc, ncat and socat cannot tell which port they took
        log = tempfile.TemporaryFile()
        feeder = None
        if direction == "sends":
            feeder = subprocess.Popen(["dd", "if=/dev/zero", "bs=1M", f"count={size >> 20}", "status=none"],
                                      stdout=subprocess.PIPE)
        listener = subprocess.Popen(command(port), stdin=feeder.stdout if feeder else subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        if feeder:
            feeder.stdout.close()  # the listener's now: its end is the listener's end of input

        def failure(what):
            log.seek(0)
            said = log.read().decode(errors="replace").strip().replace("\n", " / ")[-200:]
            return RuntimeError(f"{what}" + (f"; the listener said: {said}" if said else ""))

        try:
            # Not wait_connectable: its probe would be the one client these listeners serve.
            if not wait_listening(port, listener):
                raise failure("the listener did not start listening")
            client = ([self.loadgen, "send", LOOPBACK, str(port), "--bytes", str(size)] if direction == "receives"
                      else [self.loadgen, "receive", LOOPBACK, str(port)])
            start = time.monotonic()
            figure = run_json(client, timeout=600)
            if not wait_exit_unreaped(listener, timeout=30):
                raise failure("the listener did not exit after its client")
            elapsed = time.monotonic() - start
            written = written_bytes(listener.pid)
            status, cpu_used = reap(listener)
            if status != 0:
                raise failure(f"the listener exited with status {status}")
            if not figure["clean"]:
                raise failure("the connection was reset")
            if direction == "receives" and (written is None or written < size):
                raise failure(f"the listener wrote {written} of {size} bytes")
            if direction == "sends" and figure["bytes"] != size:
                raise failure(f"the client received {figure['bytes']} of {size} bytes")
            return {"MiB_per_second": round(size / (1 << 20) / elapsed, 1), "listener_cpu_seconds": round(cpu_used, 3)}
        finally:
            if listener.returncode is None and listener.poll() is None:
                os.killpg(listener.pid, signal.SIGKILL)  # its own session: a program it started goes too
                listener.wait()
            if feeder:
                feeder.kill()
                feeder.wait()
            log.close()

    def listen_exec_servers(self, listen_tcpkits):
        """Echo servers that run cat for each connection."""
        # --max-conns above the 100 connections: a connection being closed must not refuse a new one.
        servers = {name: (lambda binary=self.binaries[name]: Server(
            [binary, "listen", "-k", "-q", "--max-conns", "1000", "--exec", "cat", "--host", LOOPBACK, "--port", "0"],
            ready_from_stderr=True)) for name in listen_tcpkits}
        if self.have["ncat"]:
            port = free_port()
            servers["ncat"] = lambda port=port: Server(
                ["ncat", "-l", LOOPBACK, str(port), "-k", "-m", "2000", "--exec", "/bin/cat"], port=port)
        if self.have["socat"]:
            port = free_port()
            # backlog=1024: with socat's default of 5, dozens of the 100 connections made at once
            # are never answered and the run fails; with it socat serves them all. (ncat has no
            # backlog option, and leaves some of the 100 unanswered too.)
            servers["socat"] = lambda port=port: Server(
                ["socat", f"TCP-LISTEN:{port},bind={LOOPBACK},fork,reuseaddr,backlog=1024", "EXEC:cat"], port=port)
        return servers

    def listen_exec_echo(self):
        """Echo through a program per connection (`listen -k --exec cat`, ncat --exec, socat
        EXEC:cat), 64-byte messages at 1 and 100 connections. The warm-up covers starting a cat per
        connection before anything is counted."""
        counts = [1, 10] if self.smoke else [1, 100]
        size = 64
        duration, warmup = ("0.3", "0.2") if self.smoke else ("3", "1")
        fields = ("messages_per_second", "p50_us", "p99_us", "loadgen_cpu_seconds")
        listen_tcpkits = self.listen_tcpkits()
        servers = self.listen_exec_servers(listen_tcpkits)
        self.record_missing("listen_exec_echo", [f"{name}/{count}x{size}" for name in self.tcpkits
                                                 if name not in listen_tcpkits for count in counts],
                            "this tcpkit has no listen --exec")
        groups = [listen_tcpkits] + [[name] for name in ("ncat", "socat") if name in servers]
        for group in groups:
            for count in counts:
                def one_run(name):
                    with servers[name]() as server:
                        figure = run_json([self.loadgen, "echo", LOOPBACK, str(server.port), "-c", str(count), "-s",
                                           str(size), "-d", duration, "--warmup", warmup], timeout=120)
                    if figure["errors"]:
                        raise RuntimeError(f"{figure['errors']} connection(s) failed")
                    return figure

                for name, (figures, failure) in self.interleaved(group, one_run).items():
                    key = f"{name}/{count}x{size}"
                    if failure or not figures:
                        self.record("listen_exec_echo", key, {"failed": failure or "no figures"})
                        self.log(f"listen exec echo {key}: failed ({failure})")
                        continue
                    summary = {field: median([f[field] for f in figures]) for field in fields}
                    self.record("listen_exec_echo", key, {**summary, "seconds": float(duration),
                                                          "per_run": per_run(figures, fields)})
                    self.log(f"listen exec echo {key}: {summary['messages_per_second']:.0f}/s, "
                             f"p99 {summary['p99_us']:.0f} us")

    # ---- 9. line mode (issue 12) ------------------------------------------------------------

    def line_tcpkits(self):
        """The tcpkit binaries that have line mode: a baseline from before it is left out (it would
        relay bytes on the terminal and look like line mode)."""
        return self.tcpkits_with("connect", "--line")

    def line_flood(self):
        """A peer on 127.0.0.1 floods text lines at a client on a pseudo-terminal made here (80x24),
        whose other side this runner reads as fast as it can, and then closes: tcpkit connect in line
        mode, the same with --raw, rlwrap nc (the usual workaround) and nc. No terminal emulator
        draws anything: this is what each client costs, not what a screen costs. Then, for line mode
        and rlwrap nc, the same flood with `typed line` and Enter typed half way through it."""
        size = (1 << 20) if self.smoke else (64 << 20)
        payload = line_flood_payload(size)
        line_tcpkits = self.line_tcpkits()
        self.record_missing("line_flood", [f"{kind}/{name}" for name in self.tcpkits if name not in line_tcpkits
                                           for kind in ("flood", "typed")], "this tcpkit has no line mode")
        # Each client: its command, and whether it exits by itself when the peer closes. nc never
        # does while its standard input is open (the terminal here: it waits for more to send, -N
        # and -q only act on the end of its input), and rlwrap exits only with nc.
        clients = {name: ([self.binaries[name], "connect", LOOPBACK, "PORT"], True) for name in line_tcpkits}
        if "tcpkit" in line_tcpkits and not self.tcpkit_only:
            clients["tcpkit --raw"] = ([self.tcpkit, "connect", "--raw", LOOPBACK, "PORT"], True)
        if self.have["rlwrap"] and self.have["nc"]:
            clients["rlwrap nc"] = (["rlwrap", "nc", LOOPBACK, "PORT"], False)
        if self.have["nc"]:
            clients["nc"] = (["nc", LOOPBACK, "PORT"], False)
        if not self.tcpkit_only:
            for tool in ("rlwrap", "nc"):
                if not self.have[tool]:
                    self.log(f"line flood: {tool} is not installed, its rows are left out")
        timeout = 60 if self.smoke else 300
        fields = {"flood": ("MiB_per_second", "seconds", "client_cpu_seconds", "terminal_bytes"),
                  "typed": ("latency_ms", "flood_left_MiB")}
        with tempfile.TemporaryDirectory(prefix="tcpkit-bench-line-") as home:
            for kind in ("flood", "typed"):
                contenders = [name for name in clients if kind == "flood" or name in line_tcpkits + ["rlwrap nc"]]

                def one_run(name):
                    command, exits_by_itself = clients[name]
                    return one_line_flood(command, payload, exits_by_itself, kind == "typed", home, timeout)

                for name, (figures, failure) in self.interleaved(contenders, one_run).items():
                    key = f"{kind}/{name}"
                    command = " ".join(os.path.basename(part) if part in self.binaries.values() else part
                                       for part in clients[name][0])
                    if failure or not figures:
                        self.record("line_flood", key, {"failed": failure or "no figures", "command": command})
                        self.log(f"line {key}: failed ({failure})")
                        continue
                    summary = {field: median([f[field] for f in figures]) for field in fields[kind]}
                    self.record("line_flood", key, {**summary, "bytes": len(payload), "command": command,
                                                    "per_run": per_run(figures, fields[kind])})
                    self.log(f"line {key}: {summary}")

    # ---- 10. cluster (issue 13) -------------------------------------------------------------

    def cluster_unavailable(self):
        """Why the cluster scenarios cannot run here, or None."""
        if not shutil.which("redis-server"):
            return "redis-server is not installed"
        if not self.has_options(self.tcpkit, "chat-server", "--cluster"):
            return "this tcpkit has no chat-server --cluster"
        return None

    def skip_cluster(self, scenario):
        """Records the scenario as skipped (True) when it cannot run here."""
        why = self.cluster_unavailable()
        if why:
            self.record(scenario, "skipped", {"skipped": why})
            self.log(f"{scenario}: skipped, {why}")
        return why is not None

    def redis(self):
        """A redis-server of the run's own on a free loopback port, keeping nothing on disk."""
        port = free_port()
        return Server(["redis-server", "--port", str(port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"],
                      port=port)

    def cluster_nodes(self, count, url, extra=()):
        """`count` chat-server nodes of one room on the Redis at `url`, started one after the other:
        each prints its listening line only once it is connected, subscribed and has loaded the room."""
        nodes = []
        try:
            for _ in range(count):
                nodes.append(self.chat_server("tcpkit", 0, extra=["--cluster", url, "--room", CLUSTER_ROOM,
                                                                   *extra]))
        except Exception:
            for node in nodes:
                node.stop()
            raise
        return nodes

    def cluster_chat(self, scenario, mode):
        """1,000 clients (smoke: 20) in one room, 10 of them sending 100 lines each (as chat's
        flood and steady, 1,000 lines/s in total), on one plain chat-server, on one node of a
        cluster (the cost of Redis in the path), and over two nodes (clients in turn, so half the
        lines come from the other node through Redis), run by run. The figures of a room over
        two nodes: the deliveries of both nodes' clients together."""
        if self.skip_cluster(scenario):
            return
        count = 20 if self.smoke else 1000
        lines = 10 if self.smoke else 100
        rate = 0 if mode == "flood" else (100 if self.smoke else 1000)
        timeout, stall = (10, 3) if self.smoke else (60, 5)
        fields = ("deliveries_per_second", "delivered_fraction", "delivery_seconds", "p50_us", "p99_us",
                  "same_node_p99_us", "across_nodes_p99_us", "join_seconds", "server_peak_rss_kib",
                  "server_cpu_seconds", "redis_cpu_seconds", "loadgen_cpu_seconds")
        contenders = {"1 node": 0, "1 node --cluster": 1, "2 nodes": 2}  # name: cluster nodes

        def one_run(name):
            cluster_nodes = contenders[name]
            redis = self.redis() if cluster_nodes else None
            nodes = []
            try:
                if redis:
                    nodes = self.cluster_nodes(cluster_nodes, f"redis://{LOOPBACK}:{redis.port}")
                else:
                    nodes = [self.chat_server("tcpkit", count)]
                cpu_before = [node.cpu_seconds() for node in nodes + ([redis] if redis else [])]
                figure = run_json([self.loadgen, "chat", LOOPBACK, ",".join(str(node.port) for node in nodes),
                                   "-c", str(count), "--senders", "10", "--lines", str(lines), "--rate", str(rate),
                                   "--timeout", str(timeout), "--stall", str(stall)], timeout=timeout + 60)
                cpu_after = [node.cpu_seconds() for node in nodes + ([redis] if redis else [])]
                used = [after - before if before is not None and after is not None else None
                        for before, after in zip(cpu_before, cpu_after)]
                node_cpu = used[:len(nodes)]
                figure["server_cpu_seconds"] = None if None in node_cpu else round(sum(node_cpu), 3)
                figure["redis_cpu_seconds"] = used[-1] if redis else None
                figure["server_peak_rss_kib"] = max((node.peak_rss_kib() or 0) for node in nodes)
                figure.setdefault("same_node_p99_us", None)
                figure.setdefault("across_nodes_p99_us", None)
                figure["said"] = [line for node in nodes for line in node.said if "cluster" in line][-5:]
                if figure["errors"]:
                    raise RuntimeError(f"{figure['errors']} client(s) failed after "
                                       f"{figure['delivered']} of {figure['expected']} deliveries")
                return figure
            finally:
                for node in nodes:
                    node.stop()
                if redis:
                    redis.stop()

        for name, (figures, failure) in self.interleaved(list(contenders), one_run).items():
            key = f"{name}/{count}"
            if failure or not figures:
                self.record(scenario, key, {"failed": failure or "no figures"})
                self.log(f"{scenario} {key}: failed ({failure})")
                continue
            summary = {field: median([f[field] for f in figures]) for field in fields}
            # The worst run's, node by node: a node that lost lines shows even if the median did not.
            worst = min(figures, key=lambda f: f["delivered_fraction"])
            summary.update(senders=10, lines=lines, rate=rate, nodes=contenders[name] or 1,
                           worst_delivered_fraction=worst["delivered_fraction"],
                           worst_delivered_fraction_per_node=worst.get("delivered_fraction_per_node"),
                           worst_said=worst["said"])
            self.record(scenario, key, {**summary, "per_run": per_run(figures, fields)})
            self.log(f"{scenario} {key}: {summary['deliveries_per_second']:.0f}/s, "
                     f"{summary['delivered_fraction'] * 100:.1f}% (worst {worst['delivered_fraction'] * 100:.1f}%), "
                     f"p50 {summary['p50_us'] / 1000:.1f} ms, p99 {summary['p99_us'] / 1000:.1f} ms")

    def cluster_flood(self):
        self.cluster_chat("cluster_flood", "flood")

    def cluster_steady(self):
        self.cluster_chat("cluster_steady", "steady")

    def cluster_failover(self):
        """Two nodes, 1,000 clients (smoke: 20), half on each; once all have joined, one node is
        killed (SIGKILL), and the figure is the time from the kill until every client of the
        other node has seen the leave of each of the dead node's members (one by one, or grouped
        as `* K left: ...`). --cluster-timeout is left at its default (10 s) except in a smoke run
        (1 s, the least), so the figure is that timeout plus how long the survivor takes to notice
        and announce."""
        scenario = "cluster_failover"
        if self.skip_cluster(scenario):
            return
        count = 20 if self.smoke else 1000
        cluster_timeout = "1s" if self.smoke else None  # None: the default
        timeout = 15 if self.smoke else 60
        fields = ("failover_seconds", "first_leave_seconds", "first_told_seconds", "most_leave_lines",
                  "told_twice", "join_seconds")

        def one_run(_):
            redis = self.redis()
            nodes = []
            leaves = None
            try:
                extra = ["--cluster-timeout", cluster_timeout] if cluster_timeout else []
                nodes = self.cluster_nodes(2, f"redis://{LOOPBACK}:{redis.port}", extra)
                survivor, victim = nodes
                # Client i is on node i mod 2: the victim's are the odd ones.
                dead_members = count // 2
                leaves = subprocess.Popen([self.loadgen, "leaves", LOOPBACK, f"{survivor.port},{victim.port}",
                                           "-c", str(count), "--expect", str(dead_members), "--timeout",
                                           str(timeout)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                ready = leaves.stdout.readline()  # the load generator gives up joining after `timeout`
                if not ready or not json.loads(ready).get("ready"):
                    raise RuntimeError("the clients did not all join: "
                                       + leaves.communicate(timeout=10)[1].decode(errors="replace").strip()[:200])
                killed_ns = time.monotonic_ns()  # CLOCK_MONOTONIC, as the load generator's clock
                os.kill(victim.process.pid, signal.SIGKILL)
                output, _ = leaves.communicate(timeout=timeout + 30)
                lines = [line for line in output.decode().splitlines() if line.startswith("{")]
                if not lines:
                    raise RuntimeError("the load generator printed no figures")
                figure = json.loads(lines[-1])
                said = [line for line in survivor.said if "cluster" in line]
                if figure["gone"] != dead_members:
                    raise RuntimeError(f"{figure['gone']} client(s) lost their connection, not the dead node's "
                                       f"{dead_members}")
                if figure["told"] != figure["watching"]:
                    raise RuntimeError(f"{figure['watching'] - figure['told']} of the survivor's {figure['watching']} "
                                       f"clients did not see all {dead_members} leaves within {timeout} s"
                                       + (f"; the survivor said: {' / '.join(said)[-200:]}" if said else ""))

                def after_kill(ns):
                    return round((ns - killed_ns) / 1e9, 3) if ns else None

                # The survivor's log says which timeout it went by (`no heartbeat for 10s`), if it logs it.
                logged = next((m.group(1) for m in (re.search(r"no heartbeat for (\S+?)\)?:", line)
                                                      for line in said) if m), None)
                return {"failover_seconds": after_kill(figure["last_told_ns"]),
                        "first_leave_seconds": after_kill(figure["first_leave_ns"]),
                        "first_told_seconds": after_kill(figure["first_told_ns"]),
                        "most_leave_lines": figure["most_leave_lines"], "told_twice": figure["told_twice"],
                        "join_seconds": figure["join_seconds"], "logged_timeout": logged, "said": said[-5:]}
            finally:
                if leaves and leaves.poll() is None:
                    leaves.kill()
                    leaves.wait()
                for node in nodes:
                    node.stop()
                redis.stop()

        for name, (figures, failure) in self.interleaved(["2 nodes"], one_run).items():
            key = f"{name}/{count}"
            if failure or not figures:
                self.record(scenario, key, {"failed": failure or "no figures"})
                self.log(f"{scenario} {key}: failed ({failure})")
                continue
            summary = {field: median([f[field] for f in figures]) for field in fields}
            summary["told_twice"] = max(f["told_twice"] for f in figures)  # any run's is a fault
            self.record(scenario, key, {
                **summary, "clients_per_node": count // 2,
                "cluster_timeout": cluster_timeout or "10s (the default)",
                "logged_timeout": next((f["logged_timeout"] for f in figures if f["logged_timeout"]), None),
                "worst_failover_seconds": max(f["failover_seconds"] for f in figures),
                "said": figures[-1]["said"], "per_run": per_run(figures, fields)})
            self.log(f"{scenario} {key}: all told {summary['failover_seconds']:.2f} s after the kill "
                     f"(first leave seen at {summary['first_leave_seconds']:.2f} s)")

    def run(self, only):
        steps = [("bulk", self.bulk), ("echo", self.echo), ("chat", self.chat), ("idle_memory", self.idle_memory),
                 ("slow_reader", self.slow_reader), ("overload", self.overload), ("startup", self.startup), ("tls_bulk", self.tls_bulk),
                 ("tls_echo", self.tls_echo), ("tls_handshake", self.tls_handshake), ("tls_flood", self.tls_flood),
                 ("listen_bulk", self.listen_bulk), ("listen_exec_echo", self.listen_exec_echo),
                 ("line_flood", self.line_flood), ("cluster_flood", self.cluster_flood),
                 ("cluster_steady", self.cluster_steady), ("cluster_failover", self.cluster_failover)]
        for name, step in steps:
            if only and name not in only:
                continue
            self.log(f"--- {name}")
            step()
        if self.certificates:
            shutil.rmtree(self.certificates["directory"], ignore_errors=True)
        os.makedirs(self.out, exist_ok=True)
        suffix = "-smoke" if self.smoke else ""
        raw_path = os.path.join(self.out, f"benchmarks{suffix}.json")
        # A run of fewer scenarios, contenders or shapes is merged into the last full one.
        narrowed = only or self.tcpkit_only or self.echo_connections or self.chat_clients
        if narrowed and os.path.exists(raw_path):
            with open(raw_path) as raw:
                previous = json.load(raw)
            if previous.get("smoke") == self.smoke:
                merge(previous, self.results)
                previous.setdefault("partial_reruns", []).append(
                    {"scenarios": sorted(self.results["scenarios"]), "date": self.results["machine"]["date"],
                     "settings": self.settings()})
                self.results = previous
        with open(raw_path, "w") as raw:
            json.dump(self.results, raw, indent=2)
        write_report(self.results, os.path.join(self.out, f"benchmarks{suffix}.md"), self.out, suffix)


def merge(previous, partial):
    """A partial run replaces the figures it measured in the last full one and keeps the others,
    figure by figure, so that a run of fewer contenders or shapes leaves the rest as they were.
    A baseline's figure goes with the figure of tcpkit it was measured beside: when tcpkit's is
    measured again without it, the old one is dropped rather than compared with the new."""
    for scenario, figures in partial["scenarios"].items():
        kept = previous["scenarios"].setdefault(scenario, {})
        if "skipped" not in figures:
            kept.pop("skipped", None)  # it ran this time
        for key in figures:
            paired = before_key(scenario, key)
            if paired and paired not in figures:
                kept.pop(paired, None)
        kept.update(figures)
    if "before_after" in partial:
        previous["before_after"] = partial["before_after"]


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cores": os.cpu_count(), "kernel": platform.release(), "cpu": model, "date": time.strftime("%Y-%m-%d")}


def baseline_problem(build, baseline):
    """Why the baseline cannot be compared with this build, or None: a baseline built another way
    (a Debug one, say) would make any change look like a gain or a cost."""
    if not os.access(os.path.join(baseline, "cmd", "tcpkit"), os.X_OK):
        return "no cmd/tcpkit there (build it first: cmake --build BUILD_DIR)"
    before, after = describe_build(baseline)["build_type"], describe_build(build)["build_type"]
    if before != after:
        return f"a {before or 'unknown'} build, this one is {after or 'unknown'}: configure both alike"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build/bench")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--out", default="docs")
    parser.add_argument("--only", nargs="*", choices=SCENARIOS + ("tls", "listen", "line", "cluster"),
                        metavar="SCENARIO",
                        help=f"scenarios to run ({' '.join(SCENARIOS)}; tls: the four TLS ones; listen: "
                             "the two listen ones; line: line_flood; cluster: the three cluster ones)")
    parser.add_argument("--report-from", metavar="JSON", help="only write the report again from raw figures")
    parser.add_argument("--baseline", metavar="BUILD_DIR",
                        help="also run the tcpkit of this build (before a change), alternating with this one's")
    parser.add_argument("--tcpkit-only", action="store_true",
                        help="no peers, no epoll limit, no --threads 2: only tcpkit (and the baseline's)")
    parser.add_argument("--echo-connections", type=int, nargs="+", metavar="N",
                        help="echo at these connection counts only (full run: 1 100 1000)")
    parser.add_argument("--chat-clients", type=int, nargs="+", metavar="N",
                        help="chat at these client counts only (full run: 100 1000 10000)")
    args = parser.parse_args()
    if args.report_from:
        with open(args.report_from) as raw:
            results = json.load(raw)
        suffix = "-smoke" if results["smoke"] else ""
        write_report(results, os.path.join(args.out, f"benchmarks{suffix}.md"), args.out, suffix)
        return 0
    if args.baseline:
        problem = baseline_problem(args.build, args.baseline)
        if problem:
            print(f"bench: --baseline {args.baseline}: {problem}", file=sys.stderr)
            return 2
    for alias, scenarios in (("tls", TLS_SCENARIOS), ("listen", LISTEN_SCENARIOS), ("line", LINE_SCENARIOS),
                             ("cluster", CLUSTER_SCENARIOS)):
        if args.only and alias in args.only:
            args.only = [name for name in args.only if name != alias] + list(scenarios)
    runs = args.runs or (1 if args.smoke else 5)
    Bench(args.build, args.smoke, runs, args.out, baseline=args.baseline, tcpkit_only=args.tcpkit_only,
          echo_connections=args.echo_connections, chat_clients=args.chat_clients).run(args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
