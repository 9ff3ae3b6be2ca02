#!/usr/bin/env python3
"""Prints the results of docs/benchmarks.json as a Markdown table (for docs/benchmarks.md)."""
import json
import sys

rows = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks.json"))


def n(v):
    return "–" if v is None else f"{v:,.0f}"


def d(v):
    return "–" if v is None else f"{v:.2f}"


print("| scenario | ours msg/s | raw msg/s | ours/raw | MassTransit msg/s | ours p50 ms | ours p99 ms | raw p50 / p99 ms | ours B/msg | raw B/msg | target |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    target = ""
    if r.get("target"):
        target = ("met" if r.get("targetMet") else "**missed**") + ": " + r["target"]
    if r.get("errors"):
        target = "error: " + "; ".join(r["errors"])[:200]
    raw_lat = "–" if r.get("rawP50Ms") is None else f'{d(r.get("rawP50Ms"))} / {d(r.get("rawP99Ms"))}'
    extra = r.get("extra") or {}
    name = r["scenario"] + (f' (max {n(extra["maxRate"])}/s)' if "maxRate" in extra else "")
    print(f'| {name} | {n(r.get("ours"))} | {n(r.get("raw"))} | {d(r.get("ratio"))} | {n(r.get("massTransit"))} | '
          f'{d(r.get("p50Ms"))} | {d(r.get("p99Ms"))} | {raw_lat} | {n(r.get("allocBytesPerMsg"))} | {n(r.get("rawAllocBytesPerMsg"))} | {target} |')
