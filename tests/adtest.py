"""Shared helpers for the tests that run the real ad binaries.

ctest runs each tests/cli/test_*.py and tests/integration/test_*.py with AD_BIN (the
build directory) and AD_SOURCE (the source tree) set. Import it with:

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    import adtest
"""
import csv
import io
import os
import random
import re
import subprocess
import tempfile
import unittest

SOURCE = os.environ.get("AD_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
BIN = os.environ.get("AD_BIN", os.path.join(SOURCE, "build"))

# Exit statuses, as in lib/ad/core/error.h and ad(7).
OK, DATA, USAGE, IO, INTERNAL, UNAVAILABLE = 0, 1, 2, 3, 70, 75


class Result:
    def __init__(self, status, stdout, stderr):
        self.status, self.stdout, self.stderr = status, stdout, stderr

    def __repr__(self):
        return f"Result(status={self.status}, stdout={self.stdout[:300]!r}, stderr={self.stderr[:500]!r})"


def load_script(name):
    """scripts/<name> (a Python script without .py) as a module, to test its functions."""
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("ad_" + name.replace("-", "_"),
                                                  os.path.join(SOURCE, "scripts", name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def to_csv(header, rows):
    """CSV text (LF line ends, minimal quoting) of a header and rows of fields."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


# A small login history in the rich layout, shared by the ad-train and ad-score tests.
LOGIN_HEADER = "event_id,timestamp,user_id,ip_address,country,device_type,data_size_kb,status"


def login_history(n, seed=1, start=0):
    """n login rows (event ids start .. start+n-1) in LOGIN_HEADER's layout: 20 users, each
    with a home network and country, at office hours."""
    r = random.Random(seed)
    rows = []
    for i in range(start, start + n):
        u = r.randrange(20)
        rows.append(f"{i},2024-05-{1 + i // 100 % 28:02d}T{8 + u % 8:02d}:{r.randrange(60):02d}:00Z,"
                    f"user{u},10.0.{u}.{r.randrange(1, 250)},{'NO' if u < 15 else 'SE'},"
                    f"{['Mobile', 'Web'][u % 2]},{r.randint(100, 999)},"
                    f"{'success' if r.random() < 0.95 else 'failure'}")
    return rows


def csv_text(rows, header=LOGIN_HEADER):
    return "\n".join([header] + rows) + "\n"


def tool(name):
    """Path of a built tool, e.g. tool('ad-score')."""
    return os.path.join(BIN, name)


def run(name, *args, input=None, env=None, timeout=120, cwd=None):
    """Runs a tool with arguments; input is str or bytes. Returns Result with text output."""
    if isinstance(input, str):
        input = input.encode()
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    p = subprocess.run([tool(name), *map(str, args)], input=input, capture_output=True,
                       env=full_env, timeout=timeout, cwd=cwd)
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


class TempDirTestCase(unittest.TestCase):
    """A TestCase with self.tmp, a fresh directory per test, and self.write(name, text)."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="adtest-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, content):
        path = os.path.join(self.tmp, name)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as f:
            f.write(content)
        return path

    def assertStatus(self, result, status):
        self.assertEqual(result.status, status, repr(result))


class ToolRunner:
    """Mix into a TempDirTestCase that defines expand(args) and sets TOOL (e.g. "ad-score")."""

    def run_tool(self, args, **kw):
        return run(self.TOOL, *self.expand(args), **kw)

    def assertOneLine(self, result, pattern):
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, repr(result))
        self.assertRegex(lines[0], pattern)


class ToolManners(ToolRunner):
    """The command-line manners every tool shares, as tests. Mix into ONE test class
    (its tests run once per class that has them), which also sets:
      HELP_OPTIONS  option spellings --help must show
      USAGE_CASES   (name, args) pairs that must be usage errors
      USAGE_INPUT   content of {T}/in.csv while the usage cases run
    and may set:
      USAGE_LINE    what --help must show as the usage line, {TOOL} for the tool's name
    The man page is man/TOOL.1.
    """

    USAGE_LINE = "Usage: {TOOL} [OPTIONS] [FILE]"

    def test_help(self):
        r = self.run_tool(["--help"])
        self.assertStatus(r, OK)
        self.assertIn(self.USAGE_LINE.format(TOOL=self.TOOL), r.stdout)
        for opt in self.HELP_OPTIONS:
            self.assertIn(opt, r.stdout)
        self.assertEqual(r.stderr, "")

    def test_every_option_is_in_the_man_page(self):
        r = self.run_tool(["--help"])
        with open(os.path.join(SOURCE, "man", self.TOOL + ".1"), encoding="utf-8") as f:
            page = f.read().replace("\\-", "-")
        options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b", r.stdout))
        self.assertIn("--help", options)
        for opt in sorted(options):
            self.assertIn(opt, page, f"{opt} is in --help but not in man/{self.TOOL}.1")

    def test_version(self):
        r = self.run_tool(["--version"])
        self.assertStatus(r, OK)
        self.assertRegex(r.stdout, rf"^{self.TOOL} \(ad\) \d+\.\d+\.\d+\n$")
        self.assertEqual(r.stderr, "")

    def test_usage_errors(self):
        self.write("in.csv", self.USAGE_INPUT)
        for name, args in self.USAGE_CASES:
            with self.subTest(name):
                r = self.run_tool(args)
                self.assertStatus(r, USAGE)
                self.assertRegex(r.stderr, rf"^{self.TOOL}: .+\n")
                self.assertTrue(r.stderr.endswith(f"Try '{self.TOOL} --help' for more information.\n"), repr(r))
                self.assertEqual(r.stdout, "")
                self.assertEqual(sorted(os.listdir(self.tmp)), ["in.csv"], "a usage error wrote a file")
