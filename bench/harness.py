#!/usr/bin/env python3
"""Benchmark harness: pounce against Ipopt, Clarabel and HiGHS on a corpus of .nl models.

Runs every model of the chosen corpus under each solver, one model at a time and the
solvers in alternation (pounce runs first on the 1st, 3rd, 5th, ... model and last on the others,
so that drifting load on the machine does not favour one solver), each with a time limit,
and writes to --out:

  results.csv, results.md   one row per model: n, m and per solver status, objective,
                            iterations, seconds
  summary.md                solved counts, agreement of objectives with pounce's,
                            geometric means of time and iteration ratios on the models
                            both solvers solved (all, and those with n + m >= 10^4),
                            and the profile images
  profile-time.png          Dolan-More performance profiles of time and of iterations
  profile-iterations.png
  results.jsonl             the raw per-solver records

How each solver is run and timed:

  pounce    `pounce STUB -AMPL max_cpu_time=T` (any command: --pounce-cmd) in a fresh
            temporary directory holding a link to the .nl; the outcome is the
            solve_result_num of the `objno` line of STUB.sol (spec C.1), the iteration
            count and the objective come from the console's final block ("Number of
            Iterations....:" and the unscaled column of "Objective...............:",
            which is -f for a maximize model, spec G.3). Seconds: wall clock of the
            whole process (reading the .nl, set-up and solve). A crash, a missing or
            unreadable .sol, or passing the time limit (the process is killed after
            T + 5 s) counts as a failure of pounce, not an error of the harness.
  ipopt     Ipopt 3.14 through ../shared/tools/ipopt_ref.py (casadi), one call per model.
            Seconds: its `seconds_solve` (the Ipopt call including CasADi's function
            evaluations; reading the .nl in Python and CasADi's derivative set-up are
            left out, which favours Ipopt over pounce's whole-process time).
  clarabel, highs
            through ../shared/tools/convex_ref.py on the model's npz/NAME.npz (netlib and
            maros-meszaros only). Seconds: set-up plus solve.

A model counts as solved by a solver when its outcome is in AMPL's "solved" range
(solve_result_num 0-99: optimal, acceptable level, feasible point of a square problem).
Objectives agree when |f1 - f2| / max(1, |f1|, |f2|) <= 1e-6.

Requires Python 3.11 and matplotlib (`pip install matplotlib`); Ipopt needs
`pip install casadi==3.8.2 numpy`, Clarabel/HiGHS `pip install clarabel highspy scipy`.
"""

import argparse
import csv
import glob
import json
import math
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

CORPORA = {
    "cute-ampl": "cute/ampl/*.nl",
    "cute-pyomo": "cute/pyomo/*.nl",
    "netlib": "netlib/*.nl",
    "maros-meszaros": "maros-meszaros/*.nl",
}

AGREE_TOL = 1e-6
LARGE = 10_000  # n + m from which a model counts as large
TIME_FLOOR = 1e-3  # seconds; shorter times are rounded up before taking ratios
KILL_GRACE = 5.0  # seconds past the time limit before a process is killed

# Ipopt's ApplicationReturnStatus names -> solve_result_num (spec C.2).
IPOPT_CODES = {
    "Solve_Succeeded": 0,
    "Solved_To_Acceptable_Level": 1,
    "Feasible_Point_Found": 2,
    "Infeasible_Problem_Detected": 200,
    "Diverging_Iterates": 300,
    "Maximum_Iterations_Exceeded": 400,
    "Maximum_CpuTime_Exceeded": 401,
    "Maximum_WallTime_Exceeded": 402,
    "User_Requested_Stop": 403,
    "Search_Direction_Becomes_Too_Small": 500,
    "Restoration_Failed": 501,
    "Error_In_Step_Computation": 502,
    "Invalid_Number_Detected": 550,
    "Not_Enough_Degrees_Of_Freedom": 551,
    "Invalid_Option": 552,
    "Insufficient_Memory": 553,
    "Internal_Error": 554,
}
CLARABEL_CODES = {"Solved": 0, "AlmostSolved": 1, "PrimalInfeasible": 200,
                  "AlmostPrimalInfeasible": 200, "DualInfeasible": 300,
                  "AlmostDualInfeasible": 300, "MaxIterations": 400, "MaxTime": 401}
HIGHS_CODES = {"Optimal": 0, "Infeasible": 200, "Unbounded": 300,
               "Primal infeasible or unbounded": 300, "Iteration limit reached": 400,
               "Time limit reached": 401}


def outcome_label(code):
    """A short label for a solve_result_num (spec C.1), or a harness outcome string."""
    if isinstance(code, str):
        return code
    if code == 0:
        return "optimal"
    if code == 1:
        return "acceptable"
    if 2 <= code < 100:
        return "feasible"
    for lo, label in ((500, "failure"), (400, "limit"), (300, "unbounded"),
                      (200, "infeasible"), (100, "solved?")):
        if code >= lo:
            return label
    return "unknown"


@dataclass
class Run:
    """One model under one solver."""
    solver: str
    file: str
    code: object = "error"  # solve_result_num, or "timeout" / "crash" / "no-sol" / "error"
    objective: float = math.nan
    iterations: int | None = None
    seconds: float = math.nan
    message: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def status(self):
        return outcome_label(self.code)

    @property
    def solved(self):
        return isinstance(self.code, int) and 0 <= self.code < 100


@dataclass
class Model:
    path: Path
    file: str  # relative to the corpus root
    name: str
    n: int
    m: int
    maximize: bool | None  # None: could not be read (binary .nl)

    @property
    def size(self):
        return self.n + self.m


# ---------------------------------------------------------------------------
# reading .nl headers, .sol files and console output
# ---------------------------------------------------------------------------

def read_model(path, root):
    """n, m from header line 2 and the objective sense from the O segment (text .nl)."""
    with open(path, "rb") as f:
        head = f.read(1)
        f.seek(0)
        lines = [f.readline() for _ in range(10)]
        n, m = (int(v) for v in lines[1].split()[:2])
        maximize = None
        if head in (b"g", b"G"):
            maximize = False
            for line in f:
                if line.startswith(b"O"):
                    maximize = line.split()[1] == b"1"
                    break
    rel = os.path.relpath(path, root)
    return Model(Path(path).resolve(), rel, Path(path).stem, n, m, maximize)


SOL_OBJNO = re.compile(r"^objno\s+(-?\d+)\s+(-?\d+)\s*$", re.M)
CONSOLE_ITERS = re.compile(r"^Number of Iterations\.*:\s*(\d+)\s*$", re.M)
# Two columns (scaled, unscaled): the final block's line, not one-column lines printed
# after it (e.g. pounce's certificate).
CONSOLE_OBJ = re.compile(r"^Objective\.*:[ \t]*(\S+)[ \t]+(\S+)[ \t]*$", re.M)


# pounce's `pounce::timing` log lines (POUNCE_LOG=pounce::timing=info): one per solver
# call (a convex solve that falls back to the NLP method logs two).
SOLVE_CALL = re.compile(r"solve call \((\w+)\): wall ([0-9.eE+-]+) s, cpu ([0-9.eE+-]+|NaN) s")


def parse_solve_calls(text):
    """(wall, cpu) seconds summed over pounce's solve calls, or (NaN, NaN) if none logged."""
    calls = SOLVE_CALL.findall(text)
    if not calls:
        return math.nan, math.nan
    return (sum(float(w) for _, w, _ in calls), sum(to_float(c) for _, _, c in calls))


def parse_sol_code(text):
    """solve_result_num from a text .sol (`objno <objno> <solve_result_num>`), or None."""
    found = SOL_OBJNO.findall(text)
    return int(found[-1][1]) if found else None


def parse_console(text, maximize):
    """(iterations, objective in the model's own sense) from Ipopt-style console output.

    The final block prints the internal objective, which is -f for a maximize model
    (spec G.3), so the sign is turned back here. Missing pieces are None / NaN.
    """
    iters = CONSOLE_ITERS.findall(text)
    objs = CONSOLE_OBJ.findall(text)
    iterations = int(iters[-1]) if iters else None
    objective = math.nan
    if objs:
        try:
            objective = float(objs[-1][1])
        except ValueError:
            pass
        if maximize:
            objective = -objective
        elif maximize is None:
            objective = math.nan  # sense unknown: better no number than a wrong sign
    return iterations, objective


# ---------------------------------------------------------------------------
# running solvers
# ---------------------------------------------------------------------------

def children_cpu():
    """Processor seconds (user + system) of all finished child processes so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_process(argv, cwd, kill_after, env=None):
    """Runs argv in its own process group; returns (returncode or None on kill, out, secs).

    Only one child runs at a time, so the change of children_cpu() over the call is this
    process's processor time (stored in LAST_CPU).
    """
    global LAST_CPU
    cpu0 = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        out, _ = proc.communicate(timeout=kill_after)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        code = None
    secs = time.perf_counter() - start
    LAST_CPU = children_cpu() - cpu0
    return code, out.decode("utf-8", "replace"), secs


LAST_CPU = math.nan


def run_ampl_solver(name, template, model, time_limit):
    """An AMPL solver executable (`STUB -AMPL`) in a fresh directory; see the module doc."""
    run = Run(name, model.file)
    with tempfile.TemporaryDirectory(prefix="pounce-bench-") as tmp:
        nl = Path(tmp) / (model.name + ".nl")
        os.symlink(model.path.resolve(), nl)
        stub = str(Path(tmp) / model.name)
        cmd = template.format(stub=shlex.quote(stub), nl=shlex.quote(str(nl)),
                              time_limit=time_limit, name=model.name)
        env = dict(os.environ, POUNCE_LOG="pounce::timing=info")
        try:
            code, out, secs = run_process(shlex.split(cmd), tmp, time_limit + KILL_GRACE, env)
        except OSError as e:
            run.message = f"cannot start: {e}"
            return run
        run.seconds = secs
        solve_wall, solve_cpu = parse_solve_calls(out)
        run.extra = {"cpu": LAST_CPU, "solve_wall": solve_wall, "solve_cpu": solve_cpu}
        sol = Path(stub + ".sol")
        tail = out.strip().splitlines()[-1:] if out.strip() else []
        if code is None:
            run.code, run.message = "timeout", f"killed after {time_limit + KILL_GRACE:g} s"
            return run
        if code < 0:
            run.code = "crash"
            run.message = f"signal {-code}"
            return run
        if not sol.is_file():
            run.code = "no-sol"
            run.message = f"exit {code}: " + (tail[0] if tail else "")
            return run
        sol_code = parse_sol_code(sol.read_text(errors="replace"))
        if sol_code is None:
            run.code = "no-sol"
            run.message = f"exit {code}: no objno line in the .sol"
            return run
        run.code = sol_code
        run.iterations, run.objective = parse_console(out, model.maximize)
        if code != 0:
            run.message = f"exit {code}"
    return run


def run_ipopt(model, root, time_limit, tool):
    """Ipopt through ipopt_ref.py, this one model."""
    run = Run("ipopt", model.file)
    with tempfile.TemporaryDirectory(prefix="pounce-bench-ipopt-") as tmp:
        tsv = Path(tmp) / "out.tsv"
        argv = [sys.executable, str(tool), str(model.path), "--root", str(root),
                "--time-limit", str(time_limit), "--tsv", str(tsv)]
        code, out, secs = run_process(argv, tmp, time_limit + 60)
        rows = list(csv.DictReader(open(tsv), delimiter="\t")) if tsv.is_file() else []
        if not rows:
            run.code = "timeout" if code is None else "crash"
            run.message = (out.strip().splitlines() or [""])[-1][:200]
            run.seconds = secs
            return run
    row = rows[0]
    status = row["status"]
    # import_error / casadi_error / Crash: the reference tool failed, not Ipopt's algorithm.
    run.code = IPOPT_CODES.get(status, "timeout" if status == "Timeout" else "crash")
    run.objective = to_float(row["objective"])
    run.iterations = to_int(row["iterations"])
    run.seconds = to_float(row["seconds_solve"])
    if math.isnan(run.seconds):
        run.seconds = to_float(row["seconds_total"]) if run.code != "timeout" else time_limit
    run.message = "" if run.code == 0 else status
    if row.get("message"):
        run.message = (run.message + " " + row["message"]).strip()
    run.extra = {"seconds_total": to_float(row["seconds_total"]), "wall": secs,
                 "cpu_solve": to_float(row.get("cpu_solve"))}
    return run


def run_convex(solver, model, time_limit, tool):
    """Clarabel or HiGHS through convex_ref.py on the model's npz/NAME.npz."""
    run = Run(solver, model.file)
    npz = model.path.parent / "npz" / (model.name + ".npz")
    if not npz.is_file():
        run.code, run.message = "error", "no .npz for this model"
        return run
    with tempfile.TemporaryDirectory(prefix="pounce-bench-convex-") as tmp:
        out_file = Path(tmp) / "out.jsonl"
        argv = [sys.executable, str(tool), "--time-limit", str(time_limit),
                "--solvers", solver, "-o", str(out_file), str(npz)]
        code, out, secs = run_process(argv, tmp, 2 * time_limit + 120)
        lines = out_file.read_text().splitlines() if out_file.is_file() else []
    if not lines:
        run.code = "timeout" if code is None else "crash"
        run.message = (out.strip().splitlines() or [""])[-1][:200]
        return run
    rec = json.loads(lines[-1]).get(solver, {})
    status = str(rec.get("status"))
    codes = CLARABEL_CODES if solver == "clarabel" else HIGHS_CODES
    run.code = codes.get(status, "crash" if status.startswith(("crash", "killed")) else 500)
    if run.code == 401:
        run.code = "timeout"
    run.objective = to_float(rec.get("obj"))
    run.iterations = to_int(rec.get("iters"))
    run.seconds = to_float(rec.get("solve_s")) + to_float(rec.get("setup_s"))
    run.message = "" if run.code == 0 else status
    return run


def to_float(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def to_int(v):
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# summaries
# ---------------------------------------------------------------------------

def agree(f1, f2):
    """Objectives agree: |f1 - f2| / max(1, |f1|, |f2|) <= 1e-6."""
    if not (math.isfinite(f1) and math.isfinite(f2)):
        return False
    return abs(f1 - f2) / max(1.0, abs(f1), abs(f2)) <= AGREE_TOL


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def ratio_geomean(pairs, measure, floor):
    """Geometric mean of measure(a) / measure(b) over pairs (a, b), each floored."""
    return geomean([max(measure(a), floor) / max(measure(b), floor) for a, b in pairs])


def performance_ratios(table, solvers, measure, floor):
    """Dolan-More ratios r[s] = measure / best measure per model; inf where not solved.

    `table` maps model -> {solver: Run}. Models no solver solved stay in (all inf), so
    each curve's height at the right is the share of the whole set it solved.
    """
    ratios = {s: [] for s in solvers}
    for runs in table.values():
        vals = {s: max(measure(runs[s]), floor) for s in solvers
                if s in runs and runs[s].solved and measure(runs[s]) is not None
                and math.isfinite(measure(runs[s]))}
        best = min(vals.values()) if vals else None
        for s in solvers:
            ratios[s].append(vals[s] / best if s in vals else math.inf)
    return ratios


def profile_curve(ratios):
    """Step curve (taus, shares) of rho(tau) = share of models with ratio <= tau."""
    finite = sorted(r for r in ratios if math.isfinite(r))
    total = len(ratios)
    taus, shares = [1.0], [sum(1 for r in finite if r <= 1.0) / total if total else 0.0]
    for i, r in enumerate(finite):
        if r > 1.0:
            taus.append(r)
            shares.append((i + 1) / total)
    return taus, shares


def plot_profile(ratios, title, path, machine_note):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    finite = [r for rs in ratios.values() for r in rs if math.isfinite(r)]
    right = max(2.0, max(finite) * 1.5) if finite else 2.0
    # Distinct dash patterns keep coinciding curves (e.g. equal iteration counts) visible.
    styles = ["-", "--", ":", "-."]
    for i, (solver, rs) in enumerate(ratios.items()):
        taus, shares = profile_curve(rs)
        solved = sum(1 for r in rs if math.isfinite(r))
        ax.step(taus + [right], shares + [shares[-1]], where="post",
                linewidth=2.5 if i == 0 else 2, linestyle=styles[i % len(styles)],
                label=f"{solver} ({solved}/{len(rs)} solved)")
    ax.set_xscale("log", base=2)
    ax.set_xlim(1.0, right)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel("τ  (within a factor τ of the best solver)")
    ax.set_ylabel("share of models")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    fig.text(0.01, 0.01, machine_note, fontsize=7, color="gray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def fmt_num(v, digits=10, missing=""):
    if v is None:
        return missing
    if isinstance(v, float):
        return missing if math.isnan(v) else f"{v:.{digits}g}"
    return str(v)


def write_tables(meta, models, table, solvers, out):
    header = ["file", "n", "m"]
    for s in solvers:
        header += [f"{s}_status", f"{s}_objective", f"{s}_iterations", f"{s}_seconds"]
    rows, messages = [], []
    for model in models:
        runs = table[model.file]
        row = [model.file, model.n, model.m]
        for s in solvers:
            r = runs.get(s)
            row += ([r.status, fmt_num(r.objective), fmt_num(r.iterations),
                     fmt_num(r.seconds, 4)] if r else ["", "", "", ""])
        rows.append(row)
        messages.append([runs[s].message if s in runs else "" for s in solvers])
    with open(out / "results.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header + [f"{s}_message" for s in solvers])
        w.writerows(row + msg for row, msg in zip(rows, messages))
    with open(out / "results.md", "w") as f:
        f.write("| " + " | ".join(header) + " |\n")
        f.write("|" + "---|" * len(header) + "\n")
        for row in rows:
            f.write("| " + " | ".join(str(c) for c in row) + " |\n")
    with open(out / "results.jsonl", "w") as f:
        f.write(json.dumps({"meta": meta}) + "\n")
        for model in models:
            for r in table[model.file].values():
                f.write(json.dumps(asdict(r) | {"status": r.status}) + "\n")


def summarize(models, table, solvers, out, meta):
    lines = [f"# Benchmark: {meta['corpus']}", "",
             f"- date: {meta['date']}", f"- machine: {meta['machine']}",
             f"- command: `{meta['command']}`",
             f"- time limit: {meta['time_limit']:g} s per model and solver; "
             f"wall clock of the run: {meta['elapsed']:.0f} s",
             f"- seconds: {solvers[0]}: wall clock of the whole process (read, set-up, solve); "
             "ipopt: Ipopt's solve call with CasADi's evaluations (`seconds_solve` of "
             "ipopt_ref.py, no .nl reading or derivative set-up); clarabel, highs: set-up "
             "plus solve",
             f"- {solvers[0]}'s solve call: the wall and processor time it logs "
             "(`POUNCE_LOG=pounce::timing=info`) for its solver call, without reading the "
             ".nl, building derivative structures or the certificate, as Ipopt's call "
             "leaves out reading and CasADi's set-up; processor times: the whole process "
             "from the operating system, Ipopt's `cpu_solve` (CasADi's t_proc_total)", "",
             "## Solved (solve_result_num 0-99)", "",
             "| solver | solved | optimal | other outcomes |", "|---|---|---|---|"]
    for s in solvers:
        runs = [table[m.file][s] for m in models if s in table[m.file]]
        counts = {}
        for r in runs:
            if not r.solved:
                counts[r.status] = counts.get(r.status, 0) + 1
        other = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        lines.append(f"| {s} | {sum(r.solved for r in runs)}/{len(runs)} | "
                     f"{sum(r.code == 0 for r in runs)} | {other} |")
    ref = solvers[0]
    for other in solvers[1:]:
        both = [(table[m.file][ref], table[m.file][other], m) for m in models
                if ref in table[m.file] and other in table[m.file]
                and table[m.file][ref].solved and table[m.file][other].solved]
        agreeing = [(a, b, m) for a, b, m in both if agree(a.objective, b.objective)]
        large = [(a, b) for a, b, m in both if m.size >= LARGE]
        lines += ["", f"## {ref} vs {other}", "",
                  f"- both solved: {len(both)} models; objectives agree (rel. 1e-6): "
                  f"{len(agreeing)}, differ: {len(both) - len(agreeing)}",
                  f"- geometric mean of time ratio {ref}/{other} on models both solved: "
                  f"{fmt_num(ratio_geomean([(a, b) for a, b, _ in both], sec, TIME_FLOOR), 4, 'n/a')}"
                  f" (times below {TIME_FLOOR:g} s counted as {TIME_FLOOR:g} s; < 1: {ref} faster)",
                  f"- the same on the {len(large)} of them with n + m >= {LARGE}: "
                  f"{fmt_num(ratio_geomean(large, sec, TIME_FLOOR), 4, 'n/a')}",
                  f"- geometric mean of iteration ratio {ref}/{other} on models both solved: "
                  f"{fmt_num(ratio_geomean([(a, b) for a, b, _ in both], its, 1), 4, 'n/a')}"]
        if other == "ipopt":
            total = ratio_geomean([(a, b) for a, b, _ in both], ipopt_total, TIME_FLOOR)
            lines.append(f"- the time ratio against Ipopt's `seconds_total` instead (which "
                         f"adds reading the .nl in Python and CasADi's set-up): "
                         f"{fmt_num(total, 4, 'n/a')}")
            lines += ["", "Time ratios by what is timed (geometric means over the models "
                      f"both solved, all / n + m >= {LARGE}; times below {TIME_FLOOR:g} s "
                      f"counted as {TIME_FLOOR:g} s):", "",
                      f"| {ref} | ipopt | clock | all | large |", "|---|---|---|---|---|"]
            for what_a, what_b, clock, ma, mb in TIME_COMPARISONS:
                row = []
                for pairs in ([(a, b) for a, b, _ in both], large):
                    r, k = paired_geomean(pairs, ma, mb, TIME_FLOOR)
                    row.append(f"{fmt_num(r, 4, 'n/a')} ({k} models)")
                lines.append(f"| {what_a} | {what_b} | {clock} | {row[0]} | {row[1]} |")
        differ = [(a, b, m) for a, b, m in both if not agree(a.objective, b.objective)]
        if differ:
            lines += ["", f"Objectives that differ ({ref} vs {other}):", "",
                      "| file | " + ref + " | " + other + " | rel. difference |",
                      "|---|---|---|---|"]
            for a, b, m in differ:
                rel = abs(a.objective - b.objective) / max(1.0, abs(a.objective),
                                                           abs(b.objective))
                lines.append(f"| {m.file} | {fmt_num(a.objective)} | "
                             f"{fmt_num(b.objective)} | {rel:.1e} |")
    lines += ["", "## Performance profiles", "",
              "![time](profile-time.png)", "", "![iterations](profile-iterations.png)", "",
              "Full table: results.md / results.csv."]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    return "\n".join(lines)


def sec(r):
    return r.seconds


def ipopt_total(r):
    """Ipopt's seconds_total from ipopt_ref.py; a pounce run's own seconds otherwise."""
    return r.extra.get("seconds_total", r.seconds)


def paired_geomean(pairs, measure_a, measure_b, floor):
    """(geometric mean of measure_a(a) / measure_b(b), number of pairs) over the pairs
    where both are measured."""
    vals = [(measure_a(a), measure_b(b)) for a, b in pairs]
    vals = [(x, y) for x, y in vals if math.isfinite(x) and math.isfinite(y)]
    return geomean([max(x, floor) / max(y, floor) for x, y in vals]), len(vals)


def extra(key):
    return lambda r: to_float(r.extra.get(key))


# What each time ratio compares: (pounce's part, Ipopt's part, clock, measures).
TIME_COMPARISONS = [
    ("whole process", "solve call", "wall", sec, sec),
    ("solve call", "solve call", "wall", extra("solve_wall"), sec),
    ("solve call", "solve call", "processor", extra("solve_cpu"), extra("cpu_solve")),
    ("whole process", "solve call", "processor", extra("cpu"), extra("cpu_solve")),
]


def its(r):
    return r.iterations if r.iterations is not None else math.nan


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def machine_description():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {sys.platform}"


def solver_available(solver, args):
    if solver == "pounce":
        return True
    if solver == "ipopt":
        return args.ipopt_ref.is_file() and module_available("casadi")
    return args.convex_ref.is_file() and module_available(
        "clarabel" if solver == "clarabel" else "highspy")


def module_available(name):
    import importlib.util
    return importlib.util.find_spec(name) is not None


def collect_models(args):
    paths = []
    for c in args.corpus:
        pattern = CORPORA.get(c)
        paths += (sorted(glob.glob(str(args.corpus_root / pattern))) if pattern
                  else sorted(glob.glob(c)))
    if not paths:
        sys.exit(f"harness: no .nl files for --corpus {' '.join(args.corpus)}")
    models = [read_model(p, args.corpus_root) for p in dict.fromkeys(paths)]
    if args.max_size:
        models = [m for m in models if m.size <= args.max_size]
    if args.max_models:
        models = models[: args.max_models]
    return models


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", nargs="+", default=["cute-ampl"],
                    help=f"{', '.join(CORPORA)} or a glob of .nl files")
    ap.add_argument("--corpus-root", type=Path, default=SHARED / "corpus")
    ap.add_argument("--solvers", default="pounce,ipopt,clarabel,highs",
                    help="comma-separated; those not installed are skipped (pounce first)")
    ap.add_argument("--pounce", default=str(REPO / "target" / "release" / "pounce"))
    ap.add_argument("--pounce-cmd", default="{pounce} {stub} -AMPL max_cpu_time={time_limit}",
                    help="command template, run in the model's temporary directory (so "
                         "give absolute paths); fields {pounce} {stub} {nl} {name} "
                         "{time_limit}")
    ap.add_argument("--pounce-label", default="pounce",
                    help="name of the pounce column (e.g. for a harness self-check)")
    ap.add_argument("--ipopt-ref", type=Path, default=SHARED / "tools" / "ipopt_ref.py")
    ap.add_argument("--convex-ref", type=Path, default=SHARED / "tools" / "convex_ref.py")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--jobs", type=int, default=1,
                    help="only 1 is supported: models run one at a time so times compare")
    ap.add_argument("--max-models", type=int, help="only the first N models")
    ap.add_argument("--max-size", type=int, help="only models with n + m <= this")
    ap.add_argument("--out", type=Path, default=Path("bench-out"))
    ap.add_argument("--label", help="name of the corpus in titles (default: from --corpus)")
    ap.add_argument("--replot", action="store_true",
                    help="solve nothing: rewrite tables, summary and profiles from "
                         "OUT/results.jsonl of an earlier run")
    args = ap.parse_args(argv)
    if args.jobs != 1:
        ap.error("--jobs: only 1 is supported (solves run one at a time so times compare)")

    wanted = [s.strip() for s in args.solvers.split(",") if s.strip()]
    solvers = [s for s in wanted if solver_available(s, args)]
    for s in wanted:
        if s not in solvers:
            print(f"harness: {s} not installed, left out", file=sys.stderr)
    if "pounce" not in solvers:
        ap.error("--solvers must include pounce")
    solvers.remove("pounce")
    label = args.pounce_label
    solvers = [label] + solvers
    pounce_template = args.pounce_cmd.replace("{pounce}", shlex.quote(args.pounce))

    if args.replot:
        meta, models, table, solvers = load_results(args.out, args.corpus_root)
        if args.label:
            meta["corpus"] = args.label
        report(meta, models, table, solvers, args.out)
        return

    models = collect_models(args)
    args.out.mkdir(parents=True, exist_ok=True)
    table = {}
    start = time.perf_counter()
    solved = {s: 0 for s in solvers}
    for k, model in enumerate(models):
        order = solvers if k % 2 == 0 else solvers[::-1]
        runs = {}
        for s in order:
            if s == label:
                runs[s] = run_ampl_solver(label, pounce_template, model, args.time_limit)
            elif s == "ipopt":
                runs[s] = run_ipopt(model, args.corpus_root, args.time_limit, args.ipopt_ref)
            else:
                runs[s] = run_convex(s, model, args.time_limit, args.convex_ref)
            solved[s] += runs[s].solved
        table[model.file] = {s: runs[s] for s in solvers}
        elapsed = time.perf_counter() - start
        now = " | ".join(f"{s} {runs[s].status} {fmt_num(runs[s].seconds, 3)}s"
                         for s in solvers)
        tallies = ", ".join(f"{s} {solved[s]}" for s in solvers)
        print(f"[{k + 1}/{len(models)}] {elapsed:7.1f}s {model.file}: {now} "
              f"| solved so far: {tallies}", file=sys.stderr, flush=True)

    meta = {"corpus": args.label or " ".join(c if c in CORPORA else Path(c).name
                                             for c in args.corpus),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine_description(), "time_limit": args.time_limit,
            "elapsed": time.perf_counter() - start,
            "command": " ".join(shlex.quote(a) for a in [sys.argv[0]] + (argv or sys.argv[1:]))}
    report(meta, models, table, solvers, args.out)


def load_results(out, corpus_root):
    """The run description, models, runs and solver order of an earlier run."""
    table, solvers, meta = {}, [], {}
    for line in open(out / "results.jsonl"):
        rec = json.loads(line)
        if "meta" in rec:
            meta = rec["meta"]
            continue
        rec.pop("status")
        run = Run(**rec)
        table.setdefault(run.file, {})[run.solver] = run
        if run.solver not in solvers:
            solvers.append(run.solver)
    models = [read_model(corpus_root / f, corpus_root) for f in table]
    return meta, models, table, solvers


def report(meta, models, table, solvers, out):
    write_tables(meta, models, table, solvers, out)
    note = (f"{meta['date'][:10]}, {meta['machine']}, limit {meta['time_limit']:g} s")
    for name, measure, floor in (("time", sec, TIME_FLOOR), ("iterations", its, 1)):
        ratios = performance_ratios(table, solvers, measure, floor)
        plot_profile(ratios, f"Performance profile ({name}): {meta['corpus']}, "
                     f"{len(models)} models", out / f"profile-{name}.png", note)
    print(summarize(models, table, solvers, out, meta))


if __name__ == "__main__":
    main()
