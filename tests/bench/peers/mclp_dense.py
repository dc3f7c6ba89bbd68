#!/usr/bin/python3
"""Dense-matrix maximal covering, built the way PySAL spopt's MCLP builds it: a full
demand × candidate coverage matrix in numpy, then the integer programme (here solved with
SciPy's HiGHS MILP, as spopt hands its PuLP model to a solver). Reads the max-cover LP that
`gridwatch plan --write-lp` writes, so both solve the same instance.
usage: mclp_dense.py FILE.lp K TIME_LIMIT_S MEMORY_LIMIT_GB"""
import re, sys, time
import numpy as np

path, k, limit, mem_gb = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
t0 = time.time()
text = open(path).read()
obj_part = text[text.index("Minimize"):text.index("Subject To")]
cons_part = text[text.index("Subject To"):text.index("Bounds")]
def coef(c):
    c = c.replace(" ", "")
    return -1.0 if c == "-" else 1.0 if c in ("", "+") else float(c)
weights = {int(v): -coef(c) for c, v in re.findall(r"([-+]?\s*[\d.]*)\s*x(\d+)", obj_part.split(":", 1)[1])}
rows = []
for block in re.split(r"\n(?=cons\d+:)", cons_part.split("\n", 1)[1]):
    xs = [int(v) for v in re.findall(r"x(\d+)", block)]
    if "<= 0" in block:
        rows.append(xs)
ycols = [r[-1] for r in rows]
ncols = min(ycols) if ycols else 0
nrows = len(rows)
need_gb = nrows * ncols / 1e9  # one byte per entry, as a boolean matrix
if need_gb > mem_gb:
    print(f"dense: gives up: the {nrows} × {ncols} coverage matrix needs {need_gb:.1f} GB (> {mem_gb} GB)")
    sys.exit(0)
A = np.zeros((nrows, ncols), dtype=np.int8)
for i, r in enumerate(rows):
    A[i, r[:-1]] = 1
w = np.array([weights.get(c, 0.0) for c in ycols])
t_build = time.time() - t0
from scipy.optimize import milp, LinearConstraint, Bounds
from scipy.sparse import csr_matrix, hstack, vstack, identity
# Variables: x (ncols, binary), y (nrows, [0,1]); max w·y; y ≤ A x; Σx ≤ K.
cons1 = LinearConstraint(hstack([-csr_matrix(A), identity(nrows, format="csr")]), -np.inf, 0)
cons2 = LinearConstraint(hstack([csr_matrix(np.ones((1, ncols))), csr_matrix((1, nrows))]), -np.inf, k)
c = np.concatenate([np.zeros(ncols), -w])
integrality = np.concatenate([np.ones(ncols), np.zeros(nrows)])
t1 = time.time()
res = milp(c, constraints=[cons1, cons2], integrality=integrality, bounds=Bounds(0, 1),
           options={"time_limit": limit, "disp": False})
t_solve = time.time() - t1
status = "optimal" if res.status == 0 else f"status {res.status} ({res.message})"
val = -res.fun if res.x is not None else float("nan")
print(f"dense: {nrows} × {ncols} matrix ({need_gb:.2f} GB), build {t_build:.2f} s, HiGHS {t_solve:.2f} s, {status}, objective {val:.1f}")
