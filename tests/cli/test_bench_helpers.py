"""scripts/bench's compiled helpers: the isotree reference and score_only build against
this tree's libraries and run, so the benchmark does not stop half way (score_only once
failed to link after a library gained a dependency, and nothing noticed)."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402

sys.dont_write_bytecode = True  # keep the source tree clean


class BenchHelpersTest(adtest.TempDirTestCase):
    def test_a_missed_target_says_what_was_reached_and_by_how_much(self):
        bench = adtest.load_script("bench")
        self.assertEqual(bench.verdict(20.0, 20), "met")
        # 19.98x prints as 20.0x: the verdict keeps the digits that decide it.
        self.assertEqual(bench.verdict(19.98, 20), "NOT MET (19.98x), 0.1% short")
        self.assertEqual(bench.verdict(2.8, 4), "NOT MET (2.80x), 1.43x short")
        self.assertEqual(bench.verdict(9e5, 1e6, "900,000 rows/s"), "NOT MET (900,000 rows/s), 1.11x short")

    def test_helpers_build_and_score_a_small_csv(self):
        bench = adtest.load_script("bench")
        lines = ["x0,x1"] + [f"{i % 17}.5,{(i * 7) % 23}" for i in range(600)] + ["900,-900"]
        data = self.write("d.csv", "\n".join(lines) + "\n")
        model = os.path.join(self.tmp, "m.model")
        r = adtest.run("ad-train", "-q", "--seed", "1", "-m", model, data)
        self.assertEqual(r.status, 0, r.stderr)

        iso, only = bench.compile_helpers(adtest.BIN, self.tmp)
        self.assertIsNotNone(only, "the build's libraries were not found")

        p = subprocess.run([only, model, data, "1"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        result = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual(result["rows"], len(lines) - 1)
        self.assertGreater(result["rows_per_s"], 0)
        # It scores what ad-score scores: the sum of the scores, to ad-score's 6 decimals.
        scored_path = os.path.join(self.tmp, "s.csv")
        r = adtest.run("ad-score", "-q", "-m", model, "-o", scored_path, data)
        self.assertEqual(r.status, 0, r.stderr)
        with open(scored_path) as f:
            rows = f.read().splitlines()
        col = rows[0].split(",").index("anomaly_score")
        total = sum(float(row.split(",")[col]) for row in rows[1:])
        self.assertAlmostEqual(result["checksum"], total, delta=len(rows) * 5e-7)

        out = os.path.join(self.tmp, "iso.csv")
        p = subprocess.run([iso, data, out, "1"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            scored = f.read().splitlines()
        self.assertEqual(len(scored), len(lines))
        # The far outlier (last row) scores highest in the reference too.
        scores = [float(row.rsplit(",", 1)[1]) for row in scored[1:]]
        self.assertEqual(scores.index(max(scores)), len(scores) - 1)


if __name__ == "__main__":
    unittest.main()
