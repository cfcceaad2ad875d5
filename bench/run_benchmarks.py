#!/usr/bin/env python3
"""Runs the tcpkit benchmarks side by side with nc, ncat, socat and iperf3, on loopback only,
and writes docs/benchmarks.md (tables, ratios, a chart) and docs/benchmarks.json (raw figures).

    bench/run_benchmarks.py --build build/bench            # the full run (`make bench`)
    bench/run_benchmarks.py --build build/bench --smoke    # every scenario, tiny (`make bench-smoke`)

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

from report import write_report

LOOPBACK = "127.0.0.1"


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


class Bench:
    def __init__(self, build, smoke, runs, out):
        self.tcpkit = os.path.join(build, "cmd", "tcpkit")
        self.loadgen = os.path.join(build, "bench", "tcpkit-loadgen")
        self.epoll_echo = os.path.join(build, "bench", "epoll-echo")
        self.smoke = smoke
        self.runs = runs
        self.out = out
        self.results = {"machine": machine(), "smoke": smoke, "runs": runs, "scenarios": {}}
        self.have = {tool: shutil.which(tool) is not None for tool in ("nc", "ncat", "socat", "iperf3")}

    def record(self, scenario, key, value):
        self.results["scenarios"].setdefault(scenario, {})[key] = value

    def log(self, text):
        print(f"bench: {text}", flush=True)

    # ---- 1. bulk ----------------------------------------------------------------------------

    def bulk(self):
        size = (64 << 20) if self.smoke else (2 << 30)
        count = size >> 20
        senders = {
            "tcpkit": lambda port: [self.tcpkit, "connect", LOOPBACK, str(port)],
            "nc": lambda port: ["nc", "-N", LOOPBACK, str(port)],
            "ncat": lambda port: ["ncat", "--send-only", LOOPBACK, str(port)],
            "socat": lambda port: ["socat", "-u", "-", f"TCP:{LOOPBACK}:{port}"],
        }
        receivers = {
            "tcpkit": lambda port: [self.tcpkit, "connect", LOOPBACK, str(port)],
            "nc": lambda port: ["nc", "-d", LOOPBACK, str(port)],
            "ncat": lambda port: ["ncat", "--recv-only", LOOPBACK, str(port)],
            "socat": lambda port: ["socat", "-u", f"TCP:{LOOPBACK}:{port}", "-"],
        }
        for direction, tools in (("upload", senders), ("download", receivers)):
            for tool, command in tools.items():
                if tool != "tcpkit" and not self.have[tool]:
                    continue
                rates = []
                for _ in range(self.runs):
                    rates.append(self.one_bulk(direction, command, size, count))
                self.record("bulk", f"{direction}/{tool}",
                            {"MiB_per_second": median(rates), "runs": rates,
                             "command": " ".join(command("PORT"))})
                self.log(f"bulk {direction} {tool}: {median(rates)} MiB/s")
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
        servers = {
            "tcpkit": lambda: Server([self.tcpkit, "echo-server", "--host", LOOPBACK, "--port", "0", "-q",
                                      "--max-conns", "100000"], ready_from_stderr=True),
            "tcpkit --threads 2": lambda: Server([self.tcpkit, "echo-server", "--host", LOOPBACK, "--port", "0",
                                                  "-q", "--threads", "2", "--max-conns", "100000"],
                                                 ready_from_stderr=True),
            "epoll limit": lambda: Server([self.epoll_echo, "0"], ready_from_stderr=True),
        }
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
        counts = [1, 10] if self.smoke else [1, 100, 1000]
        sizes = [64, 16384]
        duration = "0.3" if self.smoke else "3"
        for name, start in self.echo_servers().items():
            for count in counts:
                for size in sizes:
                    figures = []
                    failure = None
                    for _ in range(self.runs):
                        try:
                            with start() as server:
                                figures.append(run_json([self.loadgen, "echo", LOOPBACK, str(server.port),
                                                         "-c", str(count), "-s", str(size), "-d", duration],
                                                        timeout=120))
                        except Exception as error:  # a peer that cannot take the load
                            failure = str(error)[:200]
                            break
                    key = f"{name}/{count}x{size}"
                    if failure or not figures or any(f["errors"] for f in figures):
                        self.record("echo", key, {"failed": failure or "connection errors"})
                        self.log(f"echo {key}: failed ({failure})")
                        continue
                    self.record("echo", key, {
                        "messages_per_second": median([f["messages_per_second"] for f in figures]),
                        "p50_us": median([f["p50_us"] for f in figures]),
                        "p99_us": median([f["p99_us"] for f in figures]),
                        "loadgen_cpu_seconds": median([f["loadgen_cpu_seconds"] for f in figures]),
                        "seconds": float(duration)})
                    self.log(f"echo {key}: {median([f['messages_per_second'] for f in figures]):.0f}/s")

    # ---- 3. chat fan-out, 5. slow reader ----------------------------------------------------

    def chat_server(self, name, clients, default_queue=False):
        if name == "tcpkit":
            # No rate limit and no history, as ncat has neither; a queue large enough that a
            # flood never cuts off a client that reads, except where the default is the point.
            queue = [] if default_queue else ["--max-queue", str(64 << 20)]
            return Server([self.tcpkit, "chat-server", "--host", LOOPBACK, "--port", "0", "-q", "--rate", "0",
                           "--max-clients", "100000", "--history", "0"] + queue, ready_from_stderr=True)
        port = free_port()
        return Server(["ncat", "--chat", "-l", LOOPBACK, str(port), "-m", str(clients + 10)], port=port)

    def chat(self):
        counts = [20] if self.smoke else [100, 1000, 10000]
        lines = 10 if self.smoke else 100
        servers = ["tcpkit"] + (["ncat"] if self.have["ncat"] else [])
        # ncat answers every join with the list of everyone, so joining 1,000 takes it about
        # 90 s; the load generator's timeout covers joining as well as delivering.
        timeout = 5 if self.smoke else 300
        for name in servers:
            for count in counts:
                flood_failure = None
                for mode, rate in (("flood", 0), ("steady", 100 if self.smoke else 1000)):
                    key = f"{name}/{count}/{mode}"
                    if flood_failure:  # the same server and count: it would fail the same way
                        self.record("chat", key, {"failed": f"not run: {flood_failure}"})
                        continue
                    figures = []
                    failure = None
                    for _ in range(self.runs):
                        try:
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
                                figures.append(figure)
                        except Exception as error:
                            failure = str(error)[:200]
                            break
                    if failure or not figures:
                        self.record("chat", key, {"failed": failure})
                        self.log(f"chat {key}: failed ({failure})")
                        if mode == "flood":
                            flood_failure = failure
                        continue
                    summary = {field: median([f[field] for f in figures]) for field in
                               ("deliveries_per_second", "delivered_fraction", "delivery_seconds", "p50_us",
                                "p99_us", "join_seconds", "server_peak_rss_kib", "server_cpu_seconds",
                                "loadgen_cpu_seconds")}
                    self.record("chat", key, summary)
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
        for slow in (0, 1):
            figures = []
            for _ in range(self.runs):
                with self.chat_server("tcpkit", count + slow, default_queue=True) as server:
                    figure = run_json([self.loadgen, "chat", LOOPBACK, str(server.port), "-c", str(count + slow),
                                       "--senders", "10", "--lines", str(lines), "--rate", str(rate),
                                       "--padding", str(padding), "--slow-readers", str(slow),
                                       "--timeout", "60"], timeout=120)
                    figure["server_peak_rss_kib"] = server.peak_rss_kib()
                    figures.append(figure)
            self.record("slow_reader", f"slow_readers={slow}", {
                field: median([f[field] for f in figures]) for field in
                ("deliveries_per_second", "delivered_fraction", "delivery_seconds", "p50_us", "p99_us",
                 "server_peak_rss_kib")})

    # ---- 4. memory per idle client ----------------------------------------------------------

    def idle_memory(self):
        count = 200 if self.smoke else 10000
        with self.chat_server("tcpkit", count) as server:
            before = server.rss_kib()
            holder = subprocess.Popen([self.loadgen, "idle", LOOPBACK, str(server.port), "-c", str(count)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            line = holder.stdout.readline()  # the load generator gives up on its own after 120 s
            if not line:
                holder.wait(timeout=10)
                self.record("idle_memory", "tcpkit", {"failed": "the clients did not all join"})
                return
            ready = json.loads(line)
            after = server.rss_kib()
            holder.stdin.close()
            holder.wait(timeout=60)
        self.record("idle_memory", "tcpkit", {
            "clients": count, "rss_before_kib": before, "rss_after_kib": after,
            "bytes_per_client": round((after - before) * 1024 / count), "join_seconds": ready["join_seconds"]})

    # ---- 6. start-up ------------------------------------------------------------------------

    def startup(self):
        tools = {"tcpkit": [self.tcpkit, "--version"]}
        if self.have["nc"]:
            tools["nc"] = ["nc", "-h"]
        if self.have["ncat"]:
            tools["ncat"] = ["ncat", "--version"]
        repeats = 5 if self.smoke else 50
        for name, command in tools.items():
            times = []
            for _ in range(repeats):
                start = time.monotonic()
                subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
                times.append((time.monotonic() - start) * 1000)
            path = shutil.which(command[0]) or command[0]
            stripped = tempfile.NamedTemporaryFile(delete=False)
            stripped.close()
            shutil.copy(path, stripped.name)
            subprocess.run(["strip", stripped.name], stderr=subprocess.DEVNULL)
            size = os.path.getsize(stripped.name)
            os.unlink(stripped.name)
            self.record("startup", name, {"median_ms": round(median(times), 2), "stripped_bytes": size,
                                          "command": " ".join([os.path.basename(command[0])] + command[1:])})

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
        if only and os.path.exists(raw_path):
            # A partial run replaces its scenarios in the last full one and keeps the others.
            with open(raw_path) as raw:
                previous = json.load(raw)
            if previous.get("smoke") == self.smoke and previous.get("runs") == self.runs:
                previous["scenarios"].update(self.results["scenarios"])
                previous.setdefault("partial_reruns", []).append(
                    {"scenarios": sorted(self.results["scenarios"]), "date": self.results["machine"]["date"]})
                self.results = previous
        with open(raw_path, "w") as raw:
            json.dump(self.results, raw, indent=2)
        write_report(self.results, os.path.join(self.out, f"benchmarks{suffix}.md"), self.out, suffix)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cores": os.cpu_count(), "kernel": platform.release(), "cpu": model, "date": time.strftime("%Y-%m-%d")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build/bench")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--out", default="docs")
    parser.add_argument("--only", nargs="*", help="scenarios to run (bulk echo chat idle_memory slow_reader startup)")
    parser.add_argument("--report-from", metavar="JSON", help="only write the report again from raw figures")
    args = parser.parse_args()
    if args.report_from:
        with open(args.report_from) as raw:
            results = json.load(raw)
        suffix = "-smoke" if results["smoke"] else ""
        write_report(results, os.path.join(args.out, f"benchmarks{suffix}.md"), args.out, suffix)
        return 0
    runs = args.runs or (1 if args.smoke else 5)
    Bench(args.build, args.smoke, runs, args.out).run(args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
