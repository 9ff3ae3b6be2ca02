#!/usr/bin/env python3
"""Draws docs/benchmarks.png from docs/benchmarks.json. Top: ours/raw, ours/MassTransit and ours/Wolverine per scenario
(medians; whiskers from the runs' min-max: ours' lowest over the other's highest, and the reverse), with the issue's target
tick on the bar it judges. Middle: the rows judged by absolute rates (e2e.orders ours vs raw vs Wolverine with p99, outbox
drains) with their min-max. Bottom (when the file has them): the open-loop latency rows (e2e.latency.*), p99 per offered
rate and contender with the p99.9 as a tick. Needs python3-matplotlib (apt-get install -y python3-matplotlib)."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Patch

source = sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks.json"
target_png = sys.argv[2] if len(sys.argv) > 2 else "docs/benchmarks.png"
rows = json.load(open(source))
# The minimum ratio per scenario prefix, for the bar of the contender it is judged against.
ratio_targets = {"raw": {"rabbitmq.publish.window": 0.8, "rabbitmq.consume": 0.85, "kafka.produce": 0.8, "kafka.consume": 0.85,
                         "outbox.transaction": 0.85, "inbox": 0.5, "e2e.orders": 0.7},
                 "wolverine": {"e2e.orders": 2.0}}
rate_targets = {"outbox.drain.postgres.rabbitmq.1000keys": 25000, "outbox.drain.postgres.rabbitmq": 15000}


def spread(r, role):
    s = (r.get("spread") or {}).get(role)
    if s:
        return s["min"], s["max"]
    rates = r.get(f"{role}RunRates")
    return (min(rates), max(rates)) if rates else None


def ratio(r, other):
    if r.get("ours") is None or not r.get(other):
        return None
    value = r["ours"] / r[other]
    a, b = spread(r, "ours"), spread(r, other)
    whisker = (value - a[0] / b[1], a[1] / b[0] - value) if a and b else (0, 0)
    return value, whisker


def target_for(name, table):
    return next((v for k, v in sorted(table.items(), key=lambda kv: -len(kv[0])) if name.startswith(k)), None)


series = [("raw", "ours / raw (green: target met, red: missed, grey: no target)"),
          ("massTransit", "ours / MassTransit 8.5"), ("wolverine", "ours / Wolverine 6.62")]
# Rows at an offered rate (e2e.latency) are judged by latency: the rates there are the schedule's, not a maximum.
closed = [r for r in rows if not r.get("offered")]
offered = [r for r in rows if r.get("offered") and r.get("p99Ms") is not None]
ratio_rows = [r for r in closed if any(ratio(r, other) for other, _ in series)]
abs_rows = [r for r in closed if r["scenario"].startswith("e2e.orders") or target_for(r["scenario"], rate_targets)]
abs_rows = [r for r in abs_rows if r.get("ours") is not None]
contender_colors = {"ours": "#2e7d32", "raw": "#9e9e9e", "wolverine": "#6a1b9a"}

heights = [max(1, len(ratio_rows)), max(1, len(abs_rows)) + 1] + ([len(offered) + 1] if offered else [])
fig, axes = plt.subplots(len(heights), 1, figsize=(11, 0.5 * len(ratio_rows) + 0.45 * len(abs_rows) + 0.6 * len(offered) + 4),
                         gridspec_kw={"height_ratios": heights})
top, bottom = axes[0], axes[1]
height = 0.27
for i, r in enumerate(ratio_rows):
    for j, (other, _) in enumerate(series):
        value = ratio(r, other)
        if not value:
            continue
        y = i + (j - 1) * height
        t = target_for(r["scenario"], ratio_targets.get(other, {}))
        if other == "raw":
            color = "#9e9e9e" if t is None else ("#2e7d32" if value[0] >= t else "#c62828")
        else:
            color = {"massTransit": "#1565c0", "wolverine": "#6a1b9a"}[other]
        top.barh(y, value[0], height=height * 0.95, color=color, xerr=[[value[1][0]], [value[1][1]]], ecolor="#333", capsize=2)
        top.text(value[0] + value[1][1] + 0.02, y, f"{value[0]:.2f}", va="center", fontsize=7)
        if t is not None:
            top.plot([t, t], [y - height / 2, y + height / 2], color="black", linewidth=1.2)
top.axvline(1.0, color="#555", linestyle=":", linewidth=1)
top.set_yticks(range(len(ratio_rows)))
top.set_yticklabels([r["scenario"] for r in ratio_rows], fontsize=8)
top.invert_yaxis()
top.set_xlabel("throughput ratio (1.0 = as fast; whiskers = runs' min-max; black tick = the issue's target)")
top.set_title("Messaging vs raw clients, MassTransit and Wolverine\n(median msgs/s of the runs; same run, same broker)", fontsize=10)
top.legend(handles=[Patch(color=c, label=label) for (_, label), c in zip(series, ["#2e7d32", "#1565c0", "#6a1b9a"])],
           loc="lower right", fontsize=8)

labels = []
for i, r in enumerate(abs_rows):
    sides = [(role, contender_colors[role]) for role in ("ours", "raw", "wolverine") if role == "ours" or (r.get(role) and r["scenario"].startswith("e2e."))]
    bar = 0.8 / len(sides)
    for j, (role, color) in enumerate(sides):
        y = i + (j - (len(sides) - 1) / 2) * bar
        s = spread(r, role) or (r[role], r[role])
        bottom.barh(y, r[role], height=bar * 0.95, color=color, xerr=[[r[role] - s[0]], [s[1] - r[role]]], ecolor="#333", capsize=2)
        p99 = r.get("p99Ms") if role == "ours" else r.get(f"{role}P99Ms")
        text = f"{role} {r[role]:,.0f}/s" + (f", p99 {p99:,.0f} ms" if p99 is not None else "")
        bottom.text(s[1] * 1.02 + 1, y, text, va="center", fontsize=7)
    t = target_for(r["scenario"], rate_targets)
    if t is not None:
        bottom.plot([t, t], [i - 0.45, i + 0.45], color="black", linewidth=1.2)
    labels.append(r["scenario"])
bottom.set_yticks(range(len(abs_rows)))
bottom.set_yticklabels(labels, fontsize=8)
bottom.invert_yaxis()
bottom.set_xlabel("msgs/s (median of the runs; whiskers = min-max; black tick = the issue's rate target)")
bottom.set_title("The main job end to end (ours vs raw vs Wolverine) and the outbox drain", fontsize=10)

if offered:
    latency = axes[2]
    for i, r in enumerate(offered):
        sides = [role for role in ("ours", "raw", "wolverine") if r.get("p99Ms" if role == "ours" else f"{role}P99Ms") is not None]
        bar = 0.8 / len(sides)
        for j, role in enumerate(sides):
            prefix = "" if role == "ours" else role
            p99 = r.get(f"{prefix}P99Ms" if prefix else "p99Ms")
            p999 = r.get(f"{prefix}P999Ms" if prefix else "p999Ms")
            y = i + (j - (len(sides) - 1) / 2) * bar
            latency.barh(y, p99, height=bar * 0.95, color=contender_colors[role])
            if p999 is not None:
                latency.plot([p999, p999], [y - bar / 2, y + bar / 2], color="black", linewidth=1)
            latency.text(max(p99, p999 or 0) * 1.05, y, f"{role} p99 {p99:,.0f} ms", va="center", fontsize=7)
    latency.set_xscale("log")
    latency.set_yticks(range(len(offered)))
    latency.set_yticklabels([f'{r["scenario"]} @ {r["offered"]["perSecond"]:,.0f}/s' for r in offered], fontsize=8)
    latency.invert_yaxis()
    latency.set_xlabel("p99 ms, commit to handled (log scale; median of the runs; black tick = p99.9)")
    latency.set_title("Open loop: latency at offered rates (target: ours p99 <= Wolverine's at every rate)", fontsize=10)
fig.tight_layout()
fig.savefig(target_png, dpi=110)
print("wrote", target_png)
