#!/usr/bin/env python3
"""Draws docs/benchmarks.png from docs/benchmarks.json: ours/raw (and ours/MassTransit) per scenario, with the
issue's target line where it has one. Needs python3-matplotlib (apt-get install -y python3-matplotlib)."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

source = sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks.json"
target_png = sys.argv[2] if len(sys.argv) > 2 else "docs/benchmarks.png"
rows = [r for r in json.load(open(source)) if r.get("ratio") is not None]
targets = {"rabbitmq.publish.window": 0.8, "rabbitmq.consume": 0.85, "kafka.produce": 0.8, "kafka.consume": 0.85,
           "outbox.transaction": 0.85, "inbox": 0.5}

names = [r["scenario"] for r in rows]
ratios = [r["ratio"] for r in rows]
vs_mt = [(r["ours"] / r["massTransit"]) if r.get("massTransit") else None for r in rows]
fig, ax = plt.subplots(figsize=(11, 0.42 * len(rows) + 1.6))
y = list(range(len(rows)))
colors = []
for r in rows:
    t = next((v for k, v in targets.items() if r["scenario"].startswith(k)), None)
    colors.append("#9e9e9e" if t is None else ("#2e7d32" if r["ratio"] >= t else "#c62828"))
ax.barh([i + 0.2 for i in y], ratios, height=0.38, color=colors, label="ours / raw (green: target met, red: missed, grey: no target)")
mt_y = [i - 0.2 for i, v in zip(y, vs_mt) if v is not None]
mt_v = [v for v in vs_mt if v is not None]
if mt_v:
    ax.barh(mt_y, mt_v, height=0.38, color="#1565c0", label="ours / MassTransit 8.4")
for i, r in enumerate(rows):
    t = next((v for k, v in targets.items() if r["scenario"].startswith(k)), None)
    if t is not None:
        ax.plot([t, t], [i - 0.45, i + 0.45], color="black", linewidth=1.2)
    ax.text(r["ratio"] + 0.02, i + 0.2, f'{r["ratio"]:.2f}', va="center", fontsize=7)
    if vs_mt[i] is not None:
        ax.text(vs_mt[i] + 0.02, i - 0.2, f"{vs_mt[i]:.2f}", va="center", fontsize=7)
ax.axvline(1.0, color="#555", linestyle=":", linewidth=1)
ax.set_yticks(y)
ax.set_yticklabels(names, fontsize=8)
ax.invert_yaxis()
ax.set_xlabel("throughput ratio (1.0 = as fast; black tick = the issue's target)")
ax.set_title("Messaging vs raw clients and MassTransit (median msgs/s, same run, same broker)")
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
fig.savefig(target_png, dpi=110)
print("wrote", target_png)
