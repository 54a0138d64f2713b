#!/usr/bin/env python3
"""Anchor for `cargo bench --bench stats`: the `powerlaw` package (2.0.0) and numpy doing the
same work, timed here, and the ratio to criterion's estimates from the same machine.

    cargo bench --bench stats && python3 bench/anchors/powerlaw_anchor.py

Work compared (data: same distribution as benches/stats.rs — Pareto alpha=2.5 above a uniform
body, 70 % tail — drawn with numpy, so the values differ but the work is the same):
  * paper rule on 1e5 values: numpy (sort, top-1000 MLE and KS) and powerlaw.Fit(data,
    xmin=K-th largest) for the fit + KS;
  * Clauset + 1000-replicate bootstrap at n = 2000 and 1e4: one replicate costs one
    powerlaw.Fit scanning every candidate x_min (parameter_ranges={'alpha': [1, None]},
    xmin_distance='D'), plus drawing the replicate. Too slow to run 1000 times, so REPS
    replicates are timed and the total is extrapolated to 1001 fits (the observed fit + 1000
    replicates); the script says so in its output.
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import powerlaw

warnings.filterwarnings("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPS = int(os.environ.get("ANCHOR_REPS", "3"))


def sample(rng, n):
    tail = rng.random(n) < 0.7
    return np.where(tail, (1 - rng.random(n)) ** (-1 / 1.5), rng.random(n))


def criterion_ns(group, bench):
    p = os.path.join(ROOT, "target", "criterion", group, bench, "new", "estimates.json")
    try:
        with open(p) as f:
            e = json.load(f)
        # criterion prints the slope estimate when it has one (linear sampling), else the mean
        return (e.get("slope") or e["mean"])["point_estimate"]
    except OSError:
        return None


def fit(x):
    return powerlaw.Fit(x, parameter_ranges={"alpha": [1, None]}, xmin_distance="D", verbose=0)


def replicate(rng, x, f):
    n = len(x)
    xmin, alpha = f.xmin, f.power_law.alpha
    body = x[x < xmin]
    ntail = np.sum(x >= xmin)
    k = rng.binomial(n, ntail / n) if len(body) else n
    syn = xmin * (1 - rng.random(k)) ** (-1 / (alpha - 1))
    return np.concatenate([syn, rng.choice(body, n - k)]) if len(body) else syn


def main():
    rng = np.random.default_rng(1)
    rows = []
    # Paper rule, 1e5 values.
    x = sample(rng, 100_000)
    t = time.perf_counter()
    for _ in range(20):
        s = np.sort(x)[-1000:]
        a = 1 + 1000 / np.sum(np.log(s / s[0]))
        p = 1 - (s / s[0]) ** (1 - a)
        i = np.arange(1000)
        d = max(np.max((i + 1) / 1000 - p), np.max(p - i / 1000))
    t_np = (time.perf_counter() - t) / 20
    t = time.perf_counter()
    for _ in range(5):
        xmin = np.sort(x)[-1000]
        f = powerlaw.Fit(x, xmin=xmin, parameter_ranges={"alpha": [1, None]}, verbose=0)
        _ = f.power_law.alpha, f.power_law.D
    t_pkg = (time.perf_counter() - t) / 5
    ours = criterion_ns("paper_rule", "n=1e5")
    rows.append(("paper rule, n=1e5 (numpy)", t_np, ours, "measured"))
    rows.append(("paper rule, n=1e5 (powerlaw.Fit with fixed xmin)", t_pkg, ours, "measured"))
    # Clauset + bootstrap.
    for n in (2000, 10_000):
        x = sample(rng, n)
        t = time.perf_counter()
        f0 = fit(x)
        _ = f0.power_law.D
        fits = 1
        for _ in range(REPS):
            xr = replicate(rng, x, f0)
            fr = fit(xr)
            _ = fr.power_law.D
            fits += 1
        per_fit = (time.perf_counter() - t) / fits
        total = per_fit * 1001
        ours = criterion_ns("clauset_bootstrap_1000", str(n))
        rows.append((f"Clauset + 1000 bootstrap, n={n} (powerlaw: {fits} fits timed, {per_fit:.2f} s/fit, x1001 extrapolated)", total, ours, "extrapolated"))
    print(f"{'work':<95} {'python s':>10} {'sgn-lab s':>10} {'ratio':>8}")
    for name, tp, ours_ns, _ in rows:
        if ours_ns is None:
            print(f"{name:<95} {tp:>10.4f} {'(run cargo bench --bench stats)':>30}")
        else:
            o = ours_ns * 1e-9
            print(f"{name:<95} {tp:>10.4f} {o:>10.5f} {tp / o:>7.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
