"""Shared helpers for scripts/compare-sklearn and scripts/bench.

Stdlib only at import time, so the scripts can run scripts/setup before numpy and
scikit-learn are importable. Everything here runs the real ad binaries as separate
processes, exactly as a user would.
"""
import os
import re
import resource
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PYTHON = "/usr/bin/python3"  # Debian's python, which has python3-sklearn
HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    """A step failed: the message is printed and the script exits with status 3."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def prepare(bin_dir, no_build):
    """Installs the bench packages and builds ad (scripts/build) unless told not to.

    Returns the directory that holds ad-train and ad-score. With an explicit bin_dir
    nothing is built: the caller vouches for it.
    """
    if not no_build:
        run_checked([os.path.join(ROOT, "scripts", "setup"), "bench"])
    if bin_dir is None:
        bin_dir = os.path.join(ROOT, "build")
        if not no_build:
            log("building ad (scripts/build) ...")
            run_checked([os.path.join(ROOT, "scripts", "build")])
    bin_dir = os.path.abspath(bin_dir)
    for tool in ("ad-train", "ad-score"):
        path = os.path.join(bin_dir, tool)
        if not os.access(path, os.X_OK):
            raise Failure(f"{path} not found or not executable (build ad, or pass --bin DIR)")
    return bin_dir


def run_checked(cmd, **kw):
    """Runs cmd with its stdout sent to our stderr (so reports stay clean)."""
    p = subprocess.run(cmd, stdout=sys.stderr, **kw)
    if p.returncode != 0:
        raise Failure(f"{' '.join(cmd)} exited with status {p.returncode}")


def run_tool(cmd, timeout=1800):
    """Runs one ad tool; raises Failure with its stderr when it fails."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()
        raise Failure(f"{' '.join(cmd)}: exit status {p.returncode}: {err[-2000:]}")
    return p


def children_cpu():
    """User + system CPU seconds of all waited-for child processes so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, timeout=3600, stdin=None, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (wall seconds, CPU seconds, CompletedProcess).

    CPU is user + system time of the process and its children, all threads together:
    on a busy machine it is steadier than the wall time. Raises Failure if cmd fails.
    """
    c0 = children_cpu()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout)
    dt = time.perf_counter() - t0
    cpu = children_cpu() - c0
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()
        raise Failure(f"{' '.join(cmd)}: exit status {p.returncode}: {err[-2000:]}")
    return dt, cpu, p


def gnu_time(cmd, timeout=3600):
    """Runs cmd under /usr/bin/time -v. Returns dict(wall, rss_kb, user, sys)."""
    out = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"adbench-time.{os.getpid()}")
    try:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", out, *cmd], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=timeout)
        wall = time.perf_counter() - t0
        with open(out) as f:
            text = f.read()
    finally:
        if os.path.exists(out):
            os.unlink(out)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()
        raise Failure(f"{' '.join(cmd)}: exit status {p.returncode}: {err[-2000:]}")

    def field(name):
        m = re.search(r"^\s*" + re.escape(name) + r": (.*)$", text, re.M)
        if not m:
            raise Failure(f"/usr/bin/time -v gave no '{name}'")
        return m.group(1).strip()

    return {"wall": wall, "rss_kb": int(field("Maximum resident set size (kbytes)")),
            "user": float(field("User time (seconds)")),
            "sys": float(field("System time (seconds)"))}


def read_column(path, name):
    """Returns the named column of a CSV file as a list of strings (csv module)."""
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        if name not in header:
            raise Failure(f"{path}: no column '{name}' in header {header}")
        i = header.index(name)
        return [row[i] for row in r]


def fmt_number(v):
    """Shortest text that reads back as the same double; integers without '.0'."""
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def write_numeric_csv(path, X):
    """Writes a plain numeric table with columns x0, x1, ... (no label column)."""
    d = len(X[0])
    with open(path, "w", newline="") as f:
        f.write(",".join(f"x{j}" for j in range(d)) + "\n")
        for row in X:
            f.write(",".join(fmt_number(v) for v in row) + "\n")


def load():
    """The 1-minute load average, or -1 if unknown."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return -1.0


def machine():
    """One line describing the CPU, cores and OS, for reports."""
    cpu = "unknown cpu"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    osname = "unknown OS"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {osname}"
