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

Every server is started here and stopped here; every client has a timeout. A peer that is not
installed, or that fails a scenario, is recorded as such rather than stopping the run.
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # importing report.py must not leave bench/__pycache__ in the work tree
from report import BEFORE, before_key, write_report  # noqa: E402

LOOPBACK = "127.0.0.1"
SCENARIOS = ("bulk", "echo", "chat", "idle_memory", "slow_reader", "startup")


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


class Server:
    """A server process; stopped (SIGTERM, then SIGKILL) when the scenario is over."""

    def __init__(self, command, port=None, ready_from_stderr=False):
        self.command = command
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE if ready_from_stderr else self.log,
                                        start_new_session=True)
        self.port = port
        if ready_from_stderr:
            line = self.process.stderr.readline().decode(errors="replace")
            match = re.search(r"listening on [^ ]*:(\d+)", line)
            if not match:
                self.stop()
                raise RuntimeError(f"{command[0]} did not start: {line.strip()}")
            self.port = int(match.group(1))
        elif not wait_connectable(port):
            self.stop()
            raise RuntimeError(f"{' '.join(command)} did not start listening")

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
                     for tool in ("nc", "ncat", "socat", "iperf3")}

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
                    output = subprocess.run(["iperf3", "-c", LOOPBACK, "-p", str(port), "-n", str(size), "-J"],
                                            capture_output=True, timeout=300).stdout
                    report = json.loads(output)  # iperf3 prints one JSON document over many lines
                    rates.append(report["end"]["sum_received"]["bits_per_second"] / 8 / (1 << 20))
            self.record("bulk", "iperf3", {"MiB_per_second": median(rates), "runs": rates,
                                           "command": f"iperf3 -c {LOOPBACK} -n {size}"})

    def one_bulk(self, direction, command, size, count):
        if direction == "upload":
            sink = subprocess.Popen([self.loadgen, "sink", "0"], stdout=subprocess.PIPE)
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
            source = subprocess.Popen([self.loadgen, "source", "0", "--bytes", str(size)],
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

    def chat_server(self, name, clients, default_queue=False):
        if name in self.binaries:
            # No rate limit and no history, as ncat has neither; a queue large enough that a
            # flood never cuts off a client that reads, except where the default is the point.
            queue = [] if default_queue else ["--max-queue", str(64 << 20)]
            return Server([self.binaries[name], "chat-server", "--host", LOOPBACK, "--port", "0", "-q", "--rate", "0",
                           "--max-clients", "100000", "--history", "0"] + queue, ready_from_stderr=True)
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
                            cpu_before = server.cpu_seconds()
                            figure = run_json(command, timeout=timeout + 60)
                            figure["server_peak_rss_kib"] = server.peak_rss_kib()
                            cpu_after = server.cpu_seconds()
                            figure["server_cpu_seconds"] = (cpu_after - cpu_before
                                                            if cpu_before is not None and cpu_after is not None
                                                            else None)
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

    def run(self, only):
        steps = [("bulk", self.bulk), ("echo", self.echo), ("chat", self.chat), ("idle_memory", self.idle_memory),
                 ("slow_reader", self.slow_reader), ("startup", self.startup)]
        for name, step in steps:
            if only and name not in only:
                continue
            self.log(f"--- {name}")
            step()
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
    parser.add_argument("--only", nargs="*", choices=SCENARIOS, metavar="SCENARIO",
                        help=f"scenarios to run ({' '.join(SCENARIOS)})")
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
    runs = args.runs or (1 if args.smoke else 5)
    Bench(args.build, args.smoke, runs, args.out, baseline=args.baseline, tcpkit_only=args.tcpkit_only,
          echo_connections=args.echo_connections, chat_clients=args.chat_clients).run(args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
