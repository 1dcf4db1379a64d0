"""Real public data sets for the quality bench (issue 5), split once into fixed train/test CSVs that
Hyperplane and the scikit-learn peers both read. Sources ship offline: vega-datasets (npm; BSD-3-Clause, each set's
own source in its README), scikit-learn's bundled files and generators (Debian's python3-sklearn; BSD-3-Clause) and
statsmodels' data sets (Debian's python3-statsmodels; BSD-3-Clause, each set's source in its module).

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


def iris():
    return sk_frame(datasets.load_iris, "species", ["setosa", "versicolor", "virginica"])


def friedman():
    # Friedman #1: y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + noise, five noise columns: a small nonlinear regression.
    X, y = datasets.make_friedman1(n_samples=500, n_features=10, noise=1.0, random_state=0)
    df = pd.DataFrame(X, columns=[f"x{i + 1}" for i in range(10)])
    df["y"] = y
    return df


def classes5():
    # Five classes from 20 columns (8 informative, 4 redundant), 2,000 rows: a generated multiclass set.
    X, y = datasets.make_classification(n_samples=2000, n_features=20, n_informative=8, n_redundant=4, n_classes=5, n_clusters_per_class=1, random_state=0)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(20)])
    df["cls"] = [f"c{v}" for v in y]
    return df


def unemployment():
    df = pd.read_json(os.path.join(vega, "unemployment-across-industries.json"))
    df["date"] = pd.to_datetime(df["date"], utc=True).dt.strftime("%Y-%m-%d")
    # The count is the unemployed in thousands, the rate a share of the industry's workers: related, not the same.
    return df


def statsmodels_frame(name):
    # Debian's python3-statsmodels ships these (BSD-3-Clause; each set's own source and licence in its module's docstring).
    import statsmodels.api as sm

    return getattr(sm.datasets, name).load_pandas().data.copy()


def fair():
    df = statsmodels_frame("fair")
    df["affair"] = np.where(df["affairs"] > 0, "yes", "no")
    return df.drop(columns=["affairs"])


def anes96():
    df = statsmodels_frame("anes96")
    df["party"] = [f"p{int(v)}" for v in df["PID"]]
    return df.drop(columns=["PID"])


def star98():
    df = statsmodels_frame("star98")
    df["share_above"] = df["NABOVE"] / (df["NABOVE"] + df["NBELOW"])
    return df.drop(columns=["NABOVE", "NBELOW"])


def grunfeld():
    df = statsmodels_frame("grunfeld")
    df["firm"] = df["firm"].astype(str)
    return df


def weather_ny():
    df = pd.read_csv(os.path.join(vega, "weather.csv"))
    return df[df["location"] == "New York"].drop(columns=["location"])


def generated(kind):
    if kind == "hastie":
        X, y = datasets.make_hastie_10_2(n_samples=2000, random_state=0)
    elif kind == "moons":
        X, y = datasets.make_moons(n_samples=1000, noise=0.3, random_state=0)
    elif kind == "imbalanced":
        X, y = datasets.make_classification(n_samples=3000, n_features=15, n_informative=6, weights=[0.9], flip_y=0.02, random_state=0)
    else:
        X, y = datasets.make_regression(n_samples=500, n_features=20, n_informative=5, noise=10.0, random_state=0)
    df = pd.DataFrame(X, columns=[f"x{i + 1}" for i in range(X.shape[1])])
    df["y"] = y if kind == "linear" else np.where(y > 0, "pos", "neg")
    return df


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
    # Added with issue 25: small multiclass and regression sets, and a categorical column of 60+ levels.
    ("iris", "multiclass", "species", iris),
    ("classes5", "multiclass", "cls", classes5),
    ("gapminder", "regression", "life_expect", lambda: pd.read_json(os.path.join(vega, "gapminder.json"))),
    ("barley", "regression", "yield", lambda: pd.read_json(os.path.join(vega, "barley.json"))),
    ("friedman1", "regression", "y", friedman),
    ("unemployment", "regression", "rate", unemployment),
    ("fair", "binary", "affair", fair),
    ("hastie", "binary", "y", lambda: generated("hastie")),
    ("moons", "binary", "y", lambda: generated("moons")),
    ("imbalanced", "binary", "y", lambda: generated("imbalanced")),
    ("anes96", "multiclass", "party", anes96),
    ("weather_ny", "multiclass", "weather", weather_ny),
    ("star98", "regression", "share_above", star98),
    ("randhie", "regression", "mdvis", lambda: statsmodels_frame("randhie")),
    ("grunfeld", "regression", "invest", grunfeld),
    ("jobs", "regression", "perc", lambda: pd.read_json(os.path.join(vega, "jobs.json")).drop(columns=["count"])),
    ("population", "regression", "people", lambda: pd.read_json(os.path.join(vega, "population.json"))),
    ("income", "regression", "pct", lambda: pd.read_json(os.path.join(vega, "income.json")).drop(columns=["id"])),
    ("linear", "regression", "y", lambda: generated("linear")),
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
