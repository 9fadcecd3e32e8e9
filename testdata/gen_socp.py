"""Convex QCQP test set for the second-order cone route.

Each model is described once (`Model` below: squares of affine forms, linear rows,
one-sided quadratic rows, bounds) and written by Pyomo's text .nl writer:
to testdata/nl/socp_*.nl, except the models whose .nl file is too large to commit
(`committed=False`, over 2 MB), which benches/socp_routes.py writes with `write`
into target/socp-bench/ when it runs. socp_clarabel.py builds the equivalent SOCP
of the same descriptions for Clarabel.

Run once from the repository root:  python3 testdata/gen_socp.py
"""

import os
from dataclasses import dataclass, field

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nl")

# A square term: coef * (sum(val * x[idx]) + const)^2, idx/val as lists.
Square = tuple


@dataclass
class QuadRow:
    """'le': sum of squares + lin'x <= bound;  'ge': lin'x - sum of squares >= bound."""

    squares: list
    lin: dict
    side: str
    bound: float


@dataclass
class Model:
    name: str
    n: int
    sense: str = "min"
    obj_squares: list = field(default_factory=list)  # (coef, idx, val, const)
    obj_lin: dict = field(default_factory=dict)
    obj_const: float = 0.0
    lin_rows: list = field(default_factory=list)  # (idx, val, lo, hi), None = infinite
    quad_rows: list = field(default_factory=list)
    lo: list = None
    hi: list = None
    committed: bool = True  # False: written by the benchmark, not kept in testdata/nl


def portfolio_small():
    """max mu'x  s.t.  sum x = 1,  sum s_i^2 x_i^2 <= sigma^2  (x free)."""
    mu = [0.05, 0.07, 0.10, 0.12, 0.15]
    s = [0.10, 0.15, 0.20, 0.25, 0.30]
    n = len(mu)
    m = Model("socp_portfolio_small", n, sense="max")
    m.obj_lin = {j: mu[j] for j in range(n)}
    m.lin_rows = [(list(range(n)), [1.0] * n, 1.0, 1.0)]
    m.quad_rows = [QuadRow([([j], [s[j]], 0.0) for j in range(n)], {}, "le", 0.15**2)]
    return m


def portfolio_factor(name, n_assets, n_factors, seed):
    """max mu'x  s.t.  sum x = 1,  y = B'x,  |y|^2 + sum d_j x_j^2 <= sigma^2,
    0 <= x <= cap (variables x then y)."""
    rng = np.random.RandomState(seed)
    mu = 0.02 + 0.15 * rng.rand(n_assets)
    d = 0.05 + 0.2 * rng.rand(n_assets)
    n = n_assets + n_factors
    m = Model(name, n, sense="max")
    m.obj_lin = {j: float(mu[j]) for j in range(n_assets)}
    m.lin_rows.append((list(range(n_assets)), [1.0] * n_assets, 1.0, 1.0))
    loads = {k: ([], []) for k in range(n_factors)}
    per_asset = min(3, n_factors)
    for j in range(n_assets):
        for k in rng.choice(n_factors, per_asset, replace=False):
            loads[k][0].append(j)
            loads[k][1].append(float(0.1 + 0.4 * rng.rand()))
    for k in range(n_factors):
        idx, val = loads[k]
        m.lin_rows.append((idx + [n_assets + k], val + [-1.0], 0.0, 0.0))
    squares = [([n_assets + k], [1.0], 0.0) for k in range(n_factors)]
    squares += [([j], [float(np.sqrt(d[j]))], 0.0) for j in range(n_assets)]
    cap = min(1.0, 20.0 / n_assets)
    # Risk limit halfway between the equal-weight portfolio's risk and that of the
    # best-return portfolio without a limit (capped weights on the best assets), so
    # the limit is feasible and active.
    b = np.zeros((n_factors, n_assets))
    for k in range(n_factors):
        b[k, loads[k][0]] = loads[k][1]

    def risk(x):
        return float(np.sum((b @ x) ** 2) + np.sum(d * x * x))

    best = np.zeros(n_assets)
    left = 1.0
    for j in np.argsort(-mu):
        best[j] = min(cap, left)
        left -= best[j]
    equal = np.full(n_assets, 1.0 / n_assets)
    m.quad_rows = [QuadRow(squares, {}, "le", 0.5 * (risk(equal) + risk(best)))]
    m.lo = [0.0] * n_assets + [None] * n_factors
    m.hi = [cap] * n_assets + [None] * n_factors
    return m


def ball_lsq_small():
    """min (x0-3)^2 + (x1-4)^2 + x2^2  s.t.  |x|^2 <= 1."""
    m = Model("socp_ball_lsq_small", 3)
    m.obj_squares = [(1.0, [0], [1.0], -3.0), (1.0, [1], [1.0], -4.0), (1.0, [2], [1.0], 0.0)]
    m.quad_rows = [QuadRow([([j], [1.0], 0.0) for j in range(3)], {}, "le", 1.0)]
    return m


def ball_lsq(name, rows, cols, per_row, seed):
    """min |Ax - b|^2  s.t.  |x|^2 <= r^2 with r below the unconstrained solution's norm."""
    rng = np.random.RandomState(seed)
    m = Model(name, cols)
    dense = np.zeros((rows, cols))
    for i in range(rows):
        idx = sorted(rng.choice(cols, min(per_row, cols), replace=False).tolist())
        val = rng.randn(len(idx)).tolist()
        dense[i, idx] = val
        b = float(rng.randn() * 3.0)
        m.obj_squares.append((1.0, idx, val, -b))
    b_vec = np.array([-sq[3] for sq in m.obj_squares])
    x_ls = np.linalg.lstsq(dense, b_vec, rcond=None)[0]
    radius = 0.5 * float(np.linalg.norm(x_ls))
    m.quad_rows = [QuadRow([([j], [1.0], 0.0) for j in range(cols)], {}, "le", radius**2)]
    return m


def trust_region_small():
    """min 1/2 x'diag(1, 1, 3)x - 3x0 - 4x1  s.t.  |x|^2 <= 1."""
    m = Model("socp_trust_region_small", 3)
    h = [1.0, 1.0, 3.0]
    m.obj_squares = [(0.5 * h[j], [j], [1.0], 0.0) for j in range(3)]
    m.obj_lin = {0: -3.0, 1: -4.0}
    m.quad_rows = [QuadRow([([j], [1.0], 0.0) for j in range(3)], {}, "le", 1.0)]
    return m


def trust_region(name, n, rank, seed):
    """min 1/2 |G'x|^2 + g'x  s.t.  |x|^2 <= 1 with G of rank < n (singular Hessian)."""
    rng = np.random.RandomState(seed)
    m = Model(name, n)
    g = rng.randn(rank, n)
    for k in range(rank):
        m.obj_squares.append((0.5, list(range(n)), g[k].tolist(), 0.0))
    m.obj_lin = {j: float(v) for j, v in enumerate(rng.randn(n))}
    m.quad_rows = [QuadRow([([j], [1.0], 0.0) for j in range(n)], {}, "le", 1.0)]
    return m


def qcqp_blocks(name, n_blocks, block, seed):
    """min sum (x_j - c_j)^2 + e'x with per block a chain row
    sum (x_j - x_j+1)^2 + 1/2 sum x_j^2 + a'x <= u (a convex row of full rank),
    a global row 2 sum x - sum x^2 >= -R (concave on its >= side), and a few
    linear rows."""
    rng = np.random.RandomState(seed)
    n = n_blocks * block
    m = Model(name, n)
    c = 1.0 + rng.rand(n)
    m.obj_squares = [(1.0, [j], [1.0], float(-c[j])) for j in range(n)]
    m.obj_lin = {j: float(v) for j, v in enumerate(0.1 * rng.randn(n))}
    for b in range(n_blocks):
        js = list(range(b * block, (b + 1) * block))
        squares = [([j, j + 1], [1.0, -1.0], 0.0) for j in js[:-1]]
        squares += [([j], [np.sqrt(0.5)], 0.0) for j in js]
        lin = {j: float(v) for j, v in zip(js, 0.2 * rng.randn(block))}
        m.quad_rows.append(QuadRow(squares, lin, "le", float(0.2 * block)))
    m.quad_rows.append(
        QuadRow([([j], [1.0], 0.0) for j in range(n)], {j: 2.0 for j in range(n)}, "ge", -0.5 * n)
    )
    for _ in range(10):
        idx = sorted(rng.choice(n, 50, replace=False).tolist())
        m.lin_rows.append((idx, [1.0] * len(idx), None, 30.0))
    m.committed = n < 10000
    return m


def qcqp_chain(name, n, chain, seed):
    """min -sum w_j x_j + 1/10 sum x_j^2 with one long chain row (a coupled block of
    `chain` variables, factored sparsely), its negated twin on the next variables as
    a >= row, and a ball row on all variables."""
    rng = np.random.RandomState(seed)
    m = Model(name, n)
    m.obj_squares = [(0.1, [j], [1.0], 0.0) for j in range(n)]
    m.obj_lin = {j: float(-(0.5 + rng.rand())) for j in range(n)}
    first = list(range(chain))
    squares = [([j, j + 1], [1.0, -1.0], 0.0) for j in first[:-1]]
    squares += [([j], [np.sqrt(0.1)], 0.0) for j in first]
    m.quad_rows.append(QuadRow(squares, {}, "le", 0.05 * chain))
    second = list(range(chain, 2 * chain))
    squares = [([j, j + 1], [1.0, -1.0], 0.0) for j in second[:-1]]
    squares += [([j], [np.sqrt(0.2)], 0.0) for j in second]
    m.quad_rows.append(QuadRow(squares, {j: 0.1 for j in second}, "ge", -0.05 * chain))
    m.quad_rows.append(QuadRow([([j], [1.0], 0.0) for j in range(n)], {}, "le", 0.3 * n))
    m.lo = [-10.0] * n
    m.hi = [10.0] * n
    return m


def models():
    return [
        portfolio_small(),
        portfolio_factor("socp_portfolio_dense", 12, 4, 1),
        portfolio_factor("socp_portfolio_large", 4000, 30, 2),
        ball_lsq_small(),
        ball_lsq("socp_ball_lsq_dense", 15, 10, 10, 3),
        ball_lsq("socp_ball_lsq_large", 4000, 3000, 5, 4),
        trust_region_small(),
        trust_region("socp_trust_region_dense", 40, 25, 5),
        qcqp_blocks("socp_qcqp_blocks_20k", 200, 100, 6),
        qcqp_blocks("socp_qcqp_blocks_50k", 500, 100, 8),
        qcqp_chain("socp_qcqp_chain_10k", 10000, 2000, 7),
    ]


def affine(x, idx, val, const=0.0):
    expr = sum(v * x[j] for j, v in zip(idx, val))
    return expr + const if const != 0.0 else expr


def to_pyomo(md):
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(md.name)
    lo = md.lo or [None] * md.n
    hi = md.hi or [None] * md.n
    m.x = pyo.Var(range(md.n), bounds=lambda _, j: (lo[j], hi[j]), initialize=0.0)
    x = m.x
    obj = sum(coef * affine(x, idx, val, const) ** 2 for coef, idx, val, const in md.obj_squares)
    obj = obj + sum(v * x[j] for j, v in md.obj_lin.items()) + md.obj_const
    m.obj = pyo.Objective(expr=obj, sense=pyo.maximize if md.sense == "max" else pyo.minimize)
    m.lin = pyo.ConstraintList()
    for idx, val, lo_, hi_ in md.lin_rows:
        body = affine(x, idx, val)
        if lo_ is not None and lo_ == hi_:
            m.lin.add(body == lo_)
        else:
            m.lin.add(pyo.inequality(lo_, body, hi_))
    m.quad = pyo.ConstraintList()
    for row in md.quad_rows:
        sq = sum(affine(x, idx, val, const) ** 2 for idx, val, const in row.squares)
        lin = sum(v * x[j] for j, v in row.lin.items()) if row.lin else 0.0
        if row.side == "le":
            m.quad.add(sq + lin <= row.bound)
        else:
            m.quad.add(lin - sq >= row.bound)
    return m


def write(md, directory):
    """Writes md's .nl file into directory; returns its path."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, md.name + ".nl")
    to_pyomo(md).write(path, format="nl", io_options={"symbolic_solver_labels": False})
    for extra in (".row", ".col"):
        if os.path.exists(path[:-3] + extra):
            os.remove(path[:-3] + extra)
    return path


def main():
    for md in models():
        if md.committed:
            path = write(md, OUT)
            print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
