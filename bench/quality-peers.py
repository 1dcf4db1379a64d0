"""scikit-learn's peers for the quality bench (issue 5), on the fixed splits from quality-data.py:
the default LogisticRegression (Ridge for regression) on scaled numbers and one-hot categories,
RandomForest(300), HistGradientBoosting and XGBoost's defaults, each with the usual preprocessing. Prints one JSON line
per data set: each peer's test score (AUC, accuracy or R²) and seconds. With a second argument, each peer's
predictions on the test rows are written there as NAME.PEER.csv (one column: the positive class's probability, the
predicted class, or the predicted value) for quality-paired.py's bootstrap.

    /usr/bin/python3 bench/quality-peers.py OUT_DIR/manifest.json [PREDICTIONS_DIR]
"""
import os
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from xgboost import XGBClassifier, XGBRegressor

warnings.filterwarnings("ignore")


def prepare(train, test, target):
    """Dates become year / month / weekday / hour / days; object columns are categories unless nearly unique (text, ids: dropped)."""
    X, Xt = train.drop(columns=[target]).copy(), test.drop(columns=[target]).copy()
    numeric, categorical = [], []
    for c in list(X.columns):
        if pd.api.types.is_numeric_dtype(X[c]):
            numeric.append(c)
            continue
        parsed = pd.to_datetime(X[c], errors="coerce")
        if parsed.notna().mean() > 0.9:
            parsed_t = pd.to_datetime(Xt[c], errors="coerce")
            for frame, p in ((X, parsed), (Xt, parsed_t)):
                frame[f"{c}.year"] = p.dt.year
                frame[f"{c}.month"] = p.dt.month
                frame[f"{c}.weekday"] = p.dt.dayofweek
                frame[f"{c}.hour"] = p.dt.hour
                frame[f"{c}.days"] = (p - pd.Timestamp("1970-01-01")).dt.days
                frame.drop(columns=[c], inplace=True)
            numeric += [f"{c}.{p}" for p in ("year", "month", "weekday", "hour", "days")]
        elif X[c].nunique() <= 0.5 * len(X):
            categorical.append(c)
            X[c] = X[c].astype(str).where(X[c].notna(), None)
            Xt[c] = Xt[c].astype(str).where(Xt[c].notna(), None)
        else:
            X.drop(columns=[c], inplace=True)
            Xt.drop(columns=[c], inplace=True)
    return X, Xt, numeric, categorical


def models(task, numeric, categorical):
    classification = task != "regression"
    onehot = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
    linear = make_pipeline(
        ColumnTransformer([("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric), ("cat", onehot, categorical)]),
        LogisticRegression(max_iter=1000) if classification else Ridge(),
    )
    ordinal = make_pipeline(SimpleImputer(strategy="most_frequent"), OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))
    forest = make_pipeline(
        ColumnTransformer([("num", SimpleImputer(strategy="median"), numeric), ("cat", ordinal, categorical)]),
        (RandomForestClassifier if classification else RandomForestRegressor)(n_estimators=300, n_jobs=2, random_state=0),
    )
    # HGB: numbers as they are (it handles missing values); categories as codes, native when < 255 levels.
    hgb_cats = [True] * len(categorical)
    hgb = make_pipeline(
        ColumnTransformer([("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan), categorical), ("num", "passthrough", numeric)]),
        (HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor)(random_state=0, categorical_features=hgb_cats + [False] * len(numeric) if categorical else None),
    )
    # XGBoost's defaults: numbers as they are (it handles missing values), categories one-hot.
    xgb = make_pipeline(
        ColumnTransformer([("num", "passthrough", numeric), ("cat", onehot, categorical)]),
        LabelCoded(XGBClassifier(n_jobs=2, random_state=0)) if classification else XGBRegressor(n_jobs=2, random_state=0),
    )
    return {"logistic" if classification else "ridge": linear, "random_forest": forest, "hist_gb": hgb, "xgboost": xgb}


class LabelCoded(BaseEstimator, ClassifierMixin):
    """XGBoost's classifier on class codes 0..k-1, answering in the labels given."""

    def __init__(self, model):
        self.model = model

    def fit(self, X, y):
        self.classes_ = np.array(sorted(pd.unique(y)))
        self.model.fit(X, np.searchsorted(self.classes_, y))
        return self

    def predict_proba(self, X):
        return self.model.predict_proba(X)

    def predict(self, X):
        return self.classes_[self.model.predict_proba(X).argmax(axis=1)]


def test_predictions(task, model, X, classes):
    """What the metric reads: the positive class's probability (AUC), the predicted class or the predicted value."""
    if task == "binary":
        return model.predict_proba(X)[:, list(model.classes_).index(classes[1])]
    return model.predict(X)


def score(task, y, predicted, classes):
    if task == "binary":
        return roc_auc_score(y == classes[1], predicted)
    if task == "multiclass":
        return accuracy_score(y, predicted)
    return r2_score(y, predicted)


predictions_dir = sys.argv[2] if len(sys.argv) > 2 else None
if predictions_dir:
    os.makedirs(predictions_dir, exist_ok=True)


for case in json.load(open(sys.argv[1])):
    train, test = pd.read_csv(case["train"]), pd.read_csv(case["test"])
    target, task = case["target"], case["task"]
    X, Xt, numeric, categorical = prepare(train, test, target)
    y, yt = train[target], test[target]
    if task != "regression":
        y, yt = y.astype(str), yt.astype(str)
    classes = sorted(y.unique())
    result = {"name": case["name"]}
    for name, model in models(task, numeric, categorical).items():
        # HGB's native categories need fewer than 255 levels; past that, codes as numbers.
        if name == "hist_gb" and any(X[c].nunique() >= 255 for c in categorical):
            model.set_params(**{f"{model.steps[-1][0]}__categorical_features": None})
        t0 = time.perf_counter()
        model.fit(X, y)
        predicted = test_predictions(task, model, Xt, classes)
        s = score(task, yt, predicted, classes)
        if predictions_dir:
            pd.DataFrame({"value": predicted}).to_csv(os.path.join(predictions_dir, f"{case['name']}.{name}.csv"), index=False)
        result[name] = {"score": float(s), "seconds": time.perf_counter() - t0}
    print(json.dumps(result), flush=True)
