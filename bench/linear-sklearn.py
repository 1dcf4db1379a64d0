"""One measured run of scikit-learn's LogisticRegression(lbfgs) or Ridge in a fresh process. Prints JSON."""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss

path, which = sys.argv[1], sys.argv[2]
frame = pd.read_csv(path)
X = np.ascontiguousarray(frame.drop(columns=["target"]).to_numpy(dtype=np.float64))
y = frame["target"].to_numpy()
out = {}
if which == "logistic":
    t0 = time.perf_counter()
    model = LogisticRegression(solver="lbfgs").fit(X, y)
    out["fitMs"] = (time.perf_counter() - t0) * 1000
    out["logLoss"] = float(log_loss(y, model.predict_proba(X)))
    out["iterations"] = int(model.n_iter_[0])
else:
    t0 = time.perf_counter()
    model = Ridge(alpha=1.0).fit(X, y.astype(np.float64))
    out["fitMs"] = (time.perf_counter() - t0) * 1000
    out["coef0"] = float(model.coef_[0])
print(json.dumps(out))
