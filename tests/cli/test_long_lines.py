"""--on-error skip over a line of 16 MiB or more, and a BOM, in every tool that reads CSV.

A line too long to read used to be reported again and again (line 2, 3, 4... at 100%
CPU) by the tools whose skip loop did not guard against it. csv::Reader now reads past
such a line and reports it once, from a file and from a pipe alike.
"""
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402

LONG = "x" * (17 << 20)  # one field of 17 MiB: a line of 16 MiB or more
TIMEOUT = 60


class LongLineTest(adtest.TempDirTestCase):
    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.TemporaryDirectory(prefix="adtest-long-")
        cls.model = os.path.join(cls._dir.name, "m.model")
        history = adtest.csv_text(adtest.login_history(300))
        r = adtest.run("ad-train", "--seed", "1", "-q", "-m", cls.model, input=history)
        assert r.status == 0, r
        r = adtest.run("ad-score", "-q", "-m", cls.model, input=history)
        assert r.status == 0, r
        cls.history = history
        cls.scored = r.stdout

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def with_long_line(self, text):
        """text with a 17 MiB line after its header and first row."""
        lines = text.split("\n")
        return "\n".join(lines[:2] + [LONG] + lines[2:])

    def check(self, tool, args, text, status):
        """tool with --on-error skip ends, from a file and from a pipe, with status, one
        warning for the long line (at line 3) and only a few lines on stderr."""
        path = self.write("long.csv", text)
        for source, kw, file_args in [("file", {}, [path]), ("pipe", {"input": text}, [])]:
            with self.subTest(tool=tool, source=source):
                r = adtest.run(tool, "--on-error", "skip", *args, *file_args, timeout=TIMEOUT, **kw)
                self.assertStatus(r, status)
                skipped = re.findall(rf"(?m)^{tool}: warning: skipped: (.*)$", r.stderr)
                self.assertEqual(len(skipped), 1, r.stderr[:2000])
                self.assertRegex(skipped[0], r":3: line of 16 MiB or more")
                self.assertLess(len(r.stderr.splitlines()), 6, r.stderr[:2000])

    def test_ad_train(self):
        self.check("ad-train", ["-q", "-m", os.path.join(self.tmp, "t.model")],
                   self.with_long_line(self.history), adtest.OK)

    def test_ad_score(self):
        self.check("ad-score", ["-q", "-m", self.model, "-o", os.path.join(self.tmp, "out.csv")],
                   self.with_long_line(self.history), adtest.OK)

    def test_ad_report(self):
        self.check("ad-report", ["-q", "-o", os.path.join(self.tmp, "r.html")],
                   self.with_long_line(self.scored), adtest.OK)

    def test_ad_mail(self):
        # ad-mail alerts about the rest, then exits 1 for the bad row, as ad-mail(1) says.
        self.check("ad-mail", ["-q", "--dry-run", "--from", "ad@example.com", "--to", "soc@example.com",
                               "--spool", os.path.join(self.tmp, "spool")],
                   self.with_long_line(self.scored), adtest.DATA)


class BomTest(adtest.TempDirTestCase):
    def test_one_bom_is_dropped_from_a_file_and_from_a_pipe(self):
        # Two BOMs: the first is dropped, the second is part of the first column's name,
        # so --map must name it so, the same for a file and a pipe.
        text = "\ufeff\ufeff" + adtest.csv_text(adtest.login_history(60))
        path = self.write("bom.csv", text)
        args = ["--map", "id=\ufeffevent_id", "-q", "-m", os.path.join(self.tmp, "m.model")]
        for kw, file_args in [({}, [path]), ({"input": text}, [])]:
            r = adtest.run("ad-train", *args, *file_args, **kw)
            self.assertStatus(r, adtest.OK)


if __name__ == "__main__":
    unittest.main()
