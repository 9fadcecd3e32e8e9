#!/usr/bin/env python3
"""Ipopt (through ../shared/tools/ipopt_ref.py) behind an AMPL solver's command line.

    python3 bench/ipopt_as_ampl_solver.py STUB -AMPL [max_cpu_time=T]

Solves STUB.nl with ipopt_ref.py, writes STUB.sol (message, empty line, then the
`objno 0 <solve_result_num>` line; no values, which the harness does not read) and prints
Ipopt's final console block (iterations, objective as Ipopt prints it: -f for a maximize
model, EXIT line). It exists to check harness.py end to end while pounce cannot solve:
`harness.py --pounce-cmd "python3 bench/ipopt_as_ampl_solver.py {stub} -AMPL"` must then
report the same outcome, objective and iteration count in both columns.
"""

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[1] != "-AMPL":
        sys.exit("usage: ipopt_as_ampl_solver.py STUB -AMPL [max_cpu_time=T]")
    stub = args[0].removesuffix(".nl")
    limit = 120.0
    for kv in args[2:]:
        key, _, value = kv.partition("=")
        if key == "max_cpu_time":
            limit = float(value)
    nl = Path(stub + ".nl")
    model = harness.read_model(nl, nl.parent)
    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "out.tsv"
        subprocess.run([sys.executable, str(harness.SHARED / "tools" / "ipopt_ref.py"),
                        str(nl), "--time-limit", str(limit), "--tsv", str(tsv)],
                       stdout=subprocess.DEVNULL, check=False)
        row = next(csv.DictReader(open(tsv), delimiter="\t"))
    code = harness.IPOPT_CODES.get(row["status"])
    if code is None:
        sys.exit(f"ipopt_ref.py: {row['status']} {row['message']}")
    # Ipopt prints no final block when it stops during set-up (too few degrees of
    # freedom, invalid option); ipopt_ref.py's iteration count is not meaningful then.
    if row["iterations"] and code < 551:
        f = float(row["objective"])
        internal = -f if model.maximize else f
        print(f"\nNumber of Iterations....: {row['iterations']}\n")
        print("                                   (scaled)                 (unscaled)")
        print(f"Objective...............:  {internal:24.16e}  {internal:24.16e}")
    print(f"\nEXIT: {row['status']}")
    Path(stub + ".sol").write_text(f" \nipopt_ref {row['status']}\n\nobjno 0 {code}\n")


if __name__ == "__main__":
    main()
