"""Real public data sets for the quality bench (issue 5), split once into fixed train/test CSVs that
Hyperplane and the scikit-learn peers both read. Sources ship offline: vega-datasets (npm) and
scikit-learn's bundled files (Debian's python3-sklearn).

    /usr/bin/python3 bench/quality-data.py OUT_DIR     # writes OUT_DIR/<name>-{train,test}.csv and manifest.json
"""
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.model_selection import train_test_split

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))
vega = os.path.join(here, "..", "node_modules", "vega-datasets", "data")
fixtures = os.path.join(here, "..", "test", "fixtures", "data")


def sk_frame(loader, target, labels=None):
    d = loader(as_frame=True)
    df = d.frame.copy()
    df = df.rename(columns={d.target.name: target}) if hasattr(d.target, "name") and d.target.name in df else df
    if labels is not None:
        df[target] = df[target].map(lambda v: labels[int(v)])
    return df


def flights():
    df = pd.read_json(os.path.join(vega, "flights-20k.json"))
    df["delayed"] = np.where(df["delay"] > 15, "yes", "no")
    return df.drop(columns=["delay"])


def birdstrikes():
    df = pd.read_csv(os.path.join(vega, "birdstrikes.csv"))
    df["damaged"] = np.where(df["Effect Amount of damage"].fillna("None") != "None", "yes", "no")
    # Costs are recorded after the fact: they would leak the damage.
    return df.drop(columns=["Effect Amount of damage", "Cost Other", "Cost Repair", "Cost Total $"])


def football():
    df = pd.read_json(os.path.join(vega, "football.json"))
    df["home_win"] = np.where(df["home_score"] > df["away_score"], "yes", "no")
    return df.drop(columns=["home_score", "away_score"])


def digits():
    d = datasets.load_digits(as_frame=True)
    df = d.frame.copy()
    df["digit"] = df["target"].map(lambda v: f"d{int(v)}")
    return df.drop(columns=["target"])


def diabetes():
    d = datasets.load_diabetes(as_frame=True, scaled=False)
    df = d.frame.copy()
    return df.rename(columns={"target": "progression"})


# name, task, target, frame
CASES = [
    ("breast_cancer", "binary", "diagnosis", lambda: pd.read_csv(os.path.join(fixtures, "breast_cancer.csv"))),
    ("flights_20k", "binary", "delayed", flights),
    ("birdstrikes", "binary", "damaged", birdstrikes),
    ("football", "binary", "home_win", football),
    ("wine", "multiclass", "cultivar", lambda: pd.read_csv(os.path.join(fixtures, "wine.csv"))),
    ("penguins", "multiclass", "Species", lambda: pd.read_json(os.path.join(vega, "penguins.json"))),
    ("seattle_weather", "multiclass", "weather", lambda: pd.read_csv(os.path.join(vega, "seattle-weather.csv"))),
    ("digits", "multiclass", "digit", digits),
    ("cars", "regression", "Miles_per_Gallon", lambda: pd.read_json(os.path.join(vega, "cars.json"))),
    ("movies", "regression", "IMDB Rating", lambda: pd.read_json(os.path.join(vega, "movies.json"))),
    ("diabetes", "regression", "progression", diabetes),
]

manifest = []
for name, task, target, load in CASES:
    df = load()
    df = df[df[target].notna()].reset_index(drop=True)
    stratify = df[target] if task != "regression" else None
    train, test = train_test_split(df, test_size=0.25, random_state=0, stratify=stratify)
    paths = {part: os.path.join(out, f"{name}-{part}.csv") for part in ("train", "test")}
    train.to_csv(paths["train"], index=False)
    test.to_csv(paths["test"], index=False)
    manifest.append({"name": name, "task": task, "target": target, "rows": len(df), "columns": len(df.columns) - 1, **paths})
    print(f"{name}: {len(train)} train / {len(test)} test rows, {len(df.columns) - 1} features", file=sys.stderr)
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
