"""One measured run of pandas.read_csv in a fresh process. Prints JSON: wall time and peak RSS."""
import json
import resource
import sys
import time

import pandas as pd

path = sys.argv[1]
t0 = time.perf_counter()
frame = pd.read_csv(path)
elapsed = time.perf_counter() - t0
print(json.dumps({
    "rows": int(frame.shape[0]),
    "columns": int(frame.shape[1]),
    "loadMs": elapsed * 1000,
    "peakRss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "pandas": pd.__version__,
}))
