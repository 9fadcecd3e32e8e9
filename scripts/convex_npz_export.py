#!/usr/bin/env python3
"""Export the convex corpora's canonical matrices (shared/corpus/*/npz/NAME.npz) to
the plain-text form read by `benches/convex_corpus.rs`, so the convex solver core can
be run on netlib and Maros-Meszaros without the .nl reader.

Usage: python3 scripts/convex_npz_export.py OUT_DIR FILE.npz...

Each NAME.npz becomes OUT_DIR/NAME.qp with whitespace-separated tokens:
  n m c0
  P (upper triangle, CSC): nnz, col_ptr[n+1], row_idx[nnz], values[nnz]
  q[n]
  A (CSR, m x n): nnz, row_ptr[m+1], col_idx[nnz], values[nnz]
  rl[m] ru[m] lb[n] ub[n]          (inf / -inf where absent)
Numbers are written with repr() so that they round-trip exactly.
"""
import os
import sys

import numpy as np


def tokens(values):
    return " ".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(int(v)) for v in values)


def export(path, out_dir):
    d = np.load(path)
    m, n = (int(k) for k in d["shape"])
    name = os.path.splitext(os.path.basename(path))[0]
    lines = [
        f"{n} {m} {float(d['c0'])!r}",
        str(len(d["P_data"])),
        tokens(d["P_indptr"]),
        tokens(d["P_indices"]),
        tokens(d["P_data"].astype(float)),
        tokens(d["c"].astype(float)),
        str(len(d["A_data"])),
        tokens(d["A_indptr"]),
        tokens(d["A_indices"]),
        tokens(d["A_data"].astype(float)),
        tokens(d["rl"].astype(float)),
        tokens(d["ru"].astype(float)),
        tokens(d["lb"].astype(float)),
        tokens(d["ub"].astype(float)),
    ]
    with open(os.path.join(out_dir, name + ".qp"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for path in sys.argv[2:]:
        export(path, out_dir)


if __name__ == "__main__":
    main()
