"""Writes docs/benchmarks.md from the raw figures of bench/run_benchmarks.py: the tables, tcpkit's
ratio to each peer, a verdict for each target of the benchmark issue, the chart, and the findings
written by hand in bench/findings.md (profiles, fixes and what they bought, plans for misses).
"""
import itertools
import json
import math
import os
import shutil
import statistics
import subprocess

FINDINGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")
# The figures of bench/soak.py and bench/fuzz_servers.py (--record DIR), beside benchmarks.json.
HOSTILE_INPUT = "hostile-input.json"

# The tcpkit of the baseline build (run_benchmarks.py --baseline), measured beside this build's.
BEFORE = "tcpkit-before"

# What "Before and after" compares, per scenario: (field, label, higher is better, scale, decimals).
COMPARED = {
    "bulk": [("MiB_per_second", "MiB/s", True, 1, 0)],
    "echo": [("messages_per_second", "msg/s", True, 1, 0), ("p99_us", "p99 us", False, 1, 0)],
    "chat": [("deliveries_per_second", "deliveries/s", True, 1, 0), ("p99_us", "p99 ms", False, 1e-3, 1)],
    "idle_memory": [("bytes_per_client", "bytes per client", False, 1, 0)],
    "slow_reader": [("deliveries_per_second", "others' deliveries/s", True, 1, 0),
                    ("p99_us", "others' p99 ms", False, 1e-3, 1)],
    "overload": [("delivered_fraction", "delivered", True, 1, 4), ("p99_us", "p99 ms", False, 1e-3, 0)],
    "startup": [("median_ms", "start-up ms", False, 1, 2), ("stripped_bytes", "stripped bytes", False, 1, 0)],
    "tls_bulk": [("MiB_per_second", "MiB/s", True, 1, 0)],
    "tls_echo": [("messages_per_second", "msg/s", True, 1, 0), ("p99_us", "p99 us", False, 1, 0)],
    "tls_handshake": [("handshakes_per_second", "handshakes/s", True, 1, 0),
                      ("handshakes_per_core", "handshakes per CPU second", True, 1, 0)],
    "tls_flood": [("p99_us", "p99 us", False, 1, 0)],
    "listen_bulk": [("MiB_per_second", "MiB/s", True, 1, 0), ("listener_cpu_seconds", "listener CPU s", False, 1, 2)],
    "listen_exec_echo": [("messages_per_second", "msg/s", True, 1, 0), ("p99_us", "p99 us", False, 1, 0)],
    "line_flood": [("MiB_per_second", "MiB/s", True, 1, 0), ("client_cpu_seconds", "client CPU s", False, 1, 2),
                   ("latency_ms", "typed line ms", False, 1, 1)],
}
# The peers of the TLS scenarios, and what stands for "plain TCP" beside them.
TLS_PEERS = ("ncat", "socat", "openssl s_server")
PLAIN = "tcpkit plain"
# The peers of the listen scenarios (issue 11).
LISTEN_PEERS = ("nc", "ncat", "socat")
# What line mode (issue 12) is compared with: the usual workaround for a terminal client.
RLWRAP = "rlwrap nc"
# Figures that do not vary from run to run: any difference is a change.
EXACT = {"stripped_bytes"}
# "changed" needs both: runs that rank apart more than chance allows, and a difference that matters.
SIGNIFICANCE = 0.05
SMALLEST_CHANGE = 0.10


def before_key(scenario, key):
    """The key of the baseline's figure measured beside tcpkit's figure `key`, or None when `key`
    is not one of tcpkit's (a peer, the epoll limit, --threads 2)."""
    if scenario in ("bulk", "tls_bulk", "listen_bulk", "line_flood"):
        direction, _, name = key.partition("/")
        return f"{direction}/{BEFORE}" if name == "tcpkit" else None
    if scenario in ("echo", "chat", "tls_echo", "tls_handshake", "tls_flood", "listen_exec_echo"):
        name, _, shape = key.partition("/")
        return f"{BEFORE}/{shape}" if name == "tcpkit" else None
    if scenario in ("idle_memory", "startup", "overload"):
        return BEFORE if key == "tcpkit" else None
    if scenario == "slow_reader":
        return f"{BEFORE}/{key}" if key.startswith("slow_readers=") else None
    return None


def ratio(mine, theirs, higher_is_better=True):
    if not mine or not theirs:
        return "n/a"
    return f"{(mine / theirs) if higher_is_better else (theirs / mine):.2f}x"


def cpu(seconds):
    return "n/a" if seconds is None else f"{seconds:.2f}"


def verdict(met):
    return "met" if met else "**missed**"


def figure(scenario, key, field):
    value = scenario.get(key, {})
    return None if "failed" in value else value.get(field)


def targets(s):
    """Each target of the issue with the figures it is judged on: (scenario, target, figures, verdict)."""
    rows = []
    bulk = s.get("bulk", {})
    iperf = figure(bulk, "iperf3", "MiB_per_second")
    for direction in ("upload", "download"):
        mine = figure(bulk, f"{direction}/tcpkit", "MiB_per_second")
        peers = {k.split("/")[1]: v["MiB_per_second"] for k, v in bulk.items()
                 if k.startswith(direction + "/") and k.split("/")[1] not in ("tcpkit", BEFORE)
                 and v.get("MiB_per_second")}
        if mine and peers:
            best = max(peers, key=peers.get)
            rows.append(("bulk", f"{direction} >= 1.0x the fastest peer",
                         f"{mine:.0f} vs {best} {peers[best]:.0f} MiB/s ({mine / peers[best]:.2f}x)",
                         verdict(mine >= peers[best])))
        if mine and iperf:
            rows.append(("bulk", f"{direction} >= 0.8x iperf3",
                         f"{mine:.0f} vs {iperf:.0f} MiB/s ({mine / iperf:.2f}x)", verdict(mine >= 0.8 * iperf)))

    echo = s.get("echo", {})
    shapes = sorted({k.split("/")[1] for k in echo}, key=lambda shape: [int(x) for x in shape.split("x")])
    for shape in shapes:
        mine = figure(echo, f"tcpkit/{shape}", "messages_per_second")
        mine_p99 = figure(echo, f"tcpkit/{shape}", "p99_us")
        limit = figure(echo, f"epoll limit/{shape}", "messages_per_second")
        two = figure(echo, f"tcpkit --threads 2/{shape}", "messages_per_second")
        peers = {name: echo[f"{name}/{shape}"] for name in ("socat", "ncat")
                 if f"{name}/{shape}" in echo and "failed" not in echo[f"{name}/{shape}"]}
        if not mine:
            continue
        if peers:
            best = max(peers, key=lambda name: peers[name]["messages_per_second"])
            theirs = peers[best]["messages_per_second"]
            rows.append(("echo", f"{shape}: msg/s >= 1.0x the best peer",
                         f"{mine:.0f} vs {best} {theirs:.0f} ({mine / theirs:.2f}x)", verdict(mine >= theirs)))
            best_p99 = min(value["p99_us"] for value in peers.values())
            rows.append(("echo", f"{shape}: p99 no worse than the best peer",
                         f"{mine_p99:.0f} vs {best_p99:.0f} us", verdict(mine_p99 <= best_p99)))
        else:
            failed = [name for name in ("socat", "ncat") if f"{name}/{shape}" in echo]
            rows.append(("echo", f"{shape}: msg/s and p99 against the best peer",
                         f"no peer survived ({', '.join(failed) or 'none installed'} failed)", "met (no peer)"))
        if limit:
            rows.append(("echo", f"{shape}: >= 0.8x the epoll limit (one thread)",
                         f"{mine:.0f} vs {limit:.0f} ({mine / limit:.2f}x); --threads 2: "
                         f"{f'{two:.0f} ({two / limit:.2f}x)' if two else 'n/a'}", verdict(mine >= 0.8 * limit)))

    chat = s.get("chat", {})
    sizes = sorted({int(k.split("/")[1]) for k in chat if k.startswith("tcpkit/")})
    for clients in sizes:
        fractions = [figure(chat, f"tcpkit/{clients}/{mode}", "delivered_fraction") for mode in ("flood", "steady")]
        shown = ", ".join(f"{f * 100:.1f}%" if f is not None else "failed" for f in fractions)
        rows.append(("chat", f"{clients} clients: 100% delivered", shown,
                     verdict(all(f is not None and f >= 1.0 for f in fractions))))
    mine = chat.get("tcpkit/1000/flood", {})
    theirs = chat.get("ncat/1000/flood", {})
    if "failed" not in mine and "failed" not in theirs and mine and theirs:
        rows.append(("chat", "1,000 flood: deliveries/s >= 1.0x ncat",
                     f"{mine['deliveries_per_second']:.0f} vs {theirs['deliveries_per_second']:.0f} "
                     f"({mine['deliveries_per_second'] / theirs['deliveries_per_second']:.2f}x)",
                     verdict(mine["deliveries_per_second"] >= theirs["deliveries_per_second"])))
        rows.append(("chat", "1,000 flood: p99 <= half of ncat's",
                     f"{mine['p99_us'] / 1000:.1f} vs {theirs['p99_us'] / 1000:.1f} ms",
                     verdict(mine["p99_us"] <= 0.5 * theirs["p99_us"])))
    steady = figure(chat, "tcpkit/1000/steady", "p99_us")
    if steady is not None:
        rows.append(("chat", "1,000 steady (1,000 lines/s): p99 < 2 ms", f"{steady / 1000:.1f} ms",
                     verdict(steady < 2000)))
    for mode in ("steady", "flood"):
        big = chat.get(f"tcpkit/10000/{mode}", {})
        if big and "failed" not in big:
            rows.append(("chat", f"10,000 {mode}: joined in < 10 s, p99 < 250 ms",
                         f"joined in {big['join_seconds']:.2f} s, p99 {big['p99_us'] / 1000:.0f} ms",
                         verdict(big["join_seconds"] < 10 and big["p99_us"] < 250_000)))

    idle = s.get("idle_memory", {}).get("tcpkit", {})
    if "bytes_per_client" in idle:
        rows.append(("memory", "< 16 KiB per idle client", f"{idle['bytes_per_client']} bytes",
                     verdict(idle["bytes_per_client"] < 16 * 1024)))

    slow = s.get("slow_reader", {})
    alone, beside = slow.get("slow_readers=0"), slow.get("slow_readers=1")
    if alone and beside:
        rows.append(("slow reader", "the others' deliveries/s within 10%",
                     f"{beside['deliveries_per_second']:.0f} vs {alone['deliveries_per_second']:.0f}",
                     verdict(beside["deliveries_per_second"] >= 0.9 * alone["deliveries_per_second"])))
        rows.append(("slow reader", "the others' p99 within 10%",
                     f"{beside['p99_us'] / 1000:.1f} vs {alone['p99_us'] / 1000:.1f} ms",
                     verdict(beside["p99_us"] <= 1.1 * alone["p99_us"])))
        grown = beside["server_peak_rss_kib"] - alone["server_peak_rss_kib"]
        rows.append(("slow reader", "server memory bounded by --max-queue (1 MiB)",
                     f"peak RSS {grown:+d} KiB with the slow reader", verdict(grown <= 2048)))
    mine, theirs = s.get("overload", {}).get("tcpkit", {}), s.get("overload", {}).get("ncat", {})
    if mine and "failed" not in mine:
        rows.append(("overload", "every client pastes at once: 100% delivered, nobody cut off",
                     f"{mine['delivered_fraction'] * 100:.1f}%, {mine['cut_off']:.0f} cut off",
                     verdict(mine["delivered_fraction"] >= 1.0 and mine["cut_off"] == 0)))
        if theirs and "failed" not in theirs:
            rows.append(("overload", "p99 below ncat's",
                         f"{mine['p99_us'] / 1000:.0f} vs {theirs['p99_us'] / 1000:.0f} ms",
                         verdict(mine["p99_us"] < theirs["p99_us"])))
    return rows + tls_targets(s) + listen_targets(s) + cluster_targets(s)


def best_peer(figures, rest, field, direction_first=False):
    """(name, value) of the best TLS peer measured at `rest` ("100x64", "rsa"; bulk's keys put the
    direction first: "upload/ncat"), or None."""
    values = {name: figure(figures, f"{rest}/{name}" if direction_first else f"{name}/{rest}", field)
              for name in TLS_PEERS}
    values = {name: value for name, value in values.items() if value}
    if not values:
        return None
    name = max(values, key=values.get)
    return name, values[name]


def tls_targets(s):
    """Issue 10: >= 1.0x the best peer on each TLS scenario, and bulk TLS >= 0.5x plain TCP."""
    rows = []
    bulk = s.get("tls_bulk", {})
    for direction in ("upload", "download"):
        mine = figure(bulk, f"{direction}/tcpkit", "MiB_per_second")
        plain = figure(bulk, f"{direction}/{PLAIN}", "MiB_per_second")
        best = best_peer(bulk, direction, "MiB_per_second", direction_first=True)
        if f"{direction}/tcpkit" in bulk and not mine:
            rows.append(("tls bulk", f"{direction}", f"failed: {bulk[f'{direction}/tcpkit'].get('failed')}",
                         "**missed**"))
            continue
        if mine and best:
            rows.append(("tls bulk", f"{direction} >= 1.0x the fastest peer",
                         f"{mine:.0f} vs {best[0]} {best[1]:.0f} MiB/s ({mine / best[1]:.2f}x)",
                         verdict(mine >= best[1])))
        if mine and plain:
            rows.append(("tls bulk", f"{direction}: TLS >= 0.5x plain TCP (same run)",
                         f"{mine:.0f} vs {plain:.0f} MiB/s ({mine / plain:.2f}x)", verdict(mine >= 0.5 * plain)))
    echo = s.get("tls_echo", {})
    shapes = sorted({k.split("/")[1] for k in echo}, key=lambda shape: [int(x) for x in shape.split("x")])
    for shape in shapes:
        mine = figure(echo, f"tcpkit/{shape}", "messages_per_second")
        if not mine:
            continue
        best = best_peer(echo, shape, "messages_per_second")
        if best:
            rows.append(("tls echo", f"{shape}: msg/s >= 1.0x the best peer",
                         f"{mine:.0f} vs {best[0]} {best[1]:.0f} ({mine / best[1]:.2f}x)", verdict(mine >= best[1])))
        else:
            rows.append(("tls echo", f"{shape}: msg/s against the best peer", "no peer survived", "met (no peer)"))
    handshakes = s.get("tls_handshake", {})
    for kind in ("ecdsa", "rsa"):
        for field, label, unit in (("handshakes_per_second", "handshakes/s", "/s"),
                                   ("handshakes_per_core", "handshakes per CPU second", " per CPU s")):
            mine = figure(handshakes, f"tcpkit/{kind}", field)
            best = best_peer(handshakes, kind, field)
            if mine and best:
                rows.append(("tls handshakes", f"{kind.upper()}: {label} >= 1.0x the best peer",
                             f"{mine:.0f} vs {best[0]} {best[1]:.0f}{unit} ({mine / best[1]:.2f}x)",
                             verdict(mine >= best[1])))
    return rows


def best_listen_peer(figures, key_of, field, higher_is_better=True):
    """(name, value) of the best of nc, ncat and socat on `field`, key_of(name) their key, or None."""
    values = {name: figure(figures, key_of(name), field) for name in LISTEN_PEERS}
    values = {name: value for name, value in values.items() if value}
    if not values:
        return None
    name = (max if higher_is_better else min)(values, key=values.get)
    return name, values[name]


def listen_shapes(echo):
    return sorted({k.split("/")[1] for k in echo}, key=lambda shape: [int(x) for x in shape.split("x")])


def listen_targets(s):
    """Issue 11: bulk through `listen` each way and the --exec echo >= 1.0x the best peer."""
    rows = []
    bulk = s.get("listen_bulk", {})
    for direction in ("receives", "sends"):
        key = f"{direction}/tcpkit"
        mine = figure(bulk, key, "MiB_per_second")
        if key in bulk and not mine:
            rows.append(("listen bulk", f"the listener {direction}", f"failed: {bulk[key].get('failed')}",
                         "**missed**"))
            continue
        best = best_listen_peer(bulk, lambda name, direction=direction: f"{direction}/{name}", "MiB_per_second")
        if mine and best:
            rows.append(("listen bulk", f"the listener {direction}: >= 1.0x the fastest peer",
                         f"{mine:.0f} vs {best[0]} {best[1]:.0f} MiB/s ({mine / best[1]:.2f}x)",
                         verdict(mine >= best[1])))
    echo = s.get("listen_exec_echo", {})
    for shape in listen_shapes(echo):
        key = f"tcpkit/{shape}"
        mine = figure(echo, key, "messages_per_second")
        mine_p99 = figure(echo, key, "p99_us")
        if key in echo and not mine:
            rows.append(("listen --exec echo", shape, f"failed: {echo[key].get('failed')}", "**missed**"))
            continue
        if not mine:
            continue
        best = best_listen_peer(echo, lambda name, shape=shape: f"{name}/{shape}", "messages_per_second")
        best_p99 = best_listen_peer(echo, lambda name, shape=shape: f"{name}/{shape}", "p99_us", False)
        if not best:
            rows.append(("listen --exec echo", f"{shape}: msg/s against the best peer", "no peer survived",
                         "met (no peer)"))
            continue
        rows.append(("listen --exec echo", f"{shape}: msg/s >= 1.0x the best peer",
                     f"{mine:.0f} vs {best[0]} {best[1]:.0f} ({mine / best[1]:.2f}x)", verdict(mine >= best[1])))
        rows.append(("listen --exec echo", f"{shape}: p99 no worse than the best peer",
                     f"{mine_p99:.0f} vs {best_p99[0]} {best_p99[1]:.0f} us", verdict(mine_p99 <= best_p99[1])))
    return rows


def rank_test_p(before, after):
    """Two-sided p of the Mann-Whitney rank test: how often, if both builds performed alike, runs
    would rank as far apart as these. Exact (every way of splitting the pooled runs in two) while
    there are few; the normal approximation beyond."""
    pooled = sorted(before + after)
    rank = {}
    for position, value in enumerate(pooled, start=1):  # tied values share their mean rank
        first, count = rank.get(value, (position, 0))
        rank[value] = (first, count + 1)
    rank = {value: first + (count - 1) / 2 for value, (first, count) in rank.items()}
    n, m, total = len(before), len(after), len(pooled)
    mean = m * (total + 1) / 2
    distance = abs(sum(rank[value] for value in after) - mean)
    if math.comb(total, m) <= 50_000:
        ranks = [rank[value] for value in pooled]
        extreme = sum(1 for split in itertools.combinations(ranks, m) if abs(sum(split) - mean) >= distance - 1e-9)
        return extreme / math.comb(total, m)
    ties = sum(count ** 3 - count for count in (pooled.count(value) for value in rank))
    variance = n * m / 12 * ((total + 1) - ties / (total * (total - 1)))
    if variance <= 0:
        return 1.0
    return math.erfc(max(0.0, distance - 0.5) / math.sqrt(variance) / math.sqrt(2))


def runs_of(value, field):
    """The figure of each run (for start-up: of each start), or the one figure older results kept."""
    runs = value.get("per_run", {}).get(field)
    if runs is None and field == "MiB_per_second":
        runs = value.get("runs")
    if runs is None:
        runs = [value.get(field)]
    return [run for run in runs if run is not None]


def before_after_verdict(field, before, after, higher_is_better):
    """(p shown, verdict) for one figure measured before and after, from the runs of each."""
    mid_before, mid_after = statistics.median(before), statistics.median(after)
    change = mid_after / mid_before - 1 if mid_before else 0.0
    direction = "better" if (change > 0) == higher_is_better else "worse"
    if field in EXACT:
        return "", "within 10%" if abs(change) <= SMALLEST_CHANGE else f"**changed: {direction}**"
    # With no ties, the most extreme split has p = 2 / C(n + m, m): 0.10 for 3 runs each.
    if 2 / math.comb(len(before) + len(after), len(after)) >= SIGNIFICANCE:
        return "", f"not judged: {min(len(before), len(after))} run(s) each, 4 needed"
    p = rank_test_p(before, after)
    shown = "<0.01" if p < 0.01 else f"{p:.2f}"
    if p < SIGNIFICANCE and abs(change) > SMALLEST_CHANGE:
        return shown, f"**changed: {direction}**"
    return shown, "within noise"


def measurement(scenario, key, value):
    """What a figure of tcpkit's measures, in words: its direction, shape or client count."""
    if scenario in ("bulk", "tls_bulk"):
        return key.split("/")[0] + (" (TLS)" if scenario == "tls_bulk" else "")
    if scenario == "listen_bulk":
        return f"the listener {key.split('/')[0]}"
    if scenario == "listen_exec_echo":
        connections, size = key.split("/")[1].split("x")
        return f"{connections} connection(s) x {size} bytes through --exec cat"
    if scenario == "line_flood":
        return "text lines to a terminal (line mode)" if key.startswith("flood/") else "a line typed during the flood"
    if scenario == "tls_handshake":
        return f"full handshakes, {key.split('/')[1].upper()}"
    if scenario == "tls_flood":
        return f"TLS round trips, {key.split('/')[1]}"
    if scenario in ("echo", "tls_echo"):
        connections, size = key.split("/")[1].split("x")
        return f"{connections} connection(s) x {size} bytes" + (" (TLS)" if scenario == "tls_echo" else "")
    if scenario == "chat":
        _, clients, mode = key.split("/")
        return f"{clients} clients, {mode}"
    if scenario == "slow_reader":
        return f"{key.split('=')[1]} slow reader(s)"
    if scenario == "idle_memory":
        return f"{value.get('clients', '?')} idle clients"
    return "tcpkit --version"


def before_after_rows(s):
    rows = []
    for scenario, fields in COMPARED.items():
        figures = s.get(scenario, {})
        for key, after in figures.items():
            paired = before_key(scenario, key)
            if not paired or paired not in figures:
                continue
            before = figures[paired]
            what = measurement(scenario, key, after)
            if "failed" in before or "failed" in after:
                failed = " and ".join(side for side, value in (("before", before), ("after", after))
                                      if "failed" in value)
                rows.append((scenario, what, "", before.get("failed", ""), after.get("failed", ""), "", "",
                             f"failed {failed}"))
                continue
            for field, label, higher_is_better, scale, decimals in fields:
                runs_before, runs_after = runs_of(before, field), runs_of(after, field)
                if not runs_before or not runs_after:
                    continue

                def shown(runs):
                    mid = f"{statistics.median(runs) * scale:,.{decimals}f}"
                    if len(runs) == 1:
                        return mid
                    return f"{mid} ({min(runs) * scale:,.{decimals}f}-{max(runs) * scale:,.{decimals}f})"

                mid_before = statistics.median(runs_before)
                change = f"{statistics.median(runs_after) / mid_before:.2f}" if mid_before else "n/a"
                p, result = before_after_verdict(field, runs_before, runs_after, higher_is_better)
                rows.append((scenario, what, f"{label} ({'higher' if higher_is_better else 'lower'} is better)",
                             shown(runs_before), shown(runs_after), change, p, result))
    return rows


def before_after_section(results):
    rows = before_after_rows(results["scenarios"])
    if not rows:
        return []
    info = results.get("before_after", {})

    def build(side):
        value = info.get(side, {})
        where = f"`{value.get('source') or value.get('build', '?')}`"
        return f"{where} at {value['commit']}" if value.get("commit") else where

    lines = ["## Before and after", "",
             f"`{BEFORE}` is the tcpkit of {build('before')}, `tcpkit` that of {build('after')}"
             + (f", both {info['after']['build_type']} builds" if info.get("after", {}).get("build_type") else "")
             + f"; measured {info.get('date', '?')}, {info.get('runs', '?')} run(s) each, in turns (before, after, "
             "before, after...) with the same load generator, so that the machine's noise falls on both alike. "
             "Each figure is the median, with the lowest and highest run in brackets; after/before above 1.00 "
             "means more of the figure.", "",
             "A figure has **changed** when its after runs rank apart from its before runs more than chance "
             f"allows (two-sided Mann-Whitney rank test, p < {SIGNIFICANCE}; with 5 runs each: at most 2 of the "
             "25 before-after pairs of runs the other way round) and the medians differ by more than "
             f"{SMALLEST_CHANGE:.0%}; otherwise it is **within noise**. This VM's figures vary by about ±30% from "
             "one run to the next (see the findings), so no fixed ratio would tell a change from noise: the "
             "test weighs the difference against the runs' own spread in this very run. The 10% floor keeps "
             "a real but small difference from counting as a cost. Fewer than 4 runs each can never reach "
             "p < 0.05, so such figures are not judged (smoke runs). With some 25 figures, about one may come "
             "out at p < 0.05 by chance: a lone, narrow \"changed\" deserves running its scenario again "
             "(`--only`).", "",
             "| scenario | measurement | figure | before | after | after/before | p | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def write_report(results, path, out_dir, suffix):
    s = results["scenarios"]
    m = results["machine"]
    lines = ["# tcpkit benchmarks", "",
             f"Generated by `bench/run_benchmarks.py` ({'smoke run: tiny sizes, not a measurement' if results['smoke'] else 'make bench'}), "
             f"{results['runs']} run(s) per figure, medians. Machine: {m['cores']} cores, {m['cpu']}, "
             f"Linux {m['kernel']}, {m['date']}. Loopback only. Ratios are tcpkit's advantage: above 1.00x "
             "tcpkit is better (faster, or lower latency).", ""]

    for rerun in results.get("partial_reruns", []):
        settings = "; ".join(rerun["settings"]) if "settings" in rerun else "same settings"
        lines += [f"Scenarios run again after a change, {rerun['date']}, {settings}: "
                  f"{', '.join(rerun['scenarios'])}.", ""]

    rows = targets(s)
    if rows:
        lines += ["## Targets", "", "Judged automatically from the figures below.", "",
                  "| scenario | target | figures | verdict |", "|---|---|---|---|"]
        lines += [f"| {scenario} | {target} | {figures} | {result} |" for scenario, target, figures, result in rows]
        lines.append("")

    lines += before_after_section(results)

    if "bulk" in s:
        lines += ["## 1. Bulk transfer through `connect`", "",
                  "| direction | tool | MiB/s | tcpkit ratio |", "|---|---|---|---|"]
        for direction in ("upload", "download"):
            mine = s["bulk"].get(f"{direction}/tcpkit", {}).get("MiB_per_second")
            for key, value in s["bulk"].items():
                if key.startswith(direction + "/"):
                    lines.append(f"| {direction} | {key.split('/')[1]} | {value['MiB_per_second']} | "
                                 f"{ratio(mine, value['MiB_per_second'])} |")
        if "iperf3" in s["bulk"]:
            iperf = s["bulk"]["iperf3"]["MiB_per_second"]
            lines += [f"| limit | iperf3 (single stream) | {iperf:.1f} | "
                      f"{ratio(s['bulk'].get('upload/tcpkit', {}).get('MiB_per_second'), iperf)} (upload) |"]
        lines += ["", "Commands: " + "; ".join(f"`{v['command']}`" for v in s["bulk"].values() if "command" in v), ""]

    if "echo" in s:
        lines += ["## 2. Echo", "", "Each connection keeps one message in flight (`tcpkit-loadgen echo`).", "",
                  "| server | connections x bytes | messages/s | p50 us | p99 us | tcpkit msg/s ratio | loadgen CPU s |",
                  "|---|---|---|---|---|---|---|"]
        for key, value in s["echo"].items():
            server, shape = key.split("/")
            mine = s["echo"].get(f"tcpkit/{shape}", {}).get("messages_per_second")
            if "failed" in value:
                lines.append(f"| {server} | {shape} | failed: {value['failed']} | | | | |")
                continue
            lines.append(f"| {server} | {shape} | {value['messages_per_second']:.0f} | {value['p50_us']:.0f} | "
                         f"{value['p99_us']:.0f} | {ratio(mine, value['messages_per_second'])} | "
                         f"{value['loadgen_cpu_seconds']:.2f} |")
        lines.append("")

    if "chat" in s:
        lines += ["## 3. Chat fan-out", "",
                  "10 senders send lines (flood: as fast as they can; steady: a fixed total rate); every other "
                  "client must receive every line.", "",
                  "Latency is counted from when a line was due (the start of a flood, its slot in the steady "
                  "schedule) to when the load generator read it. CPU seconds cover the whole run, joining "
                  "included.", "",
                  "| server | clients | mode | deliveries/s | delivered | all delivered s | p50 ms | p99 ms | "
                  "join s | server peak RSS KiB | server CPU s | loadgen CPU s |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for key, value in s["chat"].items():
            server, clients, mode = key.split("/")
            if "failed" in value:
                lines.append(f"| {server} | {clients} | {mode} | failed: {value['failed']} | | | | | | | | |")
                continue
            lines.append(f"| {server} | {clients} | {mode} | {value['deliveries_per_second']:.0f} | "
                         f"{value['delivered_fraction'] * 100:.1f}% | {value['delivery_seconds']:.3f} | "
                         f"{value['p50_us'] / 1000:.1f} | {value['p99_us'] / 1000:.1f} | "
                         f"{value['join_seconds']:.2f} | {value['server_peak_rss_kib']} | "
                         f"{cpu(value.get('server_cpu_seconds'))} | {value['loadgen_cpu_seconds']:.2f} |")
        lines.append("")
        chart = write_chart(s["chat"], out_dir, suffix)
        if chart:
            lines += [f"![chat delivery latency against clients]({os.path.basename(chart)})", ""]

    if "idle_memory" in s:
        lines += ["## 4. Memory per idle client", ""]
        for name, v in s["idle_memory"].items():
            server = "" if name == "tcpkit" else f"{name}: "
            if "failed" in v:
                lines += [f"{server}Failed: {v['failed']}.", ""]
            else:
                lines += [f"{server}{v['clients']} connected, named, idle clients: server RSS {v['rss_before_kib']} "
                          f"KiB before, {v['rss_after_kib']} KiB after: **{v['bytes_per_client']} bytes per client** "
                          f"(joined in {v['join_seconds']:.2f} s).", ""]

    if "slow_reader" in s:
        lines += ["## 5. Slow reader", "",
                  "200 clients; 10 of them send 1,000 lines of about 630 bytes each, 2,000 lines a second in "
                  "total; then the same with one more client that never reads through a 64 KiB window (6.3 MB "
                  "sent its way), under the default `--max-queue` (1 MiB).", "",
                  "| slow readers | deliveries/s | delivered | all delivered s | p50 ms | p99 ms | server peak RSS KiB |",
                  "|---|---|---|---|---|---|---|"]
        for key, value in s["slow_reader"].items():
            server = f" ({BEFORE})" if key.startswith(BEFORE + "/") else ""
            lines.append(f"| {key.split('=')[1]}{server} | {value['deliveries_per_second']:.0f} | "
                         f"{value['delivered_fraction'] * 100:.1f}% | {value['delivery_seconds']:.3f} | "
                         f"{value['p50_us'] / 1000:.1f} | {value['p99_us'] / 1000:.1f} | "
                         f"{value['server_peak_rss_kib']} |")
        lines.append("")

    if "overload" in s:
        lines += ["### 5.1 Overload", "",
                  "Every client pastes 100 lines at once (1,000 clients: about 100 million deliveries due), "
                  "under the default `--max-queue` (1 MiB): the room is over capacity as a whole, not one reader "
                  "slow. Cut off: clients whose connection the server closed. Latency from the paste. Medians "
                  "of the runs.", "",
                  "| server | clients | delivered | cut off | all delivered s | p50 ms | p99 ms | "
                  "server peak RSS KiB | server CPU s |", "|---|---|---|---|---|---|---|---|---|"]
        for key, value in s["overload"].items():
            if "failed" in value:
                lines.append(f"| {key} | | failed: {value['failed']} | | | | | | |")
                continue
            lines.append(f"| {key} | {value['clients']} | {value['delivered_fraction'] * 100:.1f}% | "
                         f"{value['cut_off']:.0f} | {value['delivery_seconds']:.1f} | {value['p50_us'] / 1000:.0f} | "
                         f"{value['p99_us'] / 1000:.0f} | {value['server_peak_rss_kib']:.0f} | "
                         f"{cpu(value['server_cpu_seconds'])} |")
        lines.append("")

    if "startup" in s:
        lines += ["## 6. Start-up and size", "", "| tool | command | median ms | stripped bytes |", "|---|---|---|---|"]
        for key, value in s["startup"].items():
            lines.append(f"| {key} | `{value['command']}` | {value['median_ms']} | {value['stripped_bytes']} |")
        lines.append("")

    lines += tls_sections(s)
    lines += listen_sections(s)
    lines += line_sections(s)
    lines += cluster_sections(s)
    lines += hostile_input_sections(out_dir)

    if not results["smoke"] and os.path.exists(FINDINGS):
        with open(FINDINGS) as findings:
            lines += [findings.read()]

    with open(path, "w") as report:
        report.write("\n".join(lines))


def hostile_input_sections(out_dir):
    """The soak and the outside fuzzing (issue 14): not scenarios of run_benchmarks.py but runs of
    bench/soak.py and bench/fuzz_servers.py --record DIR, kept in DIR/hostile-input.json beside
    benchmarks.json, so that writing the report again from either keeps both."""
    path = os.path.join(out_dir, HOSTILE_INPUT)
    if not os.path.exists(path):
        return []
    with open(path) as raw:
        results = json.load(raw)
    return soak_section(results.get("soak")) + fuzz_servers_section(results.get("fuzz_servers"))


def kib(value):
    return "n/a" if value is None else f"{value:,}"


def verdict_of(passed, failures):
    return "passed" if passed else "**failed**: " + "; ".join(failures)


def soak_section(r):
    if not r:
        return []
    c = r["client"]
    m = r["machine"]
    slope = r["rss_slope_kib_per_minute"]
    lines = ["## 11. Soak under churn (issue 14)", "",
             f"`make soak` (`bench/soak.py --seconds {r['seconds']:.0f} --clients {r['clients']} --seed {r['seed']}`), "
             f"{m['date']}, {m['cores']} cores ({m['cpu']}), shared with other work. One `chat-server` (Release); "
             f"{c['clients']:,} clients in the room at any time: {c['stayers']:,} join first and stay the whole run "
             f"({c['slow_stayers']} of them read through an 8 KiB window and stop reading for 2 to 8 s every 10 to "
             "40 s), the others churn: each stays 10 to 90 s and leaves by `/quit`, by a half-close read to the "
             "server's end, or by a reset, and a new one joins in its place. Every client sends a numbered line every "
             f"{r['interval_seconds']:.1f} s (a random phase each): {c['clients'] / r['interval_seconds']:,.0f} lines a second "
             f"in the room, each to every member, about {c['clients'] ** 2 / r['interval_seconds']:,.0f} deliveries a "
             "second (`--rate`, sized for this shared machine; `--interval 5` is a line every 5 s per client). The checks (tcpkit-soak-client): every stayer "
             "receives every line of every other stayer and of every churner that left gracefully, in order, exactly "
             "once; of a churner that reset, every stayer receives the same first lines; a churner hears each sender "
             "without gaps or repeats from the first line it sees; the server cuts off no one. RSS is sampled every second; "
             f"its least-squares slope from the end of the warm-up ({r['warmup_seconds']:.0f} s) to the end of the "
             f"talking must stay under {r['rss_slope_limit_kib_per_minute']} KiB/min. Server CPU is its user + system "
             "time while the room talked, over the lines delivered.", "",
             "| figure | value |", "|---|---|",
             f"| run | {r['seconds']:.0f} s of talking, {c['seconds']:.0f} s in all (joining and draining "
             "included) |",
             f"| churner joins | {c['churner_joins']:,} (joins refused: {c['join_failures']}) |",
             f"| leaves | {c['leaves_quit']:,} `/quit`, {c['leaves_half_close']:,} half-close, "
             f"{c['leaves_reset']:,} reset |",
             f"| slow readers' pauses | {c['slow_pauses']:,} |",
             f"| lines sent | {c['lines_sent']:,} |",
             f"| lines delivered (and checked) | {c['deliveries']:,} |",
             f"| lost / duplicated or out of order / disagreements | {c['lost']} / {c['duplicated']} / "
             f"{c['disagreements']} |",
             f"| cut off by the server: stayers, churners | {c['stayers_disconnected']}, "
             f"{c.get('churners_disconnected', 'not counted in this run')} |",
             f"| server RSS KiB: start, after warm-up, peak, end of talking, after | {kib(r['rss_start_kib'])}, "
             f"{kib(r['rss_after_warmup_kib'])}, {kib(r['rss_peak_kib'])}, {kib(r['rss_end_of_talk_kib'])}, "
             f"{kib(r['rss_after_kib'])} |",
             f"| RSS slope after warm-up | {'n/a' if slope is None else f'{slope:+.1f}'} KiB/min "
             f"(limit {r['rss_slope_limit_kib_per_minute']}) |",
             f"| server descriptors before / after | {r['fds_start']} / {r['fds_after']} |",
             f"| server CPU while talking | {cpu(r['server_cpu_seconds'])} s, "
             f"{r['server_cpu_us_per_delivery'] or 0:.2f} us per delivered line |",
             f"| load generator CPU | {c['client_cpu_seconds']:.1f} s |",
             f"| verdict | {verdict_of(r['passed'], r['failures'])} |", ""]
    series = r.get("rss_series") or []
    if series:
        lines += ["RSS (KiB) through the run, seconds since the stayers joined: " +
                  ", ".join(f"{t} s {v:,}" for t, v in series[::max(1, len(series) // 12)]) + ".", ""]
    return lines


def fuzz_servers_section(r):
    if not r:
        return []
    m = r["machine"]
    lines = ["## 12. Fuzzing the servers from outside (issue 14)", "",
             f"`make fuzz-servers` (`bench/fuzz_servers.py --seconds {r['seconds']:.0f} --seed {r['seed']}`), "
             f"{m['date']}, {m['cores']} cores ({m['cpu']}). For each server, tcpkit-fuzz-client keeps "
             f"{r['connections']} connections busy: valid chat sessions (echo: bytes whose echo is checked), mutated "
             "commands, broken UTF-8, C0/C1 controls and escape sequences, lines above `--max-line` (some never "
             "ended), bytes trickled one at a time, never reading; each connection ends by a close, a reset "
             "(SO_LINGER 0) or a half-close, or is cut at a random point of its life. A warm-up (seed SEED) comes "
             "first; the baseline RSS is taken after it, the run uses SEED+1. Afterwards: the server is running, "
             "a fresh client gets correct answers (chat: one says a line, another receives exactly it; echo: 64 KiB "
             "come back unchanged), its descriptors are back to the start count within 10 s, its RSS is at most "
             "max(8 MiB, 20%) above the baseline, and SIGTERM ends it with status 0.", "",
             "| server | connections | MB sent | MB received | resets | half-closes | ended by the server | "
             "cut short | RSS KiB start, baseline, peak, after (limit) | descriptors before / after | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for f in r["servers"]:
        failures = [x for x in r["failures"] if x.startswith(f["server"] + ":")]
        lines.append(f"| {f['server']} | {f['connections']:,} ({f['connect_failures']} refused) | "
                     f"{f['bytes_sent'] / 1e6:,.1f} | {f['bytes_received'] / 1e6:,.1f} | {f['resets_sent']:,} | "
                     f"{f['half_closes']:,} | {f['closed_by_server']:,} | {f['cut_short']:,} | "
                     f"{kib(f['rss_start_kib'])}, {kib(f['rss_baseline_kib'])}, {kib(f['rss_peak_kib'])}, "
                     f"{kib(f['rss_after_kib'])} ({kib(f['rss_limit_kib'])}) | {f['fds_start']} / {f['fds_after']} | "
                     f"{verdict_of(f['passed'], failures)} |")
    lines.append("")
    for f in r["servers"]:
        kinds = ", ".join(f"{name.replace('_', ' ')} {count:,}" for name, count in f["behaviours"].items())
        extra = (f"; {f['echo_checked_bytes'] / 1e6:,.1f} MB of echo checked, {f['echo_mismatches']} wrong"
                 if f["server"] == "echo-server" else "")
        lines.append(f"{f['server']}, connections by behaviour: {kinds}{extra}.")
        lines.append("")
    others = [x for x in r["failures"] if not any(x.startswith(f["server"] + ":") for f in r["servers"])]
    if others:
        lines += ["Failures: " + "; ".join(others), ""]
    return lines


def failed_row(value, columns):
    return f" failed: {value['failed']} |" + " |" * (columns - 1)


def tls_sections(s):
    lines = []
    if not any(name in s for name in ("tls_bulk", "tls_echo", "tls_handshake", "tls_flood")):
        return lines
    negotiated = sorted({f"{v['protocol']} {v['cipher']}" for v in s.get("tls_handshake", {}).values()
                         if v.get("protocol")})
    lines += ["## 7. TLS", "",
              "OpenSSL's defaults on every side (negotiated in the handshake runs: "
              f"{', '.join(negotiated) or 'not recorded'}), no certificate verification on the client side "
              "(`--insecure`, `verify=0`; OpenSSL still checks the handshake's signature), no session "
              "resumption anywhere. tcpkit's servers use their ephemeral ECDSA P-256 certificate; "
              "the peers and the load generator's TLS sink and source an ECDSA P-256 certificate made with "
              "`openssl req` at the start of the run (RSA 2048 for the RSA handshakes, given to tcpkit with "
              f"`--cert`/`--key` too). `{PLAIN}` is tcpkit without TLS, measured in the same turns.", ""]
    if "tls_bulk" in s:
        bulk = s["tls_bulk"]
        lines += ["### 7.1 Bulk transfer through `connect --tls`", "",
                  "The load generator's sink (upload: the client's stdin to the server) and source (download: "
                  "the server to the client's stdout) serve TLS to every client alike.", "",
                  "| direction | tool | MiB/s | tcpkit ratio | against plain tcpkit |", "|---|---|---|---|---|"]
        for direction in ("upload", "download"):
            mine = figure(bulk, f"{direction}/tcpkit", "MiB_per_second")
            plain = figure(bulk, f"{direction}/{PLAIN}", "MiB_per_second")
            for key, value in bulk.items():
                if not key.startswith(direction + "/"):
                    continue
                name = key.split("/", 1)[1]
                if "failed" in value:
                    lines.append(f"| {direction} | {name} |" + failed_row(value, 3))
                    continue
                rate = value["MiB_per_second"]
                shown_ratio = ratio(mine, rate) if name != PLAIN else ""
                against_plain = ratio(rate, plain) if name != PLAIN else ""
                lines.append(f"| {direction} | {name} | {rate} | {shown_ratio} | {against_plain} |")
        lines += ["", "Commands: " + "; ".join(f"`{v['command']}`" for v in bulk.values() if "command" in v), ""]
    if "tls_echo" in s:
        echo = s["tls_echo"]
        lines += ["### 7.2 TLS echo", "", "Each connection keeps one message in flight (`tcpkit-loadgen echo --tls`); "
                  "the handshakes are done before the measurement starts.", "",
                  "| server | connections x bytes | messages/s | p50 us | p99 us | tcpkit msg/s ratio | "
                  "loadgen CPU s |", "|---|---|---|---|---|---|---|"]
        for key, value in echo.items():
            server, shape = key.split("/")
            if "failed" in value:
                lines.append(f"| {server} | {shape} |" + failed_row(value, 5))
                continue
            mine = figure(echo, f"tcpkit/{shape}", "messages_per_second")
            lines.append(f"| {server} | {shape} | {value['messages_per_second']:.0f} | {value['p50_us']:.0f} | "
                         f"{value['p99_us']:.0f} | {ratio(mine, value['messages_per_second'])} | "
                         f"{value['loadgen_cpu_seconds']:.2f} |")
        lines.append("")
    if "tls_handshake" in s:
        handshakes = s["tls_handshake"]
        connectors = next((v["connectors"] for v in handshakes.values() if "connectors" in v), "?")
        lines += ["### 7.3 Full handshakes", "",
                  f"{connectors} connectors at once, each in a loop: connect, full handshake, close_notify, wait for "
                  "the server to close (`tcpkit-loadgen handshake`). Per CPU second: every handshake of the run "
                  "divided by the server's own CPU time (user + system, /proc/PID/stat), i.e. handshakes per "
                  "second of one core fully used; it holds even where the load generator, not the server, "
                  "was the limit (its CPU seconds near the run's length: on OpenSSL 3.0 a client handshake "
                  "costs about as much as a server one).", "",
                  "| server | certificate | handshakes/s | per CPU second | server CPU s | p50 ms | p99 ms | "
                  "loadgen CPU s | tcpkit ratio (/s, per CPU s) |", "|---|---|---|---|---|---|---|---|---|"]
        for key, value in handshakes.items():
            server, kind = key.split("/")
            if "failed" in value:
                lines.append(f"| {server} | {kind.upper()} |" + failed_row(value, 7))
                continue
            mine = handshakes.get(f"tcpkit/{kind}", {})
            lines.append(f"| {server} | {kind.upper()} | {value['handshakes_per_second']:.0f} | "
                         f"{value['handshakes_per_core'] or 0:.0f} | {cpu(value['server_cpu_seconds'])} | "
                         f"{value['p50_us'] / 1000:.1f} | {value['p99_us'] / 1000:.1f} | "
                         f"{value['loadgen_cpu_seconds']:.2f} | "
                         f"{ratio(mine.get('handshakes_per_second'), value['handshakes_per_second'])}, "
                         f"{ratio(mine.get('handshakes_per_core'), value['handshakes_per_core'])} |")
        lines.append("")
    if "tls_flood" in s:
        flood = s["tls_flood"]
        shape = next((v for v in flood.values() if v.get("half_open")), {})
        lines += ["### 7.4 Handshake flood", "",
                  "One established TLS echo client (64 bytes, one in flight): its round trips with no flood "
                  f"(quiet), then while {shape.get('half_open', '?')} half-open connections (TCP connected, no "
                  f"ClientHello; replaced when the server closes one) and {shape.get('connectors', '?')} "
                  "full-handshake connectors hit the same server from a load generator of their own.", "",
                  "| server | mode | round trips/s | p50 us | p99 us | p99 against quiet | flood handshakes/s | "
                  "half-open closed by the server |", "|---|---|---|---|---|---|---|---|"]
        for key, value in flood.items():
            server, mode = key.split("/")
            if "failed" in value:
                lines.append(f"| {server} | {mode} |" + failed_row(value, 6))
                continue
            quiet = figure(flood, f"{server}/quiet", "p99_us")
            against = f"{value['p99_us'] / quiet:.2f}x" if quiet and mode == "flood" else ""
            handshakes = value.get("flood_handshakes_per_second")
            closed = value.get("half_open_closed")
            lines.append(f"| {server} | {mode} | {value['messages_per_second']:.0f} | {value['p50_us']:.0f} | "
                         f"{value['p99_us']:.0f} | {against} | {'' if handshakes is None else f'{handshakes:.0f}'} | "
                         f"{'' if closed is None else f'{closed:.0f}'} |")
        lines.append("")
    return lines


def listen_sections(s):
    lines = []
    if "listen_bulk" not in s and "listen_exec_echo" not in s:
        return lines
    lines += ["## 8. Listen (issue 11)", ""]
    if "listen_bulk" in s:
        bulk = s["listen_bulk"]
        size = next((v["bytes"] for v in bulk.values() if "bytes" in v), None)
        shown_size = f"{size / (1 << 30):g} GiB" if size and size >= 1 << 30 else f"{(size or 0) >> 20} MiB"
        lines += ["### 8.1 Bulk transfer through a listener", "",
                  f"{shown_size} through one connection to a listener on 127.0.0.1. The listener receives: its "
                  "stdout to /dev/null, `tcpkit-loadgen send` the client (it half-closes when it has sent "
                  "everything). The listener sends: its stdin from `dd if=/dev/zero bs=1M` (as bulk feeds "
                  "`connect`), `tcpkit-loadgen receive` the client (it closes only once it has everything). A run "
                  "lasts from the client's start until the client is done and the listener has exited; the bytes "
                  "the listener wrote (receives) or the client got (sends) are checked. Listener CPU: user + "
                  "system seconds of the whole run (wait4).", "",
                  "| direction | listener | MiB/s | listener CPU s | tcpkit ratio (MiB/s) |", "|---|---|---|---|---|"]
        for direction in ("receives", "sends"):
            mine = figure(bulk, f"{direction}/tcpkit", "MiB_per_second")
            for key, value in bulk.items():
                if not key.startswith(direction + "/"):
                    continue
                name = key.split("/", 1)[1]
                if "failed" in value:
                    lines.append(f"| {direction} | {name} |" + failed_row(value, 3))
                    continue
                lines.append(f"| {direction} | {name} | {value['MiB_per_second']:.0f} | "
                             f"{cpu(value.get('listener_cpu_seconds'))} | {ratio(mine, value['MiB_per_second'])} |")
        lines += ["", "Commands: " + "; ".join(f"`{v['command']}`" for v in bulk.values() if "command" in v), ""]
    if "listen_exec_echo" in s:
        echo = s["listen_exec_echo"]
        lines += ["### 8.2 Echo through a program per connection", "",
                  "`tcpkit listen -k -q --exec cat` against `ncat -l -k --exec /bin/cat` and `socat "
                  "TCP-LISTEN:PORT,fork,backlog=1024 EXEC:cat`: each connection has its own cat and keeps one "
                  "message in flight (`tcpkit-loadgen echo`, after a warm-up that covers starting the cats). "
                  "socat's backlog is raised from its default of 5, with which it leaves dozens of 100 "
                  "connections made at once unanswered; ncat has no such option and leaves some unanswered too.", "",
                  "| server | connections x bytes | messages/s | p50 us | p99 us | tcpkit ratio (msg/s, p99) | "
                  "loadgen CPU s |", "|---|---|---|---|---|---|---|"]
        for key, value in echo.items():
            server, shape = key.split("/")
            if "failed" in value:
                lines.append(f"| {server} | {shape} |" + failed_row(value, 5))
                continue
            mine = echo.get(f"tcpkit/{shape}", {})
            rate_ratio = ratio(mine.get("messages_per_second"), value["messages_per_second"])
            p99_ratio = ratio(mine.get("p99_us"), value["p99_us"], higher_is_better=False)
            lines.append(f"| {server} | {shape} | {value['messages_per_second']:.0f} | {value['p50_us']:.0f} | "
                         f"{value['p99_us']:.0f} | {rate_ratio}, {p99_ratio} | {value['loadgen_cpu_seconds']:.2f} |")
        lines.append("")
    return lines


def line_sections(s):
    if "line_flood" not in s:
        return []
    figures = s["line_flood"]
    size = next((v["bytes"] for v in figures.values() if "bytes" in v), None)
    shown_size = f"{(size or 0) / (1 << 20):.0f} MiB"
    lines = ["## 9. Line mode (issue 12)", "",
             f"{shown_size} of 80-byte text lines (a third ASCII, a third CJK, a third both; none wider than 80 "
             "columns) from a peer on 127.0.0.1 to a client whose standard input, output and error are a "
             "pseudo-terminal the runner makes (80x24, the client's controlling terminal, its input open and idle "
             "all along); the runner reads the terminal's other side as fast as it can and only counts what it "
             "reads. No terminal emulator draws anything: this is what each client costs, not what a screen "
             "costs. `tcpkit connect` is in line mode because it is on a terminal; `--raw` is the byte relay on "
             "the same terminal. A run lasts from the client's start until the last line has reached the "
             "terminal and, for tcpkit, until it has exited by itself when the peer closed (status 0); nc does "
             "not exit while its input is open, nor rlwrap while nc runs, so theirs end at the last line (the "
             "runner then hangs the terminal up). Every run checks that every line reached the terminal. "
             "Client CPU: user + system seconds of the whole run (wait4; rlwrap's include nc's). The ratios are "
             f"against `{RLWRAP}`, the usual workaround: above 1.00x, the row is faster or uses less CPU.", "",
             "### 9.1 A flood of lines", "",
             "| client | command | MiB/s | seconds | client CPU s | bytes on the terminal | "
             f"against {RLWRAP} (MiB/s, CPU) |", "|---|---|---|---|---|---|---|"]
    theirs = figures.get(f"flood/{RLWRAP}", {})
    for key, value in figures.items():
        kind, _, name = key.partition("/")
        if kind != "flood":
            continue
        command = f"`{value['command']}`" if value.get("command") else ""
        if "failed" in value:
            lines.append(f"| {name} | {command} |" + failed_row(value, 5))
            continue
        against = (f"{ratio(value['MiB_per_second'], theirs.get('MiB_per_second'))}, "
                   f"{ratio(value['client_cpu_seconds'], theirs.get('client_cpu_seconds'), higher_is_better=False)}"
                   if name != RLWRAP else "")
        lines.append(f"| {name} | {command} | {value['MiB_per_second']:.1f} | {value['seconds']:.2f} | "
                     f"{cpu(value['client_cpu_seconds'])} | {value['terminal_bytes']:,} | {against} |")
    lines += ["", "### 9.2 A line typed during the flood", "",
              "The same flood; when half of it has reached the terminal, `typed line` and Enter (`\\r`) are "
              "written to the terminal, and the peer must receive exactly `typed line\\n` (it waits for it before "
              "closing). Latency: from that write until the peer has the line. Still to show: the part of the "
              "flood not yet on the terminal when the line reached the peer (0: it went out only once the flood "
              "had been shown).", "",
              f"| client | latency ms | flood still to show MiB | against {RLWRAP} (latency) |", "|---|---|---|---|"]
    theirs = figures.get(f"typed/{RLWRAP}", {})
    for key, value in figures.items():
        kind, _, name = key.partition("/")
        if kind != "typed":
            continue
        if "failed" in value:
            lines.append(f"| {name} |" + failed_row(value, 3))
            continue
        left = value.get("flood_left_MiB")
        against = ratio(value["latency_ms"], theirs.get("latency_ms"), higher_is_better=False) if name != RLWRAP else ""
        lines.append(f"| {name} | {value['latency_ms']:.1f} | {'n/a' if left is None else f'{left:.2f}'} | "
                     f"{against} |")
    return lines + [""]


# The contenders of the cluster scenarios (issue 13): the same room on one plain chat-server, on
# one node of a cluster, over two nodes.
ONE_NODE = "1 node"
CLUSTER_CONTENDERS = (ONE_NODE, "1 node --cluster", "2 nodes")


def cluster_figures(s, scenario):
    """{clients: {contender: figures}} of a cluster chat scenario, skipped and failed rows included."""
    shapes = {}
    for key, value in s.get(scenario, {}).items():
        if key == "skipped":
            continue
        name, _, clients = key.rpartition("/")
        shapes.setdefault(int(clients), {})[name] = value
    return shapes


def cluster_targets(s):
    rows = []
    for scenario, mode in (("cluster_flood", "flood"), ("cluster_steady", "steady")):
        for clients, by_name in sorted(cluster_figures(s, scenario).items()):
            two = by_name.get("2 nodes", {})
            if not two:
                continue
            if "failed" in two:
                rows.append(("cluster", f"{clients:,} {mode} over 2 nodes: 100% delivered", "failed", verdict(False)))
                continue
            worst = two.get("worst_delivered_fraction", two["delivered_fraction"])
            rows.append(("cluster", f"{clients:,} {mode} over 2 nodes: 100% delivered (Redis healthy)",
                         f"{two['delivered_fraction'] * 100:.1f}% (worst run {worst * 100:.1f}%)",
                         verdict(worst >= 1.0)))
            one = by_name.get(ONE_NODE, {})
            if mode == "steady" and one and "failed" not in one:
                difference = (two["p99_us"] - one["p99_us"]) / 1000
                rows.append(("cluster", f"{clients:,} steady: p99 over 2 nodes within +5 ms of 1 node",
                             f"{two['p99_us'] / 1000:.1f} vs {one['p99_us'] / 1000:.1f} ms ({difference:+.1f} ms)",
                             verdict(difference <= 5)))
    for key, value in s.get("cluster_failover", {}).items():
        if key == "skipped":
            continue
        if "failed" in value:
            rows.append(("cluster", "a killed node's members announced as left within 15 s", "failed",
                         verdict(False)))
            continue
        if value["cluster_timeout"].startswith("10s"):
            rows.append(("cluster", "a killed node's members announced as left within 15 s (default timeout)",
                         f"{value['failover_seconds']:.2f} s (worst run {value['worst_failover_seconds']:.2f} s)",
                         verdict(value["worst_failover_seconds"] <= 15)))
        if value.get("told_twice"):
            rows.append(("cluster", "each leave announced once", f"{value['told_twice']} client(s) told more",
                         verdict(False)))
    return rows


def ms(microseconds):
    return "n/a" if not microseconds else f"{microseconds / 1000:.1f}"


def cluster_sections(s):
    if not any(scenario in s for scenario in ("cluster_flood", "cluster_steady", "cluster_failover")):
        return []
    shown = [v for scenario in ("cluster_flood", "cluster_steady") for v in s.get(scenario, {}).values() if "lines" in v]
    lines = next((v["lines"] for v in shown), 100)
    rate = next((v["rate"] for v in shown if v.get("rate")), 1000)
    lines = ["## 10. Cluster (issue 13)", "",
             "One room in three shapes, run by run: one plain `chat-server` (no Redis), one node of a cluster "
             "(`chat-server --cluster redis://127.0.0.1:PORT --room bench`: every line goes through Redis and "
             "back), and two nodes of a cluster with the clients spread over them in turn (half the senders on "
             "each, so half of what each client receives comes from the other node through Redis). Each run "
             "starts its own `redis-server --save '' --appendonly no` on a free loopback port; Redis, the nodes "
             f"and the load generator share the machine's cores. 10 senders send {lines} lines each, as in section 3 "
             f"(flood: at once; steady: {rate:,} lines a second in total); latency is counted the same way. With two "
             "nodes, the same-node and across-nodes columns split it by where the sender was; \"delivered\" is "
             "the median run's, the worst run's per node beside it. Ratios are against 1 node: above 1.00x the "
             "row is faster (deliveries/s) or lower (p99).", ""]
    for scenario, title in (("cluster_flood", "10.1 Flood"), ("cluster_steady", "10.2 Steady")):
        if scenario not in s:
            continue
        lines += [f"### {title}", ""]
        skipped = s[scenario].get("skipped")
        if skipped:
            lines += [f"Skipped in the last run: {skipped['skipped']}.", ""]
        shapes = cluster_figures(s, scenario)
        if not shapes:
            continue
        lines += ["| room | clients | deliveries/s | delivered | worst run, per node | p50 ms | p99 ms | "
                  "same-node p99 ms | across-nodes p99 ms | join s | nodes' CPU s | Redis CPU s | loadgen CPU s | "
                  "against 1 node (deliveries/s, p99) |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for clients, by_name in sorted(shapes.items()):
            one = by_name.get(ONE_NODE, {})
            for name in sorted(by_name, key=lambda n: CLUSTER_CONTENDERS.index(n) if n in CLUSTER_CONTENDERS else 9):
                value = by_name[name]
                if "failed" in value:
                    lines.append(f"| {name} | {clients:,} |" + failed_row(value, 12))
                    continue
                per_node = value.get("worst_delivered_fraction_per_node")
                worst = (" / ".join(f"{f * 100:.1f}%" for f in per_node) if per_node
                         else f"{value.get('worst_delivered_fraction', value['delivered_fraction']) * 100:.1f}%")
                against = "" if name == ONE_NODE or "failed" in one or not one else (
                    f"{ratio(value['deliveries_per_second'], one.get('deliveries_per_second'))}, "
                    f"{ratio(value['p99_us'], one.get('p99_us'), higher_is_better=False)}")
                redis_cpu = value.get("redis_cpu_seconds")
                lines.append(f"| {name} | {clients:,} | {value['deliveries_per_second']:.0f} | "
                             f"{value['delivered_fraction'] * 100:.1f}% | {worst} | {ms(value['p50_us'])} | "
                             f"{ms(value['p99_us'])} | {ms(value.get('same_node_p99_us'))} | "
                             f"{ms(value.get('across_nodes_p99_us'))} | {value['join_seconds']:.2f} | "
                             f"{cpu(value.get('server_cpu_seconds'))} | {cpu(redis_cpu)} | "
                             f"{value['loadgen_cpu_seconds']:.2f} | {against} |")
        lines.append("")
    if "cluster_failover" in s:
        lines += ["### 10.3 A node killed", "",
                  "Two nodes, half the clients on each; once all have joined, one node is killed with SIGKILL. "
                  "Its clients' connections end at once; the figure is the time from the kill until every client "
                  "of the other node has seen the leave of each of the dead node's members (one line each, or "
                  "grouped as `* K left: a, b, ... +N`, by the receiving node's announcement budget). The dead "
                  "node is noticed once Redis has had no heartbeat from it for `--cluster-timeout`, so the figure "
                  "is that timeout plus the time to notice it and announce. First leave: when a client first saw "
                  "a leave; first told: when the first client had seen them all.", ""]
        skipped = s["cluster_failover"].get("skipped")
        if skipped:
            lines += [f"Skipped in the last run: {skipped['skipped']}.", ""]
        rows = [(key, value) for key, value in s["cluster_failover"].items() if key != "skipped"]
        if rows:
            lines += ["| nodes / clients | members per node | --cluster-timeout | first leave s | first told s | "
                      "all told s (median) | worst run s | beyond the timeout s | most leave lines per client | "
                      "told more than once |", "|---|---|---|---|---|---|---|---|---|---|"]
            for key, value in rows:
                if "failed" in value:
                    lines.append(f"| {key} |" + failed_row(value, 9))
                    continue
                seconds = float(value["cluster_timeout"].split("s")[0])
                timeout = value["cluster_timeout"] + (f", logged as {value['logged_timeout']}"
                                                      if value.get("logged_timeout") else "")
                lines.append(f"| {key} | {value['clients_per_node']} | {timeout} | "
                             f"{value['first_leave_seconds']:.2f} | {value['first_told_seconds']:.2f} | "
                             f"{value['failover_seconds']:.2f} | {value['worst_failover_seconds']:.2f} | "
                             f"{value['failover_seconds'] - seconds:+.2f} | {value['most_leave_lines']:.0f} | "
                             f"{value['told_twice']} |")
            lines.append("")
    return lines


def write_chart(chat, out_dir, suffix):
    """p50/p99 delivery latency against client count, flood mode, one line per server."""
    if not shutil.which("gnuplot"):
        return None
    data_path = os.path.join(out_dir, f"chat-latency{suffix}.dat")
    chart_path = os.path.join(out_dir, f"chat-latency{suffix}.svg")
    series = {}
    for key, value in chat.items():
        server, clients, mode = key.split("/")
        if mode == "flood" and "failed" not in value:
            series.setdefault(server, []).append((int(clients), value["p50_us"] / 1000, value["p99_us"] / 1000))
    if not series:
        return None
    with open(data_path, "w") as data:
        for server, points in series.items():
            data.write(f"# {server}\n")
            for point in sorted(points):
                data.write(f"{point[0]} {point[1]} {point[2]}\n")
            data.write("\n\n")
    plots = []
    for index, server in enumerate(series):
        plots.append(f"'{data_path}' index {index} using 1:2 with linespoints title '{server} p50'")
        plots.append(f"'{data_path}' index {index} using 1:3 with linespoints title '{server} p99'")
    script = (f"set terminal svg size 720,420; set output '{chart_path}'; set logscale xy; "
              "set xlabel 'clients'; set ylabel 'delivery latency (ms)'; set key left top; "
              f"set title 'Chat fan-out, 10 senders flooding'; plot {', '.join(plots)}")
    subprocess.run(["gnuplot", "-e", script], check=False, timeout=60)
    os.unlink(data_path)
    return chart_path if os.path.exists(chart_path) else None
