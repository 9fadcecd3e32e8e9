#!/usr/bin/env python3
"""pounce's convex path against Clarabel, HiGHS and pounce's own NLP path, in one run.

For each model of the netlib and Maros-Meszaros corpora (smallest first), one at a time,
the four runs alternate in order from model to model so that drifting load on the
machine favours none:

  pounce      `pounce STUB -AMPL max_wall_time=T` (solver_selection=auto), the executable
              a user runs, on the .nl
  pounce-nlp  the same with solver_selection=nlp
  clarabel, highs
              ../shared/tools/convex_ref.py on npz/NAME.npz (the same matrices, checked
              equal to the .nl by that tool's --check-nl), one child process per solve

Times. Each solver's own solve time is compared: Clarabel and HiGHS `setup + solve`
(building the solver object from the matrices, then solving; loading the .npz and the
Python around it are not timed), pounce the seconds of its final block ("Total seconds
in IPOPT", summed over the blocks when the auto route falls back to the NLP method),
which cover the same work: building the conic form, equilibration, KKT symbolic and
numeric factorizations and the iterations. pounce's whole-process wall time (reading
the .nl, classification, the solve, the certificate check, writing the .sol) is also
recorded and compared, as an upper bound that charges pounce for work the peers are
not timed on. Times below 1 ms are counted as 1 ms (the final block prints ms).

A model counts for a ratio when both solvers solved it (solve_result_num < 100, or
Clarabel Solved/AlmostSolved, HiGHS Optimal). Objectives are compared with the
reference objective where Clarabel and HiGHS agree (convex-README.md).

  python3 bench/convex_peers.py --out bench-out/convex [--time-limit 60] [--corpus netlib]
"""

import argparse
import importlib.util
import json
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

SHARED = harness.SHARED
TOTAL_SECONDS = re.compile(r"^Total seconds in IPOPT\s*=\s*(\S+)", re.M)
FLOOR = 1e-3
CORPORA = ("netlib", "maros-meszaros")


def convex_ref():
    spec = importlib.util.spec_from_file_location("convex_ref", SHARED / "tools" / "convex_ref.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_pounce(binary, nl, route, time_limit):
    with tempfile.TemporaryDirectory(prefix="pounce-convex-bench-") as tmp:
        link = Path(tmp) / nl.name
        os.symlink(nl.resolve(), link)
        stub = str(link.with_suffix(""))
        argv = [binary, stub, "-AMPL", f"max_wall_time={time_limit}",
                f"solver_selection={route}"]
        code, out, wall = harness.run_process(argv, tmp, time_limit + harness.KILL_GRACE)
        sol = Path(stub + ".sol")
        result = parse_sol(sol) if sol.is_file() else None
    totals = [float(v) for v in TOTAL_SECONDS.findall(out)]
    _, objective = harness.parse_console(out, False)
    return {"code": result if code is not None else "timeout",
            "objective": objective, "seconds": sum(totals) if totals else math.nan,
            "wall": wall, "fallback": "solving again with the NLP method" in out}


def parse_sol(path):
    return harness.parse_sol_code(path.read_text(errors="replace"))


def run_peer(tool, solver, npz, time_limit):
    rec = tool.run_one(solver, str(npz), time_limit, None)
    solved = rec.get("status") in (("Solved", "AlmostSolved") if solver == "clarabel"
                                   else ("Optimal",))
    seconds = (rec.get("setup_s") or 0.0) + (rec.get("solve_s") or math.nan)
    return {"code": 0 if solved else str(rec.get("status")), "objective": rec.get("obj"),
            "seconds": seconds}


def solved(r):
    return isinstance(r["code"], int) and 0 <= r["code"] < 100


def geomean_ratio(rows, a, b, key_a="seconds", key_b="seconds"):
    logs = [math.log(max(r[a][key_a], FLOOR) / max(r[b][key_b], FLOOR))
            for r in rows if solved(r[a]) and solved(r[b])
            and math.isfinite(r[a][key_a]) and math.isfinite(r[b][key_b])]
    return (math.exp(sum(logs) / len(logs)) if logs else math.nan), len(logs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", nargs="+", default=list(CORPORA))
    ap.add_argument("--pounce", default=str(harness.REPO / "target" / "release" / "pounce"))
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--out", type=Path, default=Path("bench-out/convex"))
    ap.add_argument("--names", nargs="*", help="only these models")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tool = convex_ref()
    summary = [f"# pounce convex path vs Clarabel, HiGHS, pounce NLP path",
               f"", f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
               f"time limit {args.time_limit:g} s, {harness.machine_description()}", ""]
    for corpus in args.corpus:
        root = SHARED / "corpus" / corpus
        refs = {}
        ref_file = SHARED / "reference" / f"convex-{corpus}.jsonl"
        for line in ref_file.read_text().splitlines():
            rec = json.loads(line)
            refs[rec["name"]] = rec
        models = sorted(root.glob("*.nl"), key=lambda p: p.stat().st_size)
        if args.names:
            models = [p for p in models if p.stem in args.names]
        rows = []
        with open(args.out / f"{corpus}.jsonl", "w") as log:
            for k, nl in enumerate(models):
                runs = {}
                order = ["pounce", "pounce-nlp", "clarabel", "highs"]
                for solver in (order if k % 2 == 0 else order[::-1]):
                    if solver.startswith("pounce"):
                        route = "auto" if solver == "pounce" else "nlp"
                        runs[solver] = run_pounce(args.pounce, nl, route, args.time_limit)
                    else:
                        runs[solver] = run_peer(tool, solver, root / "npz" / (nl.stem + ".npz"),
                                                args.time_limit)
                ref = refs.get(nl.stem, {})
                row = {"name": nl.stem, **runs, "agree": ref.get("agree", False),
                       "reference": (ref.get("highs") or {}).get("obj")}
                rows.append(row)
                log.write(json.dumps(row) + "\n")
                log.flush()
                print(nl.stem, *(f"{s}:{runs[s]['code']}:{runs[s]['seconds']:.3f}"
                                 for s in order), flush=True)
        summary += report(corpus, rows)
    (args.out / "summary.md").write_text("\n".join(summary) + "\n")
    print("\n".join(summary))


def report(corpus, rows):
    def within(r, solver):
        f, g = r[solver]["objective"], r["reference"]
        return (solved(r[solver]) and f is not None and g is not None
                and abs(f - g) <= 1e-6 * max(1.0, abs(f), abs(g)))
    agreeing = [r for r in rows if r["agree"]]
    lines = [f"## {corpus}: {len(rows)} models, {len(agreeing)} with agreeing references", ""]
    for s in ("pounce", "pounce-nlp", "clarabel", "highs"):
        lines.append(f"- {s}: solved {sum(solved(r[s]) for r in rows)}; on the agreeing "
                     f"models within 1e-6 of HiGHS's objective: "
                     f"{sum(within(r, s) for r in agreeing)}")
    lines.append(f"- pounce auto fell back to the NLP method on "
                 f"{sum(r['pounce']['fallback'] for r in rows)} models")
    lines += ["", "| ratio (geometric mean over models both solved) | value | models |",
              "|---|---:|---:|"]
    for a, b, ka, label in (
            ("pounce", "clarabel", "seconds", "pounce solve / Clarabel setup+solve"),
            ("pounce", "highs", "seconds", "pounce solve / HiGHS setup+solve"),
            ("pounce", "pounce-nlp", "seconds", "pounce auto solve / pounce NLP solve"),
            ("pounce", "clarabel", "wall", "pounce whole process / Clarabel setup+solve"),
            ("pounce", "pounce-nlp", "wall", "pounce auto / NLP, whole process")):
        kb = "wall" if b == "pounce-nlp" and ka == "wall" else "seconds"
        value, count = geomean_ratio(rows, a, b, ka, kb)
        lines.append(f"| {label} | {value:.3f} | {count} |")
    lines.append("")
    return lines


if __name__ == "__main__":
    main()
