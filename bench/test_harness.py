"""Unit tests of harness.py's parsing and summaries: `python3 -m unittest bench/test_harness.py`."""

import math
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import Run  # noqa: E402

CONSOLE = """
Number of Iterations....: 8

                                   (scaled)                 (unscaled)
Objective...............:   1.7014017145179164e+01    2.7014017145179164e+01
Dual infeasibility......:   2.5168709222674462e-11    2.5168709222674462e-11

EXIT: Optimal Solution Found.

Objective...............:   2.7014017145179164e+01
"""


class Parsing(unittest.TestCase):
    def test_console_unscaled_objective_and_iterations(self):
        self.assertEqual(harness.parse_console(CONSOLE, False), (8, 27.014017145179164))

    def test_solve_calls_are_summed(self):
        text = ("[2026-11-23T14:52:08Z INFO  pounce::timing] solve call (convex): wall 0.500000 s, cpu 0.250000 s\n"
                "[2026-11-23T14:52:08Z INFO  pounce::timing] solve call (nlp): wall 1.000000 s, cpu 0.750000 s\n")
        self.assertEqual(harness.parse_solve_calls(text), (1.5, 1.0))

    def test_no_solve_call_logged(self):
        wall, cpu = harness.parse_solve_calls(CONSOLE)
        self.assertTrue(math.isnan(wall) and math.isnan(cpu))

    def test_console_maximize_turns_sign_back(self):
        self.assertEqual(harness.parse_console(CONSOLE, True)[1], -27.014017145179164)

    def test_console_without_final_block(self):
        iters, obj = harness.parse_console("EXIT: Invalid number in NLP function", False)
        self.assertIsNone(iters)
        self.assertTrue(math.isnan(obj))

    def test_sol_code_from_objno_line(self):
        sol = " \nIpopt 3.14.15: Optimal Solution Found\n\nOptions\n3\n1\n1\n0\n0\n0\n0\n0\n" \
              "objno 0 401\nsuffix 4 0 13 0 0\nipopt_zU_out\n"
        self.assertEqual(harness.parse_sol_code(sol), 401)
        self.assertIsNone(harness.parse_sol_code(" \nmessage\n\n1.5\n"))

    def test_outcome_labels_follow_ampl_ranges(self):
        labels = [harness.outcome_label(c) for c in (0, 1, 2, 150, 200, 300, 402, 550)]
        self.assertEqual(labels, ["optimal", "acceptable", "feasible", "solved?",
                                  "infeasible", "unbounded", "limit", "failure"])

    def test_text_nl_header_and_sense(self):
        nl = harness.SHARED / "corpus" / "cute" / "ampl" / "hs100.nl"
        if not nl.is_file():
            self.skipTest("corpus not present")
        model = harness.read_model(nl, nl.parent.parent)
        self.assertEqual((model.file, model.n, model.m, model.maximize),
                         ("ampl/hs100.nl", 7, 4, False))


def run(solver, code, seconds, iterations=10, objective=1.0):
    return Run(solver, "f", code, objective, iterations, seconds)


class Summaries(unittest.TestCase):
    def test_agreement_is_relative_with_floor_one(self):
        self.assertTrue(harness.agree(1e-9, 2e-9))
        self.assertTrue(harness.agree(1e6, 1e6 + 0.5))
        self.assertFalse(harness.agree(1e6, 1e6 + 2))
        self.assertFalse(harness.agree(1.0, math.nan))

    def test_performance_ratios_against_best_solver(self):
        table = {
            "a": {"p": run("p", 0, 1.0), "q": run("q", 0, 4.0)},
            "b": {"p": run("p", 500, 1.0), "q": run("q", 0, 2.0)},
            "c": {"p": run("p", "timeout", 9.0), "q": run("q", 200, 2.0)},
        }
        r = harness.performance_ratios(table, ["p", "q"], harness.sec, 1e-3)
        self.assertEqual(r["p"], [1.0, math.inf, math.inf])
        self.assertEqual(r["q"], [4.0, 1.0, math.inf])
        taus, shares = harness.profile_curve(r["q"])
        self.assertEqual(taus, [1.0, 4.0])
        self.assertEqual(shares, [1 / 3, 2 / 3])

    def test_time_floor_in_ratios(self):
        pairs = [(run("p", 0, 1e-6), run("q", 0, 2e-3)), (run("p", 0, 2.0), run("q", 0, 1.0))]
        self.assertAlmostEqual(harness.ratio_geomean(pairs, harness.sec, 1e-3), 1.0)


if __name__ == "__main__":
    unittest.main()
