"""Solve small models through Pyomo with pounce as the AMPL solver executable.

Usage: python3 solve_models.py POUNCE_EXECUTABLE

Three routes (spec F): the legacy SolverFactory('ipopt', executable=...), the generic
SolverFactory('asl:pounce') and the contrib interface (pyomo.contrib.solver Ipopt), which
accepts an executable whose `--version` starts with `Ipopt <version>`: pounce answers so
when invoked through a link named `ipopt`, which this script makes in a scratch directory.
Options files in the working directory (ipopt.opt, pounce.opt) are checked through each
route. Each check compares with values derived by hand from the model's KKT conditions,
not with earlier pounce output. Prints one line per check and exits 1 if any failed.
"""
import contextlib
import logging
import os
import shutil
import sys
import tempfile

import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory as ContribFactory
from pyomo.contrib.solver.common.results import SolutionStatus
from pyomo.contrib.solver.common.results import TerminationCondition as CTC
from pyomo.opt import TerminationCondition as TC

pounce = os.path.abspath(sys.argv[1])
failures = []
scratch = tempfile.mkdtemp(prefix="pounce-pyomo-")
ipopt_link = os.path.join(scratch, "bin", "ipopt")
os.makedirs(os.path.dirname(ipopt_link))
os.symlink(pounce, ipopt_link)


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

# The contrib interface on the same models: it checks `ipopt --version`, passes options
# on the command line or in an options file, reads the .sol and parses the log.
contrib = ContribFactory("ipopt")


class Complaints(logging.Handler):
    """Collects what the contrib interface logs at WARNING or above (e.g. a log line it
    cannot parse as an iteration row)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


complaints = Complaints()
logging.getLogger("pyomo.contrib.solver").addHandler(complaints)
contrib.config.executable = ipopt_link
check("contrib: accepts pounce through a link named ipopt", bool(contrib.available()),
      str(contrib.available()))
check("contrib: version is Ipopt's interface version", contrib.version() == (3, 14),
      str(contrib.version()))
for sense in ("min", "max"):
    m = projection_model(sense)
    res = contrib.solve(m)
    tc = res.termination_condition
    check(f"contrib {sense}: converged", tc == CTC.convergenceCriteriaSatisfied, str(tc))
    check(f"contrib {sense}: optimal", res.solution_status == SolutionStatus.optimal,
          str(res.solution_status))
    check(f"contrib {sense}: x", close(pyo.value(m.x), 1.75), str(pyo.value(m.x)))
    check(f"contrib {sense}: y", close(pyo.value(m.y), 0.25), str(pyo.value(m.y)))
    obj = 0.25 ** 2 + 0.75 ** 2
    want = obj if sense == "min" else -obj
    check(f"contrib {sense}: objective", close(res.incumbent_objective, want),
          str(res.incumbent_objective))
    # The log's final table is parsed: its unscaled objective is the internal one
    # (minimized), i.e. obj for both senses.
    check(f"contrib {sense}: objective parsed from the log",
          close(res.extra_info.incumbent_objective, obj),
          str(res.extra_info.incumbent_objective))
    iters = res.extra_info.iteration_count
    check(f"contrib {sense}: iteration count parsed", isinstance(iters, int) and iters > 0,
          str(iters))
    dual = res.solution_loader.get_duals()[m.row]
    want = -0.5 if sense == "min" else 0.5
    check(f"contrib {sense}: row dual", close(dual, want, 1e-5), str(dual))
    # Reduced costs come from ipopt_zL_out / ipopt_zU_out: y's is its upper-bound
    # multiplier with AMPL's sign (-1 for min, +1 for max); x's bound is inactive.
    rc = res.solution_loader.get_reduced_costs()
    want = -1.0 if sense == "min" else 1.0
    check(f"contrib {sense}: reduced cost of y", close(rc[m.y], want, 1e-5), str(rc[m.y]))
    check(f"contrib {sense}: reduced cost of x", abs(rc[m.x]) <= 1e-6, str(rc[m.x]))

# An infeasible model: x + y >= 3 with both variables at most 1.
m = pyo.ConcreteModel()
m.x = pyo.Var(bounds=(0, 1))
m.y = pyo.Var(bounds=(0, 1))
m.obj = pyo.Objective(expr=m.x ** 2 + m.y ** 2)
m.row = pyo.Constraint(expr=m.x * m.y + m.x + m.y >= 4)
res = pyo.SolverFactory("ipopt", executable=pounce).solve(m, load_solutions=False)
tc = res.solver.termination_condition
check("infeasible model reported infeasible", tc == TC.infeasible, str(tc))
res = contrib.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
tc = res.termination_condition
check("contrib: infeasible model reported infeasible", tc == CTC.locallyInfeasible, str(tc))

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

# The contrib interface: max_iter goes on the command line; an option outside Pyomo's
# command-line set (max_wall_time) goes into an options file named by option_file_name.
quiet = dict(load_solutions=False, raise_exception_on_nonoptimal_result=False)
res = contrib.solve(m, solver_options={"max_iter": 2}, **quiet)
check("contrib: max_iter=2 gives iterationLimit",
      res.termination_condition == CTC.iterationLimit, str(res.termination_condition))
check("contrib: max_iter=2 stops after 2 iterations", res.extra_info.iteration_count == 2,
      str(res.extra_info.iteration_count))
res = contrib.solve(m, solver_options={"max_wall_time": 1e-9}, **quiet)
check("contrib: max_wall_time travels in an options file",
      any(a.startswith("option_file_name=") for a in res.extra_info.command_line),
      str(res.extra_info.command_line))
check("contrib: max_wall_time from the options file is applied",
      "EXIT: Maximum wallclock time exceeded." in res.solver_log, res.solver_log[-300:])
res = contrib.solve(m, solver_options={"mu_strategy": "adaptive"})
check("contrib: quoted string option accepted (mu_strategy=\"adaptive\")",
      res.termination_condition == CTC.convergenceCriteriaSatisfied
      and "mu_strategy=\"adaptive\"" in res.extra_info.command_line,
      str(res.extra_info.command_line))
check("contrib: every log it read parsed without complaint", not complaints.messages,
      "; ".join(complaints.messages))


@contextlib.contextmanager
def working_directory_with(name, text):
    """Runs the block in a fresh directory holding the options file `name`."""
    here = os.getcwd()
    run_dir = tempfile.mkdtemp(dir=scratch)
    with open(os.path.join(run_dir, name), "w") as f:
        f.write(text)
    os.chdir(run_dir)
    try:
        yield
    finally:
        os.chdir(here)


# An options file in the working directory is applied whichever route runs pounce.
with working_directory_with("ipopt.opt", "# stop early\nmax_iter 1\n"):
    res = pyo.SolverFactory("ipopt", executable=pounce).solve(m, load_solutions=False)
    tc = res.solver.termination_condition
    check("./ipopt.opt max_iter 1 applied (legacy ipopt)", tc == TC.maxIterations, str(tc))
    res = pyo.SolverFactory("asl:pounce", executable=pounce).solve(m, load_solutions=False)
    tc = res.solver.termination_condition
    check("./ipopt.opt max_iter 1 applied (asl:pounce)", tc == TC.maxIterations, str(tc))
    res = contrib.solve(m, **quiet)
    check("./ipopt.opt max_iter 1 applied (contrib)",
          res.termination_condition == CTC.iterationLimit
          and res.extra_info.iteration_count == 1,
          f"{res.termination_condition} after {res.extra_info.iteration_count}")
    # The file's value wins over the command line's, as in Ipopt.
    solver = pyo.SolverFactory("ipopt", executable=pounce)
    solver.options["max_iter"] = 500
    res = solver.solve(m, load_solutions=False)
    tc = res.solver.termination_condition
    check("./ipopt.opt wins over a command-line max_iter", tc == TC.maxIterations, str(tc))
with working_directory_with("pounce.opt", "max_iter 1\n"):
    res = pyo.SolverFactory("asl:pounce", executable=pounce).solve(m, load_solutions=False)
    tc = res.solver.termination_condition
    check("./pounce.opt max_iter 1 applied (asl:pounce)", tc == TC.maxIterations, str(tc))
# Legacy Pyomo writes options prefixed OF_ to its own options file (option_file_name).
solver = pyo.SolverFactory("ipopt", executable=pounce)
solver.options["OF_max_iter"] = 1
res = solver.solve(m, load_solutions=False)
tc = res.solver.termination_condition
check("legacy OF_max_iter goes through an options file", tc == TC.maxIterations, str(tc))

shutil.rmtree(scratch)
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
