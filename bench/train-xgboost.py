"""Issue 29's peer for `hyperplane train --learner gbdt` end to end: the same work as a short Python script.

Reads the CSV with pandas, holds out a stratified 20% (seeded), fits XGBoost 1.7 (hist, lossguide, 31 leaves,
100 rounds, lr 0.1, 256 bins, 2 threads: the settings of bench/gbdt-peers.py) on the 80%, scores the 20% and
computes the AUC. Prints JSON; the driver (bench/train-e2e.mjs) times the whole process from outside.

    /usr/bin/python3 bench/train-xgboost.py DATA.csv
"""
import json
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

frame = pd.read_csv(sys.argv[1])
y = frame["target"].to_numpy()
X = frame.drop(columns=["target"]).to_numpy(dtype=np.float32)
del frame
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
del X
model = xgb.XGBClassifier(tree_method="hist", grow_policy="lossguide", max_leaves=31, max_depth=0, n_estimators=100,
                          learning_rate=0.1, max_bin=256, n_jobs=2)
model.fit(X_train, y_train)
auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
print(json.dumps({"auc": float(auc), "trainRows": int(len(y_train)), "testRows": int(len(y_test)), "xgboost": xgb.__version__}))
