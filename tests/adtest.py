"""Shared helpers for the tests that run the real ad binaries.

ctest runs each tests/cli/test_*.py and tests/integration/test_*.py with AD_BIN (the
build directory) and AD_SOURCE (the source tree) set. Import it with:

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    import adtest
"""
import os
import subprocess
import tempfile
import unittest

SOURCE = os.environ.get("AD_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
BIN = os.environ.get("AD_BIN", os.path.join(SOURCE, "build"))

# Exit statuses, as in lib/ad/error.h and ad(7).
OK, DATA, USAGE, IO, INTERNAL, UNAVAILABLE = 0, 1, 2, 3, 70, 75


class Result:
    def __init__(self, status, stdout, stderr):
        self.status, self.stdout, self.stderr = status, stdout, stderr

    def __repr__(self):
        return f"Result(status={self.status}, stdout={self.stdout[:300]!r}, stderr={self.stderr[:500]!r})"


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
