"""XGBoost's TreeSHAP (predict(pred_contribs=True), nthread 2) on ROWS test rows, with a model of the shape
bench/shap.mjs explains: 100 trees, 31 leaves (hist, lossguide), on the same training rows. Prints JSON:
the best of three timed calls, and the mean |contribution| so the two sides can be seen to explain alike."""
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb

train_path, test_path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
train = pd.read_csv(train_path)
test = pd.read_csv(test_path, nrows=rows)
X = np.ascontiguousarray(train.drop(columns=["target"]).to_numpy(dtype=np.float32))
y = train["target"].to_numpy()
Xt = xgb.DMatrix(np.ascontiguousarray(test.drop(columns=["target"]).to_numpy(dtype=np.float32)), nthread=2)
model = xgb.XGBClassifier(tree_method="hist", grow_policy="lossguide", max_leaves=31, max_depth=0, n_estimators=100,
                          learning_rate=0.1, max_bin=256, n_jobs=2).fit(X, y)
booster = model.get_booster()
booster.set_param({"nthread": 2})
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    contribs = booster.predict(Xt, pred_contribs=True)
    best = min(best, (time.perf_counter() - t0) * 1000)
print(json.dumps({"ms": best, "rows": rows, "meanAbs": float(np.abs(contribs[:, :-1]).mean())}))
