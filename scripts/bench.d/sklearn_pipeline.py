"""The scikit-learn side of scripts/bench, run as a fresh /usr/bin/python3 process.

Usage: /usr/bin/python3 sklearn_pipeline.py IN.csv OUT.csv

The same job as `ad-train` + `ad-score` on a plain numeric table: pandas read_csv,
IsolationForest(n_estimators=100, max_samples=256, random_state=0) fit on every row,
score_samples on every row, then to_csv of the input columns plus anomaly_score
(= -score_samples, the paper's s) and anomaly_flag (sklearn's own contamination='auto'
threshold). It writes fewer columns than ad-score (no severity, no reasons), which
favours scikit-learn. Phase times go to stderr as one JSON line.
"""
import json
import sys
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402

t_import = time.perf_counter()
df = pd.read_csv(sys.argv[1])
t_read = time.perf_counter()
forest = IsolationForest(n_estimators=100, max_samples=256, random_state=0)
forest.fit(df.values)
t_fit = time.perf_counter()
s = -forest.score_samples(df.values)
t_score = time.perf_counter()
df["anomaly_score"] = np.round(s, 6)
df["anomaly_flag"] = (s > -forest.offset_).astype(int)
df.to_csv(sys.argv[2], index=False)
t_write = time.perf_counter()
print(json.dumps({"import": t_import - t0, "read": t_read - t_import, "fit": t_fit - t_read,
                  "score": t_score - t_fit, "write": t_write - t_score}), file=sys.stderr)
