"""One measured run of XGBoost (hist, lossguide) or scikit-learn's HistGradientBoostingClassifier. Prints JSON."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

train_path, test_path, which = sys.argv[1], sys.argv[2], sys.argv[3]
extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
train = pd.read_csv(train_path)
test = pd.read_csv(test_path)
X = np.ascontiguousarray(train.drop(columns=["target"]).to_numpy(dtype=np.float32))
y = train["target"].to_numpy()
Xt = np.ascontiguousarray(test.drop(columns=["target"]).to_numpy(dtype=np.float32))
yt = test["target"].to_numpy()
rounds = extra.get("n_estimators", 100)
leaves = extra.get("num_leaves", 31)
if which == "xgboost":
    import xgboost as xgb

    model = xgb.XGBClassifier(tree_method="hist", grow_policy="lossguide", max_leaves=leaves, max_depth=0, n_estimators=rounds,
                              learning_rate=0.1, max_bin=256, n_jobs=2)
else:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_leaf_nodes=leaves, max_iter=rounds, learning_rate=0.1, early_stopping=False)
t0 = time.perf_counter()
model.fit(X, y)
fit_ms = (time.perf_counter() - t0) * 1000
# Best of three batches: a warm model, as when serving (the first call also pays one-time setup).
predict_ms = float("inf")
for _ in range(3):
    t1 = time.perf_counter()
    p = model.predict_proba(Xt)[:, 1]
    predict_ms = min(predict_ms, (time.perf_counter() - t1) * 1000)
print(json.dumps({"fitMs": fit_ms, "predictMs": predict_ms, "auc": float(roc_auc_score(yt, p)),
                  "peakRss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
