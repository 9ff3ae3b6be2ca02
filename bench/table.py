#!/usr/bin/env python3
"""Prints the results of docs/benchmarks.json as Markdown tables (for docs/benchmarks.md): every rate is the median of
the runs with their min-max beside it. Closed-loop rows first; then the open-loop latency rows (e2e.latency.*, one per
offered rate) with p50 / p99 / p99.9 per contender. Reads older files without "spread" or "offered" too (the min-max then
comes from the run rates)."""
import json
import sys

rows = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks.json"))
ROLES = ("ours", "raw", "wolverine", "massTransit")
LABELS = {"ours": "ours", "raw": "raw", "wolverine": "Wolverine", "massTransit": "MassTransit"}


def n(v):
    return "–" if v is None else f"{v:,.0f}"


def d(v):
    return "–" if v is None else f"{v:.2f}"


def key(role, figure):
    """JSON key of a contender's figure: ours' are unprefixed (p99Ms), the others' prefixed (rawP99Ms)."""
    return figure if role == "ours" else role + figure[0].upper() + figure[1:]


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


def percentile(r, role, figure, with_spread=True):
    value = r.get(key(role, figure))
    s = (spread(r, role) or {}).get(figure)
    return d(value) if not with_spread or not s or s["min"] == s["max"] else f'{d(value)} ({d(s["min"])}–{d(s["max"])})'


def latency(r, role):
    if r.get(key(role, "p50Ms")) is None:
        return "–"
    return f'{d(r.get(key(role, "p50Ms")))} / {percentile(r, role, "p99Ms")}'


def peer(r):
    return next((role for role in ("wolverine", "massTransit") if r.get(role) is not None), None)


def target(r):
    text = ""
    if r.get("target"):
        text = ("met" if r.get("targetMet") else "**missed**") + ": " + r["target"]
    if r.get("errors"):
        text = "error: " + "; ".join(r["errors"])[:200]
    return text


closed = [r for r in rows if not r.get("offered")]
offered = [r for r in rows if r.get("offered")]

if closed:
    print("| scenario | ours msg/s (min–max) | raw msg/s (min–max) | ours/raw | MassTransit msg/s (min–max) | Wolverine msg/s (min–max) | ours/Wolverine "
          "| ours p50 ms | ours p99 ms (min–max) | raw p50 / p99 ms | peer p50 / p99 ms | ours B/msg | raw B/msg | peer B/msg | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for r in closed:
    extra = r.get("extra") or {}
    name = r["scenario"] + (f' (max {n(extra["maxRate"])}/s)' if "maxRate" in extra else "")
    p = peer(r)
    peer_latency = "–" if p is None or r.get(key(p, "p50Ms")) is None else ("Wv " if p == "wolverine" else "MT ") + latency(r, p)
    print(f'| {name} | {rate(r, "ours")} | {rate(r, "raw")} | {d(r.get("ratio"))} | {rate(r, "massTransit")} | {rate(r, "wolverine")} | '
          f'{d(r.get("oursVsWolverine"))} | {d(r.get("p50Ms"))} | {percentile(r, "ours", "p99Ms")} | {latency(r, "raw")} | {peer_latency} | '
          f'{n(r.get("allocBytesPerMsg"))} | {n(r.get("rawAllocBytesPerMsg"))} | {n(r.get(key(p, "allocBytesPerMsg")) if p else None)} | {target(r)} |')

if offered:
    roles = [role for role in ROLES if any(r.get(role) is not None for r in offered)]
    if closed:
        print()
    print("Open loop (offered rate; p50 / p99 / p99.9 ms from the placing transaction's return to the handler's row, median of the runs "
          "with the p99's min–max; achieved msgs/s):")
    print()
    print("| scenario | offered/s | " + " | ".join(f"{LABELS[role]} p50 / p99 / p99.9 ms" for role in roles) + " | "
          + " | ".join(f"{LABELS[role]} msg/s" for role in roles) + " | target |")
    print("|---|---:|" + "---:|" * (2 * len(roles)) + "---|")
    for r in offered:
        cells = []
        for role in roles:
            cells.append("–" if r.get(key(role, "p50Ms")) is None else
                         f'{d(r.get(key(role, "p50Ms")))} / {percentile(r, role, "p99Ms")} / {percentile(r, role, "p999Ms", False)}')
        o = r["offered"]
        label = n(o["perSecond"]) + (" (derived)" if o.get("basis") else "")
        print(f'| {r["scenario"]} | {label} | ' + " | ".join(cells) + " | " + " | ".join(rate(r, role) for role in roles) + f" | {target(r)} |")
    print()
    for r in offered:
        if r["offered"].get("basis"):
            print(f'- {r["scenario"]}, {n(r["offered"]["perSecond"])}/s: {r["offered"]["basis"]}')
