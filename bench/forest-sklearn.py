"""One measured run of scikit-learn's RandomForestClassifier(n_jobs=2). Prints JSON."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

train, test = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
X = train.drop(columns=["target"]).to_numpy(np.float32)
Xt = test.drop(columns=["target"]).to_numpy(np.float32)
model = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0, oob_score=True)
t0 = time.perf_counter()
model.fit(X, train["target"].to_numpy())
fit_ms = (time.perf_counter() - t0) * 1000
t1 = time.perf_counter()
p = model.predict_proba(Xt)[:, 1]
print(json.dumps({"fitMs": fit_ms, "predictMs": (time.perf_counter() - t1) * 1000, "auc": float(roc_auc_score(test["target"], p)),
                  "oob": float(model.oob_score_), "peakRss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
