"""Reference for `vigil classify-bench`: the same random forest in scikit-learn, judged the way
a live detector must use it — one transaction at a time with `predict_proba`.

Input: the feature CSV written by
    vigil classify-bench --data DATASET.jsonl --export-features features.csv
(one column per feature of vigil's schema, then `label`: 1 attack, 0 benign, empty for funding
transfers, which are left out of training as in vigil).

The forest mirrors vigil's defaults: 100 trees, depth 12, at least 2 rows per leaf, sqrt(features)
per split, attack rows weighted by sqrt(benign / attack). Only inference is timed; features are
vigil's own, so the figure compares classification alone (vigil's figure also includes decoding
and feature extraction).

    python3 -m venv /tmp/vigil-peers && /tmp/vigil-peers/bin/pip install -r bench/peers/requirements.txt
    /tmp/vigil-peers/bin/python bench/peers/sklearn_rf.py features.csv [--rows 2000] [--eval held_out.csv]
"""

import argparse
import csv
import math
import statistics
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score


def load(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [r for r in reader]
    x = np.array([[float(v) for v in r[:-1]] for r in rows], dtype=np.float32)
    y = np.array([-1 if r[-1] == "" else int(r[-1]) for r in rows])
    return header[:-1], x, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("features")
    parser.add_argument("--rows", type=int, default=2000, help="rows timed one at a time")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (median reported)")
    parser.add_argument("--eval", help="held-out feature CSV for a ROC-AUC sanity check")
    args = parser.parse_args()

    names, x, y = load(args.features)
    labelled = y >= 0
    xt, yt = x[labelled], y[labelled]
    attacks, benign = int((yt == 1).sum()), int((yt == 0).sum())
    weight = math.sqrt(benign / max(attacks, 1))
    model = RandomForestClassifier(
        n_estimators=100,
        max_depth=12,
        min_samples_leaf=2,
        max_features="sqrt",
        class_weight={0: 1.0, 1: weight},
        random_state=7,
        n_jobs=1,
    )
    started = time.perf_counter()
    model.fit(xt, yt)
    print(f"trained on {len(yt)} rows ({attacks} attack) x {len(names)} features "
          f"in {time.perf_counter() - started:.2f} s")
    if args.eval:
        _, xe, ye = load(args.eval)
        keep = ye >= 0
        auc = roc_auc_score(ye[keep], model.predict_proba(xe[keep])[:, 1])
        print(f"held-out ROC-AUC {auc:.4f}")

    rows = x[: args.rows]
    rates, p50s, p99s = [], [], []
    for _ in range(args.runs):
        latencies = []
        begin = time.perf_counter()
        for i in range(len(rows)):
            t0 = time.perf_counter_ns()
            model.predict_proba(rows[i : i + 1])
            latencies.append(time.perf_counter_ns() - t0)
        total = time.perf_counter() - begin
        latencies.sort()
        rates.append(len(rows) / total)
        p50s.append(latencies[len(latencies) // 2])
        p99s.append(latencies[int((len(latencies) - 1) * 0.99)])
    order = sorted(range(len(rates)), key=lambda i: rates[i])
    mid = order[len(order) // 2]
    print(f"scikit-learn {__import__('sklearn').__version__} RandomForestClassifier.predict_proba, "
          f"one row at a time, {len(rows)} rows x {args.runs} runs:")
    print(f"  median run: {rates[mid]:.0f} tx/s; per tx p50 {p50s[mid] / 1000:.1f} us, "
          f"p99 {p99s[mid] / 1000:.1f} us (median of p50s {statistics.median(p50s) / 1000:.1f} us)")


if __name__ == "__main__":
    main()
