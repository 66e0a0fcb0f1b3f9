#!/usr/bin/env python3
"""The authors' recordings analysis (comp_ridge / comp_dim_var_fit of their
experimental_data_compute_results notebook) with scikit-learn, as a reference for
`rnnlab recording` (docs/science.md §4.9).

Usage: python3 recording_reference.py FILE.npz [more.npz ...]
Prints one JSON object per file with alpha, r2, rho, rho_sqrtN, participation_ratio,
d_var, d_fit, rel_fit_dim and r2_curve (the deterministic part; the neuron subsampling
draws random subsets and is left out). Needs numpy and scikit-learn
(Debian: apt-get install python3-sklearn).
"""
import json
import sys

import numpy as np
from numpy.linalg import norm, svd
from sklearn.linear_model import RidgeCV


def analyse(X, y, d_thr=0.9):
    X = X.astype(float)
    y = y.astype(float)
    if y.ndim == 1:
        y = y[:, None]
    X = X - X.mean(0)
    y = y - y.mean(0)
    ridge = RidgeCV(alphas=np.logspace(-3, 6, 20))
    ridge.fit(X, y)
    r2 = ridge.score(X, y)
    alpha = ridge.alpha_
    w = ridge.coef_
    rho = norm(X @ w.T) / (norm(X) * norm(w))
    nX = (X ** 2).sum()
    pr = nX ** 2 / ((X.T @ X) ** 2).sum()
    U, S, _ = svd(X.T, full_matrices=False)
    cevr = (S ** 2).cumsum() / (S ** 2).sum()
    d_var = int(np.where(cevr > d_thr)[0][0] + 1)
    d_fit, curve = None, []
    for k in range(1, X.shape[1] + 1):
        Xk = X @ U[:, :k]
        ridge.fit(Xk, y)
        curve.append(ridge.score(Xk, y))
        if curve[-1] > r2 * d_thr:
            d_fit = k
            break
    return {
        "alpha": float(alpha), "r2": float(r2), "rho": float(rho), "rho_sqrtN": float(rho * np.sqrt(X.shape[1])),
        "participation_ratio": float(pr), "d_var": d_var, "d_fit": d_fit,
        "rel_fit_dim": None if d_fit is None else d_fit / d_var, "r2_curve": [float(c) for c in curve],
    }


def main(paths):
    for p in paths:
        d = np.load(p)
        X = d["activity"].reshape(-1, d["activity"].shape[-1])
        b = d["behaviour"]
        y = b.reshape(-1, b.shape[-1]) if b.ndim == 3 else b.reshape(X.shape[0], -1)
        print(json.dumps({"file": p, **analyse(X, y)}))


if __name__ == "__main__":
    main(sys.argv[1:])
