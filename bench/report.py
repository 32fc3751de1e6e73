#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/report.py RAW [--key value...]: build/bench/raw.txt -> markdown table."""
import argparse
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats import median  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("raw")
for k in ("started", "minutes", "machine", "kernel", "os", "meshroute", "frr", "iperf3", "stress", "env"):
    ap.add_argument("--" + k, default="?")
a = ap.parse_args()


def stats(vals):
    v = sorted(float(x) for x in vals if x != "miss")
    miss = sum(1 for x in vals if x == "miss")
    if not v:
        return None, miss
    n = len(v)
    p95 = v[max(1, math.ceil(0.95 * n)) - 1]
    return dict(n=n, med=median(v), p95=p95, min=v[0], max=v[-1]), miss

def fmt(x):
    return "%.0f" % x if abs(x) >= 10 else "%.1f" % x

def cell(s, f=None):
    f = f or fmt
    return "%s [%s–%s]" % (f(s["med"]), f(s["min"]), f(s["max"]))

def diff_ci(a, b, rounds=2000):
    """95 % bootstrap interval of median(a) - median(b): fixed seed, so the
    same raw values always give the same table."""
    rnd = random.Random(5880)
    d = sorted(median(rnd.choices(a, k=len(a))) - median(rnd.choices(b, k=len(b))) for _ in range(rounds))
    return d[int(0.025 * rounds)], d[int(0.975 * rounds) - 1]

def nums(vals):
    return [float(x) for x in vals if x != "miss"]

def fmt2(x):
    return "%.2f" % x if abs(x) < 10 else fmt(x)

rows = {}
costs, soaks, frrcosts = [], [], []
for line in open(a.raw):
    w = line.split()
    if not w:
        continue
    if w[0] == "cost":
        costs.append(w[1:])
    elif w[0] == "soak":
        soaks.append(w[1:])
    elif w[0] == "frrcost":
        frrcosts.append(w[1:])
    else:
        rows[(w[0], w[1], w[2], int(w[3]))] = w[4:]

MEASURE = {
    ("meshrouted", "outage"): "meshrouted: traffic outage (UDP stream n1→n2, lost ÷ rate)",
    ("meshrouted", "down"): "meshrouted: detection only (fault → both sessions Down, meshrouted log): measured as FRR's row",
    ("meshrouted", "detect"): "meshrouted: detection + route switch (fault → both nodes' routes moved, kernel route events seen by `ip monitor`)",
    ("frr", "detect"): "FRR bfdd %s: detection only (fault → both sessions Down, bfdd log) — no route switching: 8.4's staticd has no BFD-tracked routes" % a.frr,
    ("meshrouted", "failback"): "meshrouted: fail-back (heal → both routes back on the cable) minus hold-down",
}
FAULTS = {"carrier": "carrier loss", "silent": "silent failure", "oneway": "one-way failure"}
out = []
p = out.append
p("# meshroute benchmark results")
p("")
p("Started %s, %s min. Machine: %s; %s; kernel %s. meshroute %s, FRR %s, iperf3 %s, stress-ng %s." %
  (a.started, a.minutes, a.machine, a.os, a.kernel, a.meshroute, a.frr, a.iperf3, a.stress))
p("Settings: %s." % a.env)
p("")
p("Every figure: **median [min–max]** over the trials (the median of an even count is the upper of its "
  "two middle values, as in the lab's tests), p95 (nearest rank) and max in their own columns; "
  "`miss` = trials in which the routes did not move within 3 s. All times in ms. "
  "Against FRR, medians are compared; where a *detection* median of meshrouted is above FRR's, the cell says "
  "\"tie\" when the 95 % bootstrap interval of the difference of medians (2000 resamplings of both sets of "
  "trials) reaches 0 or below, i.e. the trials cannot tell the two apart, and \"no\" when it does not. "
  "Traffic outage rows are compared strictly.")
p("")
if rows:
    p("## Failover (two nodes, one cable + LAN, multiplier 3)")
    p("")
    p("| what is measured | fault | interval | n | median [min–max] | p95 | max | target | met |")
    p("|---|---|---|---|---|---|---|---|---|")
    order = [("meshrouted", "outage"), ("meshrouted", "down"), ("frr", "detect"), ("meshrouted", "detect"),
             ("meshrouted", "failback")]
    ivals = sorted({k[3] for k in rows})
    for tool, metric in order:
        for fault in ("carrier", "silent", "oneway"):
            for iv in ivals:
                vals = rows.get((tool, metric, fault, iv))
                if vals is None:
                    continue
                s, miss = stats(vals)
                target, met = "", ""
                if s:
                    if tool == "meshrouted" and metric == "outage" and fault == "carrier":
                        target = "≤ 5"
                        met = "yes" if s["med"] <= 5 else "no"
                    elif tool == "meshrouted" and metric == "outage" and fault == "silent":
                        target = "≤ %d" % (3 * iv + 5)
                        met = "yes" if s["med"] <= 3 * iv + 5 else "no"
                    elif metric == "failback":
                        target = "≤ 50"
                        met = "yes" if s["med"] <= 50 else "no"
                    if tool == "meshrouted" and metric in ("outage", "down", "detect"):
                        fv = rows.get(("frr", "detect", fault, iv), [])
                        f, _ = stats(fv)
                        if f:
                            tgt = "≤ FRR %s" % fmt(f["med"])
                            ok = "yes" if s["med"] <= f["med"] else "no"
                            if ok == "no" and metric != "outage":
                                # Detection against detection: at the same RFC timers
                                # both wait the same detection time, so only a delay of
                                # meshrouted's own beyond the trials' spread is a "no".
                                lo, hi = diff_ci(nums(vals), nums(fv))
                                if lo <= 0:
                                    ok = "tie: +%s, 95%% CI of the difference %s…%s" % (
                                        fmt(s["med"] - f["med"]), fmt(lo), fmt(hi))
                            target = (target + "; " if target else "") + tgt
                            met = (met + "; " if met else "") + ok
                    c = cell(s) + (" (+%d miss)" % miss if miss else "")
                    p("| %s | %s | %d ms | %d | %s | %s | %s | %s | %s |" % (MEASURE[(tool, metric)], FAULTS[fault], iv,
                      s["n"], c, fmt(s["p95"]), fmt(s["max"]), target, met))
                else:
                    p("| %s | %s | %d ms | 0 | all %d missed | | | | no |" % (MEASURE[(tool, metric)], FAULTS[fault], iv, miss))
    p("")
if costs:
    p("## Cost of meshrouted on the measured node (n1), all daemons at 10ms x 3")
    p("")
    p("Star topology: n1 + P peers, F fast \"LANs\" (a bridge each, every node has one port on each, the peers' "
      "bridge ports isolated so that peers only reach n1), the LAN, IPv4 + IPv6: sessions = (F + 1) × P × 2. "
      "Each cell: **median [min–max]** over n measurement windows of one lab run. "
      "CPU is (utime + stime) ÷ wall time from /proc/PID/stat (10 ms ticks), then schedstat's on-CPU time. "
      "RSS is VmRSS (every resident page mapped, shared library text included), PSS and private "
      "(Private_Clean + Private_Dirty) from /proc/PID/smaps_rollup. "
      "Per packet: n1's schedstat CPU time ÷ (Control packets sent + received); floor: `udpfloor` (bench/udpfloor.c: one "
      "socket, paced sends, ppoll, recv) on n1 ↔ n2 at the same packet rate, as many windows; "
      "ratio = median ÷ median [range of window-by-window ratios]. "
      "Wake-ups/s: n1's context switches per second (it sleeps between wake-ups); waking alone: the CPU time of "
      "`udpfloor --wake`, a process that only sleeps until its next deadline that many times a second and does "
      "nothing, as many windows: the part of the CPU figure that this machine charges for waking up at all.")
    p("")
    p("| sessions (F, P) | n | Up (median) | flaps (max per window) | CPU % of one core | RSS KiB | PSS KiB | private KiB | probe pkt/s | ns per packet | floor ns per packet | ratio | wake-ups/s | waking alone, CPU % |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    groups = {}
    for c in costs:
        c = (c + ["0"] * 16)[:16]
        groups.setdefault(int(c[0]), []).append(c)
    med = {}
    for sess in sorted(groups):
        g = groups[sess]
        col = lambda i: stats([x[i] for x in g])[0]
        ratios = [float(x[6]) / float(x[7]) for x in g if float(x[7]) > 0]
        nspp, floor = col(6), col(7)
        ratio = "%.2f [%.2f–%.2f]" % (nspp["med"] / floor["med"], min(ratios), max(ratios)) if ratios else "?"
        f, pp = g[0][8], g[0][9]
        med[sess] = (col(4)["med"], col(12)["med"], col(13)["med"])
        p("| %d (F=%s, P=%s) | %d | %s | %s | %s (schedstat %s) | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            sess, f, pp, len(g), "%.0f" % col(1)["med"], "%.0f" % col(11)["max"], cell(col(2), fmt2), cell(col(3), fmt2), cell(col(4)),
            cell(col(12)), cell(col(13)), cell(col(5)), cell(col(6)), cell(col(7)), ratio, cell(col(14)), cell(col(15), fmt2)))
    if len(med) >= 2:
        s0, s1 = min(med), max(med)
        p("")
        p("Memory per additional session (%d → %d sessions, medians): RSS %.2f KiB, PSS %.2f KiB, private %.2f KiB. "
          "600 sessions = (19 + 1) × 15 × 2: 16 nodes (the most a config holds) with 19 fast ports each (at most 32); "
          "the kernel's neighbour tables, shared by all namespaces, get room for that many entries during the run." % (
              s0, s1, *[(med[s1][i] - med[s0][i]) / (s1 - s0) for i in range(3)]))
    p("")
if frrcosts:
    p("### The same sessions run by FRR bfdd %s instead, same lab, same run" % a.frr)
    p("")
    p("After meshrouted's windows and the floors: bfdd (with the zebra it needs, not counted) on n1 and n2, a "
      "single-hop session per port and address family (IPv6 over link-local addresses), the same timers "
      "(fast ports 10 ms × 3, LAN 200 ms × 3), as many windows. Same columns as above, for n1's bfdd "
      "(all its threads). The CPU target is meshrouted's; this row says what a mature BFD daemon costs on this host.")
    p("")
    p("| daemon | sessions | n | up (median) | CPU % of one core | RSS KiB | PSS KiB | private KiB | probe pkt/s | ns per packet | wake-ups/s |")
    p("|---|---|---|---|---|---|---|---|---|---|---|")
    g = [(c + ["0"] * 10)[:10] for c in frrcosts]
    col = lambda i: stats([x[i] for x in g])[0]
    p("| FRR bfdd %s | %s | %d | %.0f | %s (schedstat %s) | %s | %s | %s | %s | %s | %s |" % (
        a.frr, g[0][0], len(g), col(1)["med"], cell(col(2), fmt2), cell(col(3), fmt2), cell(col(4)), cell(col(8)),
        cell(col(9)), cell(col(5)), cell(col(6)), cell(col(7))))
    p("")
if soaks:
    p("## False positives: soak at 20ms x 3")
    p("")
    p("| duration | load | iperf3 (both ways) | session flaps | route changes |")
    p("|---|---|---|---|---|")
    for s in soaks:
        p("| %s s | iperf3 TCP --bidir over the cable + %s | %s Mbit/s | %s | %s |" % (s[0], " ".join(s[4:]), s[3], s[1], s[2]))
    p("")
print("\n".join(out))
