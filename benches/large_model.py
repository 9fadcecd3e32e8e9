#!/usr/bin/env python3
"""Writes a text .nl of n variables for the large-model memory runs (docs/robustness.md):

    min  sum_i (x_i - 2)^2
    s.t. x_{2j}^2 + x_{2j+1}^2 <= 1        j = 0 .. n/2 - 1

Each constraint is active at the optimum x_i = 1/sqrt(2) (objective n (2 - 1/sqrt 2)^2),
so the solve takes several interior-point iterations with a KKT system of n + n/2 rows.

Usage: python3 benches/large_model.py N OUT.nl
"""
import sys


def write(n, path):
    assert n % 2 == 0 and n > 0
    m = n // 2
    with open(path, "w") as f:
        w = f.write
        w(f"g3 1 1 0\t# large model, n = {n}\n")
        w(f" {n} {m} 1 0 0\n {m} 1 0 0 0 0\n 0 0\n {n} {n} {n}\n 0 0 0 1\n")
        w(" 0 0 0 0 0\n")
        w(f" {n} {n}\n 0 0\n 0 0 0 0 0\n")
        for j in range(m):
            w(f"C{j}\no0\no5\nv{2 * j}\nn2\no5\nv{2 * j + 1}\nn2\n")
        w(f"O0 0\no54\n{n}\n")
        w("".join(f"o5\no0\nv{i}\nn-2\nn2\n" for i in range(n)))
        w(f"r\n" + "1 1\n" * m)
        w("b\n" + "3\n" * n)
        w(f"k{n - 1}\n" + "".join(f"{i + 1}\n" for i in range(n - 1)))
        for j in range(m):
            w(f"J{j} 2\n{2 * j} 0\n{2 * j + 1} 0\n")
        w(f"G0 {n}\n" + "".join(f"{i} 0\n" for i in range(n)))


if __name__ == "__main__":
    write(int(sys.argv[1]), sys.argv[2])
