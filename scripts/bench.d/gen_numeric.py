"""Deterministic plain numeric CSV for scripts/bench: 10 columns x0..x9, 1% outliers.

Usage: /usr/bin/python3 gen_numeric.py ROWS OUT.csv [SEED]

The rows come in blocks of 100000 from one numpy generator, so a file of N rows is the
first N rows of any longer file with the same seed. Columns mix what real tables hold:
correlated normals, a heavy tail, counts with ties, a bimodal column, a uniform one.
Values are written with 6 significant digits. There is no label column.
"""
import sys

import numpy as np

BLOCK = 100_000
COLUMNS = [f"x{j}" for j in range(10)]
MIX = np.array([[1.0, 0.0, 0.0, 0.0],
                [0.8, 0.6, 0.0, 0.0],
                [0.5, -0.3, 0.8, 0.0],
                [0.0, 0.4, 0.4, 0.8]])


def block(rng, m):
    X = np.empty((m, 10))
    X[:, 0:4] = rng.standard_normal((m, 4)) @ MIX.T * 10 + 100
    X[:, 4] = rng.lognormal(2.0, 0.8, m)
    X[:, 5] = rng.uniform(0, 100, m)
    X[:, 6] = rng.poisson(3.0, m)
    X[:, 7] = rng.exponential(50.0, m)
    X[:, 8] = np.where(rng.random(m) < 0.3, rng.normal(-5, 1, m), rng.normal(5, 1.5, m))
    X[:, 9] = rng.normal(0, 1, m)
    out = rng.random(m) < 0.01
    k = int(out.sum())
    # Outliers: shifted hard in 3 random columns.
    cols = np.argsort(rng.random((k, 10)), axis=1)[:, :3]
    shift = rng.choice([-1.0, 1.0], size=(k, 3)) * rng.uniform(4, 8, (k, 3))
    sd = X.std(axis=0)
    rows = np.flatnonzero(out)
    for c in range(3):
        X[rows, cols[:, c]] += shift[:, c] * sd[cols[:, c]]
    return X


def write(path, rows, seed=20250101):
    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        f.write(",".join(COLUMNS) + "\n")
        left = rows
        while left > 0:
            X = block(rng, BLOCK)
            m = min(left, BLOCK)
            np.savetxt(f, X[:m], fmt="%.6g", delimiter=",")
            left -= m


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[2])
    write(sys.argv[2], int(sys.argv[1]), int(sys.argv[3]) if len(sys.argv) == 4 else 20250101)
