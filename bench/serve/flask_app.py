"""The Palladium-style peer: Flask under gunicorn, serving scikit-learn's HistGradientBoostingClassifier.

Trained once on the same rows as our model (bench/out/train-100k.csv), pickled beside this file by
`python3 flask_app.py train`; gunicorn then loads it in each worker.
"""
import json
import os
import pickle
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "out", "hgb-100k.pkl")

if len(sys.argv) > 1 and sys.argv[1] == "train":
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    train = pd.read_csv(sys.argv[2])
    X = train.drop(columns=["target"]).to_numpy(dtype=np.float64)
    model = HistGradientBoostingClassifier(max_leaf_nodes=31, max_iter=100, learning_rate=0.1, early_stopping=False).fit(X, train["target"].to_numpy())
    model.feature_names = [c for c in train.columns if c != "target"]
    with open(MODEL, "wb") as f:
        pickle.dump(model, f)
    sys.exit(0)

from flask import Flask, jsonify, request  # noqa: E402

with open(MODEL, "rb") as f:
    model = pickle.load(f)
app = Flask(__name__)


@app.post("/predict")
def predict():
    rows = request.get_json()
    rows = rows["rows"] if isinstance(rows, dict) and "rows" in rows else [rows]
    X = np.array([[row.get(c) for c in model.feature_names] for row in rows], dtype=np.float64)
    p = model.predict_proba(X)
    return jsonify([{"prediction": str(int(q[1] >= 0.5)), "probabilities": {"0": float(q[0]), "1": float(q[1])}} for q in p])
