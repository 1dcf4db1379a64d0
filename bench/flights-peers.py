"""Flights for the peers: XGBoost (hist, lossguide, 255 leaves, native categoricals) or scikit-learn HGB."""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

train_path, test_path, which = sys.argv[1], sys.argv[2], sys.argv[3]
train, test = pd.read_csv(train_path), pd.read_csv(test_path)
features = ["month", "day", "weekday", "hour", "distance", "origin", "destination"]
if which == "xgboost":
    import xgboost as xgb

    for frame in (train, test):
        for c in ("origin", "destination"):
            frame[c] = pd.Categorical(frame[c], categories=sorted(set(train[c].dropna()) | set(test[c].dropna())))
    model = xgb.XGBClassifier(tree_method="hist", grow_policy="lossguide", max_leaves=255, max_depth=0, n_estimators=100,
                              learning_rate=0.1, max_bin=256, n_jobs=2, enable_categorical=True, max_cat_to_onehot=4)
else:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_leaf_nodes=255, max_iter=100, learning_rate=0.1, early_stopping=False,
                                           categorical_features=[5, 6])
t0 = time.perf_counter()
model.fit(train[features], train["target"])
fit_ms = (time.perf_counter() - t0) * 1000
p = model.predict_proba(test[features])[:, 1]
print(json.dumps({"fitMs": fit_ms, "auc": float(roc_auc_score(test["target"], p))}))
