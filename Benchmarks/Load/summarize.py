#!/usr/bin/env python3
"""Turns the --report-json files of Benchmarks/Load/rehearse.sh into a Markdown table.

usage: Benchmarks/Load/summarize.py REPORT.json ...

One row per compare invocation: holds answered per second and p99 of each target, the ratio
atpd / Redis, the CPU seconds each process used in the measured window (from atp-load's
--cpu-pid figures), and the server CPU per answered hold and per request, which does not depend
on how the cores were shared.
"""
import json
import statistics
import sys


def server_cpu(run):
    name = "redis-server" if run["target"].startswith("redis://") else "atpd"
    for entry in run.get("cpuSeconds", []):
        if entry["process"] == name:
            return entry["user"] + entry["system"]
    return None


def client_cpu(run):
    for entry in run.get("cpuSeconds", []):
        if entry["pid"] is None:
            return entry["user"] + entry["system"]
    return None


def ms(us):
    return f"{us / 1000:.2f} ms"


rows = []
for path in sys.argv[1:]:
    with open(path) as f:
        report = json.load(f)
    a, b = report["runs"][0], report["runs"][1]
    cells = [a["scenario"], path.rsplit("/", 1)[-1].removesuffix(".json")]
    for run in (a, b):
        cells.append(f"{run['holdsPerSecond']:,.0f}")
    cells.append(f"{a['holdsPerSecond'] / b['holdsPerSecond']:.2f}×" if b["holdsPerSecond"] else "—")
    for run in (a, b):
        cells.append(ms(run["latencyMicroseconds"]["p99"]))
    for run in (a, b):
        client, server = client_cpu(run), server_cpu(run)
        cells.append(f"{client:.2f} / {server:.2f}" if client is not None and server is not None else "—")
    for run in (a, b):
        server = server_cpu(run)
        holds = run["holdsPerSecond"] * run["durationSeconds"]
        cells.append(f"{server * 1e6 / holds:.1f} / {server * 1e6 / run['requests']:.1f}" if server and holds else "—")
    rows.append(cells)

print("| scenario | run | atpd holds/s | Redis holds/s | ratio | atpd p99 | Redis p99 "
      "| CPU-s atpd run (client / atpd) | CPU-s Redis run (client / redis) "
      "| atpd CPU-µs per hold / per request | Redis CPU-µs per hold / per request |")
print("|" + "---|" * 11)
for cells in rows:
    print("| " + " | ".join(cells) + " |")
