#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The statistics behind meshrouted's probe-loss trip rule (src/loss.h).

Prints, for one direction of a link at 20 ms and 10 ms (and any -i given),
exact binomial figures for the rule's two windows:

  * how likely 5 % loss is missed within 10 s, and 2 % within 30 s
    (the newest pair of counts is at most one report interval, 1.1 s, old;
    "one report lost" makes it 2.2 s);
  * how likely a link losing a small share trips one window by chance
    (false trips of a link that is not lossy enough to deserve it).

Usage: scripts/loss-stats.py [-m MAX_LOSS_PERCENT] [-i INTERVAL_MS]...
No dependencies beyond Python 3.
"""
import argparse
import math

SHORT, LONG = 10.0, 30.0          # window widths, s
F_SHORT, F_LONG = 0.875, 0.5      # trip levels, as fractions of max-loss
MIN_LOST = 4                      # LOSS_MIN_LOST
REPORT_MAX = 1.1                  # longest interval between two reports, s


def lpmf(n, p, k):
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) +
            k * math.log(p) + (n - k) * math.log1p(-p))


def cdf(n, p, k):
    """P(X <= k) for X ~ Bin(n, p)."""
    return sum(math.exp(lpmf(n, p, i)) for i in range(0, min(k, n) + 1)) if k >= 0 else 0.0


def sf(n, p, k):
    """P(X >= k)."""
    return sum(math.exp(lpmf(n, p, i)) for i in range(max(k, 0), n + 1))


def threshold(n, frac, maxl):
    """Fewest lost probes of n that trip a window whose level is frac x max-loss."""
    return max(MIN_LOST, math.ceil(frac * maxl * n - 1e-9))


def miss(rate, p, width, frac, maxl, lag):
    """P(the window of `width` at the last report before `width` s of loss does not trip)."""
    n = int(width * rate)                 # probes in the window
    lossy = int((width - lag) * rate)     # of them sent since the loss began
    return cdf(lossy, p, threshold(n, frac, maxl) - 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-m", type=float, default=2.0, help="max-loss, percent (default 2)")
    ap.add_argument("-i", type=float, action="append", help="interval, ms (default 20 and 10)")
    a = ap.parse_args()
    maxl = a.m / 100
    for iv in a.i or [20.0, 10.0]:
        # RFC 5880 jitter: 75-100 % of the interval, 87.5 % on average.
        rate = 1000 / (0.875 * iv)
        n10, n30 = int(SHORT * rate), int(LONG * rate)
        t10, t30 = threshold(n10, F_SHORT, maxl), threshold(n30, F_LONG, maxl)
        print(f"interval {iv:g} ms: {rate:.1f} probes/s; max-loss {a.m:g} %")
        print(f"  10-s window: {n10} probes, trips at {t10} lost ({F_SHORT:g} x max-loss); "
              f"30-s window: {n30} probes, trips at {t30} ({F_LONG:g} x max-loss)")
        for p, width in ((0.05, SHORT), (0.02, LONG)):
            frac = F_SHORT if width == SHORT else F_LONG
            one = miss(rate, p, width, frac, maxl, REPORT_MAX)
            lost = miss(rate, p, width, frac, maxl, 2 * REPORT_MAX)
            print(f"  {p:.0%} loss missed within {width:g} s: {one:.1e} "
                  f"(a report lost on the way: {lost:.1e}; both directions lossy: {one * one:.1e}; "
                  f"expected lost {p * (width - REPORT_MAX) * rate:.0f})")
        for p in (0.001, 0.0025, 0.005, 0.01):
            f10, f30 = sf(n10, p, t10), sf(n30, p, t30)
            # Disjoint windows a day give a lower bound of the trips; the rule
            # looks at a window every second, and a union over those is an
            # upper bound (the windows overlap, so the truth lies between).
            lo = 86400 / SHORT * f10 + 86400 / LONG * f30
            hi = 86400 * (f10 + f30)
            print(f"  a link losing {p:.2%}: trips a 10-s window with {f10:.1e}, a 30-s window "
                  f"with {f30:.1e}: {lo:.2g} to {hi:.2g} trips a day")
        print()


if __name__ == "__main__":
    main()
