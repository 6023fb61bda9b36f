"""Every man page renders cleanly, has the house sections, and its EXAMPLES run as written.

The EXAMPLES section of each man/*.1 page and man/ad.7 holds its commands in .nf/.fi
(or .EX/.EE) blocks. The blocks of one page run in order, as one session, in a fresh
temporary directory with the built tools first on PATH; any block that exits non-zero
fails the test. Pages whose examples need a service (a PostgreSQL or SMTP server)
carry the comment line

    .\\" requires-service

and are skipped unless AD_TEST_SERVICES=1 is set.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import adtest  # noqa: E402

MAN_DIR = os.path.join(adtest.SOURCE, "man")
SERVICE_MARK = re.compile(r'^\.\\"\s*requires-service\b', re.M)

SPECIAL = {"aq": "'", "dq": '"', "ga": "`", "ti": "~", "ha": "^", "rs": "\\", "lq": '"', "rq": '"',
           "oq": "'", "cq": "'", "hy": "-", "mi": "-", "at": "@", "sh": "#", "Do": "$", "sl": "/",
           "ba": "|", "lB": "[", "rB": "]", "lC": "{", "rC": "}"}


class RoffError(ValueError):
    pass


def unescape(line):
    """Plain text of one roff text line, for the escapes a shell command needs."""
    out, i = [], 0
    while i < len(line):
        c = line[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(line):
            raise RoffError(f"a line ends with a backslash: {line!r}")
        e = line[i + 1]
        if e == '"':  # comment to the end of the line
            break
        if e in "e\\":
            out.append("\\")
            i += 2
        elif e in "-":
            out.append("-")
            i += 2
        elif e in "&":
            i += 2
        elif e in " ~0":
            out.append(" ")
            i += 2
        elif e == "(":
            name = line[i + 2:i + 4]
            if name not in SPECIAL:
                raise RoffError(f"unknown special character \\({name} in {line!r}")
            out.append(SPECIAL[name])
            i += 4
        elif e == "[":
            end = line.find("]", i)
            name = line[i + 2:end]
            if end < 0 or name not in SPECIAL:
                raise RoffError(f"unknown special character in {line!r}")
            out.append(SPECIAL[name])
            i = end + 1
        elif e == "f":
            if line[i + 2:i + 3] == "(":
                i += 5
            elif line[i + 2:i + 3] == "[":
                i = line.index("]", i) + 1
            else:
                i += 3
        else:
            raise RoffError(f"an escape the example extractor does not know: \\{e} in {line!r}")
    return "".join(out)


def sections(text):
    """{section name: [lines]} of a roff page."""
    result, name = {}, None
    for line in text.splitlines():
        m = re.match(r"^\.SH\s+(.*)$", line)
        if m:
            name = m.group(1).strip().strip('"')
            result[name] = []
        elif name is not None:
            result[name].append(line)
    return result


def example_blocks(text):
    """The shell text of each .nf/.fi or .EX/.EE block in the EXAMPLES section."""
    blocks, current = [], None
    for line in sections(text).get("EXAMPLES", []):
        if re.match(r"^\.(nf|EX)\b", line):
            current = []
        elif re.match(r"^\.(fi|EE)\b", line):
            if current is not None:
                blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            if line.startswith((".", "'")) and not line.startswith(".\\\""):
                continue  # a request such as .br inside the block
            if line.startswith(".\\\""):
                continue
            current.append(unescape(line))
    return blocks


def pages():
    return sorted(glob.glob(os.path.join(MAN_DIR, "*.1")) + glob.glob(os.path.join(MAN_DIR, "*.7")))


class ExtractorTest(unittest.TestCase):
    def test_unescape(self):
        self.assertEqual(unescape(r"ad\-score \-m m.model \e"), "ad-score -m m.model \\")
        self.assertEqual(unescape(r"printf \(aq%s\en\(aq \(dqx\(dq"), "printf '%s\\n' \"x\"")
        self.assertEqual(unescape(r"\fBbold\fR and \f(CWcode\fP \&.x"), "bold and code .x")
        self.assertEqual(unescape(r'echo hi \" a comment'), "echo hi ")
        with self.assertRaises(RoffError):
            unescape(r"\*(xx")

    def test_blocks(self):
        page = ".SH NAME\nx\n.SH EXAMPLES\nText\n.nf\necho \\-a\n.br\n.fi\n.EX\nls\n.EE\n.SH SEE ALSO\n.nf\nnot me\n.fi\n"
        self.assertEqual(example_blocks(page), ["echo -a\n", "ls\n"])


class ManPagesTest(unittest.TestCase):
    def test_pages_exist(self):
        names = [os.path.basename(p) for p in pages()]
        for name in ("ad-train.1", "ad-score.1", "ad.7"):
            self.assertIn(name, names)

    def test_pages_render_without_warnings(self):
        if not shutil.which("groff"):
            self.skipTest("groff is not installed")
        for page in pages():
            with self.subTest(os.path.basename(page)):
                p = subprocess.run(["groff", "-t", "-man", "-ww", "-z", page], capture_output=True, text=True,
                                   timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stderr, "")

    def test_pages_have_the_house_sections(self):
        for page in pages():
            with self.subTest(os.path.basename(page)):
                with open(page, encoding="utf-8") as f:
                    names = set(sections(f.read()))
                want = {"NAME", "DESCRIPTION", "EXAMPLES", "SEE ALSO"}
                if page.endswith(".1"):
                    want |= {"SYNOPSIS", "OPTIONS", "EXIT STATUS"}
                else:
                    want |= {"EXIT STATUS"}
                self.assertEqual(want - names, set())

    def test_examples_run_as_written(self):
        env = dict(os.environ)
        env["PATH"] = adtest.BIN + os.pathsep + env.get("PATH", "")
        services = os.environ.get("AD_TEST_SERVICES") == "1"
        for page in pages():
            name = os.path.basename(page)
            with self.subTest(name):
                with open(page, encoding="utf-8") as f:
                    text = f.read()
                if SERVICE_MARK.search(text) and not services:
                    continue  # needs PostgreSQL or SMTP: run with AD_TEST_SERVICES=1
                blocks = example_blocks(text)
                self.assertTrue(blocks, f"{name}: no .nf/.fi block in EXAMPLES")
                with tempfile.TemporaryDirectory(prefix="adtest-man-") as tmp:
                    for n, block in enumerate(blocks, 1):
                        p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=tmp, env=env,
                                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
                        self.assertEqual(p.returncode, 0,
                                         f"{name}: example block {n} exited {p.returncode}\n--- block:\n{block}"
                                         f"--- stderr:\n{p.stderr[-3000:]}")


if __name__ == "__main__":
    unittest.main()
