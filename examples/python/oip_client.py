"""Score a CSV file with a model served by `hyperplane serve`, through the Open Inference Protocol v2.

    python3 examples/python/oip_client.py --url http://localhost:8080 --model penguins data.csv [--key KEY]

Reads the model's inputs from GET /v2/models/MODEL (each input's name and datatype), sends the file's rows as
one tensor per input column to POST /v2/models/MODEL/infer, and prints one line per row: the prediction, then
each class's probability (classification). An empty cell is sent as null, which the model scores as missing.
The same request works against any server that speaks the protocol (KServe, Triton, Seldon MLServer).
Needs `requests` (Debian: python3-requests).
"""
import argparse
import csv
import sys

import requests


def tensor(name, datatype, values):
    """One input column as a v2 tensor: numbers as FP64, everything else as BYTES (UTF-8 text)."""
    if datatype == "FP64":
        data = [None if v in ("", None) else float(v) for v in values]
    else:
        data = [None if v in ("", None) else v for v in values]
    return {"name": name, "shape": [len(data)], "datatype": datatype, "data": data}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="the rows to score, with a header row naming the model's input columns")
    parser.add_argument("--url", default="http://localhost:8080", help="the server (default http://localhost:8080)")
    parser.add_argument("--model", required=True, help="NAME or NAME@ALIAS")
    parser.add_argument("--key", help="an API key with the predict scope (hyperplane keys create NAME --scope predict)")
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {args.key}"} if args.key else {}
    base = args.url.rstrip("/")

    metadata = requests.get(f"{base}/v2/models/{args.model}", headers=headers, timeout=30)
    metadata.raise_for_status()
    inputs = metadata.json()["inputs"]
    with open(args.csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    missing = [i["name"] for i in inputs if rows and i["name"] not in rows[0]]
    if missing:
        sys.exit(f"{args.csv}: no column {', '.join(missing)} (the model takes {', '.join(i['name'] for i in inputs)})")

    body = {"id": args.csv, "inputs": [tensor(i["name"], i["datatype"], [r[i["name"]] for r in rows]) for i in inputs]}
    answer = requests.post(f"{base}/v2/models/{args.model}/infer", json=body, headers=headers, timeout=60)
    if answer.status_code != 200:
        sys.exit(f"the server refused the request ({answer.status_code}): {answer.text}")
    outputs = {o["name"]: o for o in answer.json()["outputs"]}
    predictions = outputs["prediction"]["data"]
    probabilities = outputs.get("probabilities")
    k = probabilities["shape"][1] if probabilities else 0
    for i, prediction in enumerate(predictions):
        cells = [str(prediction)] + ([repr(p) for p in probabilities["data"][i * k : (i + 1) * k]] if probabilities else [])
        print(",".join(cells))


if __name__ == "__main__":
    main()
