"""The paired bootstrap of issue 25's bar: for each data set and peer, the 90% interval of (our score − the peer's)
over the same resampled test rows, so that a gap of a few rows on a small test split is told from a real one.

    /usr/bin/python3 bench/quality-paired.py OUT_DIR/manifest.json PREDICTIONS_DIR

Reads PREDICTIONS_DIR/NAME.ours.csv (`hyperplane predict` on the test file) and NAME.PEER.csv (quality-peers.py).
Prints one JSON line per data set: {"name", "ours": score recomputed here, PEER: {"diff", "low", "high"}, ...}.
2,000 resamples, seed 0; a resample with one class only (AUC undefined) is drawn again.
"""
import glob
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import r2_score, roc_auc_score

RESAMPLES = 2000


def metric(task):
    if task == "binary":
        return lambda y, p: roc_auc_score(y, p)
    if task == "multiclass":
        return lambda y, p: float(np.mean(y == p))
    return lambda y, p: r2_score(y, p)


def ours_column(task, frame, positive):
    """Our predictions as the metric reads them; labels compared as text, true/false in any case."""
    if task == "binary":
        column = next(c for c in frame.columns if c.startswith("proba_") and c[len("proba_"):].lower() == positive.lower())
        return frame[column].to_numpy(dtype=float)
    if task == "multiclass":
        return frame["prediction"].astype(str).to_numpy()
    return frame["prediction"].to_numpy(dtype=float)


manifest, directory = json.load(open(sys.argv[1])), sys.argv[2]
for case in manifest:
    ours_file = os.path.join(directory, f"{case['name']}.ours.csv")
    if not os.path.exists(ours_file):
        continue
    task = case["task"]
    truth = pd.read_csv(case["test"])[case["target"]]
    if task != "regression":
        truth = truth.astype(str)
    classes = sorted(truth.unique()) if task != "binary" else sorted(pd.read_csv(case["train"])[case["target"]].astype(str).unique())
    y = (truth == classes[1]).to_numpy() if task == "binary" else truth.to_numpy()
    score = metric(task)
    ours = ours_column(task, pd.read_csv(ours_file), classes[1] if task == "binary" else "")
    peers = {}
    for path in sorted(glob.glob(os.path.join(directory, f"{case['name']}.*.csv"))):
        peer = os.path.basename(path)[len(case["name"]) + 1 : -len(".csv")]
        if peer == "ours":
            continue
        values = pd.read_csv(path)["value"]
        peers[peer] = values.astype(str).to_numpy() if task == "multiclass" else values.to_numpy(dtype=float)
    rng = np.random.default_rng(0)
    n = len(y)
    draws = []
    while len(draws) < RESAMPLES:
        i = rng.integers(0, n, n)
        if task == "binary" and y[i].min() == y[i].max():
            continue
        draws.append(i)
    result = {"name": case["name"], "ours": float(score(y, ours))}
    for peer, predicted in peers.items():
        diffs = np.array([score(y[i], ours[i]) - score(y[i], predicted[i]) for i in draws])
        low, high = np.quantile(diffs, [0.05, 0.95])
        result[peer] = {"diff": float(score(y, ours) - score(y, predicted)), "low": float(low), "high": float(high)}
    print(json.dumps(result), flush=True)
