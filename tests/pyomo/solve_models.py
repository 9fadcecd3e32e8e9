"""Solve small models through Pyomo with pounce as the AMPL solver executable.

Usage: python3 solve_models.py POUNCE_EXECUTABLE

Each check compares with values derived by hand from the model's KKT conditions, not
with earlier pounce output. Prints one line per check and exits 1 if any failed.
"""
import sys

import pyomo.environ as pyo
from pyomo.opt import TerminationCondition as TC

pounce = sys.argv[1]
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures.append(name)


def close(a, b, tol=1e-6):
    return abs(a - b) <= tol * max(1.0, abs(b))


def projection_model(sense):
    """min (x-2)^2 + (y-1)^2 (or max of its negative) s.t. x + y <= 2, x >= 0, y <= 0.25.

    KKT by hand: y = 0.25 (upper bound active), x = 1.75 (row active); with the row
    multiplier lam: 2(x-2) + lam = 0 gives lam = 0.5, and 2(y-1) + lam + zU = 0 gives
    zU = 1.
    """
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None), initialize=0.5)
    m.y = pyo.Var(bounds=(None, 0.25), initialize=0.0)
    expr = (m.x - 2) ** 2 + (m.y - 1) ** 2
    if sense == "min":
        m.obj = pyo.Objective(expr=expr)
    else:
        m.obj = pyo.Objective(expr=-expr, sense=pyo.maximize)
    m.row = pyo.Constraint(expr=m.x + m.y <= 2)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    m.ipopt_zL_out = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    m.ipopt_zU_out = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    return m


for sense in ("min", "max"):
    m = projection_model(sense)
    res = pyo.SolverFactory("ipopt", executable=pounce).solve(m)
    tc = res.solver.termination_condition
    check(f"{sense}: optimal", tc == TC.optimal, str(tc))
    check(f"{sense}: x", close(pyo.value(m.x), 1.75), str(pyo.value(m.x)))
    check(f"{sense}: y", close(pyo.value(m.y), 0.25), str(pyo.value(m.y)))
    obj = 0.25 ** 2 + 0.75 ** 2
    check(f"{sense}: objective", close(pyo.value(m.obj), obj if sense == "min" else -obj))
    # AMPL's convention: dual = d(optimal objective)/d(bound). Raising the row's bound 2
    # lowers the minimum at rate lam = 0.5, so the dual is -0.5 for min; for max the
    # objective is -(...), which rises at rate 0.5, so +0.5.
    want = -0.5 if sense == "min" else 0.5
    check(f"{sense}: row dual", close(m.dual[m.row], want, 1e-5), str(m.dual[m.row]))
    # Upper bound on y: z_U = 1; ipopt_zU_out = -z_U for min, +z_U for max (spec B.3).
    want = -1.0 if sense == "min" else 1.0
    got = m.ipopt_zU_out.get(m.y, 0.0)
    check(f"{sense}: ipopt_zU_out[y]", close(got, want, 1e-5), str(got))

# An infeasible model: x + y >= 3 with both variables at most 1.
m = pyo.ConcreteModel()
m.x = pyo.Var(bounds=(0, 1))
m.y = pyo.Var(bounds=(0, 1))
m.obj = pyo.Objective(expr=m.x ** 2 + m.y ** 2)
m.row = pyo.Constraint(expr=m.x * m.y + m.x + m.y >= 4)
res = pyo.SolverFactory("ipopt", executable=pounce).solve(m, load_solutions=False)
tc = res.solver.termination_condition
check("infeasible model reported infeasible", tc == TC.infeasible, str(tc))

# An option passed through Pyomo really reaches the solver: max_iter=2 stops HS071.
m = pyo.ConcreteModel()
m.x = pyo.Var(range(4), bounds=(1, 5), initialize={0: 1, 1: 5, 2: 5, 3: 1})
m.obj = pyo.Objective(expr=m.x[0] * m.x[3] * (m.x[0] + m.x[1] + m.x[2]) + m.x[2])
m.c1 = pyo.Constraint(expr=m.x[0] * m.x[1] * m.x[2] * m.x[3] >= 25)
m.c2 = pyo.Constraint(expr=sum(m.x[i] ** 2 for i in range(4)) == 40)
solver = pyo.SolverFactory("ipopt", executable=pounce)
solver.options["max_iter"] = 2
res = solver.solve(m, load_solutions=False)
tc = res.solver.termination_condition
check("max_iter=2 through Pyomo gives maxIterations", tc == TC.maxIterations, str(tc))
res = pyo.SolverFactory("asl:pounce", executable=pounce).solve(m)
tc = res.solver.termination_condition
check("asl:pounce solves HS071", tc == TC.optimal, str(tc))
check("asl:pounce HS071 objective", close(pyo.value(m.obj), 17.014017145, 1e-8),
      str(pyo.value(m.obj)))

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
