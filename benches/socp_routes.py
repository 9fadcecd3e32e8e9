"""SOCP route vs NLP route vs Clarabel on the convex QCQP test set, in one run.

For each model of testdata/gen_socp.py: wall time of `pounce MODEL.nl
solver_selection=socp`, `... solver_selection=auto` and `... solver_selection=nlp`
(whole command: read, solve, certificate; best of REPEATS), and Clarabel's setup +
solve time on the equivalent SOCP built by testdata/socp_clarabel.py (best of
REPEATS). The .nl files are testdata/nl/socp_*.nl, except those too large to commit,
which are written by Pyomo into target/socp-bench/ first (not timed). Prints a
Markdown table with objectives, statuses, the route `auto` took and the NLP/SOCP
time ratio.

Run from the repository root after `cargo build --release`:
    python3 benches/socp_routes.py
"""

import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "testdata"))
import gen_socp  # noqa: E402
import socp_clarabel  # noqa: E402

BIN = os.path.join(ROOT, "target", "release", "pounce")
GENERATED = os.path.join(ROOT, "target", "socp-bench")
REPEATS = int(os.environ.get("REPEATS", "3"))


def run_pounce(path, route):
    best, out = float("inf"), ""
    for _ in range(REPEATS):
        start = time.perf_counter()
        proc = subprocess.run(
            [BIN, path, f"solver_selection={route}"], capture_output=True, text=True
        )
        best = min(best, time.perf_counter() - start)
        out = proc.stdout + proc.stderr
    # The final block's two-column line (scaled, unscaled), not the certificate's.
    number = r"([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)"
    objective = re.findall(rf"^Objective\.+:\s+{number}\s+{number}\s*$", out, re.M)
    exit_line = re.findall(r"^EXIT: (.*)$", out, re.M)
    verdict = re.findall(r"^certificate: .*: (verified|NOT verified)$", out, re.M)
    return {
        "seconds": best,
        "objective": float(objective[-1][1]) if objective else float("nan"),
        "exit": exit_line[-1] if exit_line else "?",
        "certificate": verdict[-1] if verdict else "?",
        "fell_back": "solving again with the NLP method" in out,
    }


def run_clarabel(md):
    best, result = float("inf"), None
    for _ in range(REPEATS):
        result = socp_clarabel.solve(md)
        best = min(best, result["seconds"])
    result["seconds"] = best
    return result


def model_path(md):
    if md.committed:
        return os.path.join(ROOT, "testdata", "nl", md.name + ".nl")
    path = os.path.join(GENERATED, md.name + ".nl")
    if not os.path.exists(path):
        gen_socp.write(md, GENERATED)
    return path


def main():
    print("| model | n | SOCP route s | auto s | NLP route s | Clarabel s | NLP/SOCP | "
          "SOCP objective | NLP objective | Clarabel objective | SOCP exit, certificate | "
          "auto route |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for md in gen_socp.models():
        path = model_path(md)
        socp = run_pounce(path, "socp")
        auto = run_pounce(path, "auto")
        nlp = run_pounce(path, "nlp")
        clar = run_clarabel(md)
        auto_route = "NLP (fallback)" if auto["fell_back"] else "SOCP"
        print(
            f"| {md.name} | {md.n} | {socp['seconds']:.3f} | {auto['seconds']:.3f} | "
            f"{nlp['seconds']:.3f} | {clar['seconds']:.3f} | "
            f"{nlp['seconds'] / socp['seconds']:.2f} | "
            f"{socp['objective']:.10g} | {nlp['objective']:.10g} | {clar['objective']:.10g} | "
            f"{socp['exit']}, {socp['certificate']} | {auto_route}, {auto['certificate']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
