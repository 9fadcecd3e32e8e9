"""Clarabel's optimum on the SOCP equivalent to each model of gen_socp.py.

Each model's description (squares of affine forms, linear rows, one-sided quadratic
rows) is turned into  min 1/2 x'Px + q'x  s.t.  Ax + s = b,  s in K  with a rotated
second-order cone per quadratic row:  sum (f_k'x + c_k)^2 <= t  iff
((1 + t)/2, (1 - t)/2, F'x + c) in SOC. Writes testdata/socp_reference.json with the
model objective (in the model's own sense), Clarabel's status and solve time.

Run once from the repository root:  python3 testdata/socp_clarabel.py
"""

import json
import os
import sys
import time

import clarabel
import numpy as np
from scipy import sparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_socp  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "socp_reference.json")


def conic_form(md):
    n = md.n
    sign = -1.0 if md.sense == "max" else 1.0
    p_rows, p_cols, p_vals = [], [], []
    q = np.zeros(n)
    const = md.obj_const
    for coef, idx, val, c in md.obj_squares:
        # coef (f'x + c)^2 = coef x'ff'x + 2 coef c f'x + coef c^2; P = 2 coef ff'.
        for a, va in zip(idx, val):
            for b, vb in zip(idx, val):
                p_rows.append(a)
                p_cols.append(b)
                p_vals.append(2.0 * coef * va * vb)
            q[a] += 2.0 * coef * c * va
        const += coef * c * c
    for j, v in md.obj_lin.items():
        q[j] += v
    p = sparse.csc_matrix((np.array(p_vals) * sign, (p_rows, p_cols)), shape=(n, n))
    q *= sign
    zero, nonneg, socs = [], [], []  # lists of (row dict, rhs)

    def row(idx, val, scale=1.0):
        return {j: scale * v for j, v in zip(idx, val)}

    for idx, val, lo, hi in md.lin_rows:
        if lo is not None and lo == hi:
            zero.append((row(idx, val), lo))
            continue
        if hi is not None:
            nonneg.append((row(idx, val), hi))
        if lo is not None:
            nonneg.append((row(idx, val, -1.0), -lo))
    for j in range(n):
        lo = md.lo[j] if md.lo else None
        hi = md.hi[j] if md.hi else None
        if hi is not None:
            nonneg.append(({j: 1.0}, hi))
        if lo is not None:
            nonneg.append(({j: -1.0}, -lo))
    for qr in md.quad_rows:
        # le: sum sq <= bound - lin'x;  ge: sum sq <= lin'x - bound.
        s = 1.0 if qr.side == "le" else -1.0
        lin = {j: s * v for j, v in qr.lin.items()}
        u = s * qr.bound
        rows = [
            ({j: 0.5 * v for j, v in lin.items()}, 0.5 * (1.0 + u)),
            ({j: -0.5 * v for j, v in lin.items()}, 0.5 * (1.0 - u)),
        ]
        rows += [(row(idx, val, -1.0), c) for idx, val, c in qr.squares]
        socs.append(rows)
    all_rows = zero + nonneg + [r for cone in socs for r in cone]
    a_rows, a_cols, a_vals = [], [], []
    for i, (r, _) in enumerate(all_rows):
        for j, v in r.items():
            a_rows.append(i)
            a_cols.append(j)
            a_vals.append(v)
    a = sparse.csc_matrix((a_vals, (a_rows, a_cols)), shape=(len(all_rows), n))
    b = np.array([rhs for _, rhs in all_rows])
    cones = []
    if zero:
        cones.append(clarabel.ZeroConeT(len(zero)))
    if nonneg:
        cones.append(clarabel.NonnegativeConeT(len(nonneg)))
    cones += [clarabel.SecondOrderConeT(len(c)) for c in socs]
    return sparse.triu(p, format="csc"), q, a, b, cones, const, sign


def solve(md):
    p, q, a, b, cones, const, sign = conic_form(md)
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    start = time.perf_counter()
    solver = clarabel.DefaultSolver(p, q, a, b, cones, settings)
    sol = solver.solve()
    seconds = time.perf_counter() - start
    return {
        "status": str(sol.status),
        "objective": sign * (sol.obj_val + sign * const),
        "iterations": sol.iterations,
        "seconds": seconds,
        "n": md.n,
    }


def main():
    out = {}
    for md in gen_socp.models():
        out[md.name] = solve(md)
        print(md.name, out[md.name])
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
