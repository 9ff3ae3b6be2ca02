#!/usr/bin/env python3
"""Prints the results of docs/benchmarks.json as a Markdown table (for docs/benchmarks.md): every rate is the median of
the runs with their min-max beside it. Reads older files without a "spread" too (the min-max then comes from the run rates)."""
import json
import sys

rows = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks.json"))


def n(v):
    return "–" if v is None else f"{v:,.0f}"


def d(v):
    return "–" if v is None else f"{v:.2f}"


def spread(r, role):
    s = (r.get("spread") or {}).get(role)
    if s:
        return s
    rates = r.get(f"{role}RunRates")
    return {"min": min(rates), "max": max(rates)} if rates else None


def rate(r, role):
    median = r.get(role)
    if median is None:
        return "–"
    s = spread(r, role)
    return n(median) if not s or s["min"] == s["max"] else f'{n(median)} ({n(s["min"])}–{n(s["max"])})'


def p99(r, role="ours"):
    s = (spread(r, role) or {}).get("p99Ms")
    key = "p99Ms" if role == "ours" else f"{role}P99Ms"
    return d(r.get(key)) if not s or s["min"] == s["max"] else f'{d(r.get(key))} ({d(s["min"])}–{d(s["max"])})'


def peer_latency(r):
    for role in ("raw", "wolverine", "massTransit"):
        if r.get(f"{role}P50Ms") is not None:
            label = {"wolverine": "Wv ", "massTransit": "MT ", "raw": ""}[role]
            return f'{label}{d(r.get(role + "P50Ms"))} / {p99(r, role)}'
    return "–"


print("| scenario | ours msg/s (min–max) | raw msg/s (min–max) | ours/raw | MassTransit msg/s (min–max) | Wolverine msg/s (min–max) | ours/Wolverine "
      "| ours p50 ms | ours p99 ms (min–max) | raw (or peer) p50 / p99 ms | ours B/msg | raw (or peer) B/msg | target |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    target = ""
    if r.get("target"):
        target = ("met" if r.get("targetMet") else "**missed**") + ": " + r["target"]
    if r.get("errors"):
        target = "error: " + "; ".join(r["errors"])[:200]
    extra = r.get("extra") or {}
    name = r["scenario"] + (f' (max {n(extra["maxRate"])}/s)' if "maxRate" in extra else "")
    peer_alloc = r.get("rawAllocBytesPerMsg") or r.get("wolverineAllocBytesPerMsg") or r.get("massTransitAllocBytesPerMsg")
    print(f'| {name} | {rate(r, "ours")} | {rate(r, "raw")} | {d(r.get("ratio"))} | {rate(r, "massTransit")} | {rate(r, "wolverine")} | '
          f'{d(r.get("oursVsWolverine"))} | {d(r.get("p50Ms"))} | {p99(r)} | {peer_latency(r)} | {n(r.get("allocBytesPerMsg"))} | {n(peer_alloc)} | {target} |')
