"""ad-report in a real browser: headless Chromium renders the reports, and the Nu HTML
Checker (vnu-jar, run with Java) validates them.

Chromium is driven through the DevTools protocol over a pipe (--remote-debugging-pipe:
NUL-separated JSON on file descriptors 3 and 4), so the test sees console messages with
their level, can evaluate checks in the page, click and type, and take screenshots,
all in one browser, with nothing listening on the network.

Needs chromium, java and npm (scripts/setup test installs them). The first run installs
vnu-jar with npm into the build tree (AD_BIN/.vnu), or uses AD_VNU_JAR if set.

The screenshot of the report made from real ad-train and ad-score output (with incidents)
is left at AD_BIN/report-screenshot.png, that of the demo-like report without incident
columns at AD_BIN/report-screenshot-events.png.
"""
import base64
import csv
import fcntl
import io
import json
import os
import random
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402

VNU_VERSION = "26.9.27"
SCORED = ["anomaly_score", "anomaly_flag", "severity", "anomaly_reasons"]
RICH = ["event_id", "timestamp", "user_id", "ip_address", "country", "city", "latitude", "longitude",
        "device_type", "user_agent", "status"]
PROTOTYPE = ["user_id", "timestamp", "activity_type", "ip_address", "device_type", "data_size_kb",
             "encryption_method", "encryption_time_ms", "response_time_ms", "location", "latency_ms",
             "bandwidth_usage_mbps", "6g_network_status", "adaptive_protocol_level"]

# Values that would run if they were not escaped. The marker ones would change the DOM.
HOSTILE_USER = "<script>alert(1)</script>"
HOSTILE_CITY = "<img src=x onerror=alert(1)>"
MARKER_USER = "<script>document.documentElement.setAttribute('data-pwned','user')</script>"
MARKER_CITY = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','city')\">"
MARKER_REASON = "<svg onload=\"document.documentElement.setAttribute('data-pwned','svg')\">; \"quoted\" & <b>bold</b>"
MARKER_IP = "\"><script>document.documentElement.setAttribute('data-pwned','ip')</script>"
# A right-to-left override would show this as "adminexe.jpg"; the report shows U+FFFD.
BIDI_DEVICE = "admin\u202egpj.exe"


# ---------------------------------------------------------------------------------
# Scored CSV fixtures, written by hand (as ad-score would write them).

CITIES = [("NO", "Oslo", 59.91, 10.75), ("SE", "Stockholm", 59.33, 18.07), ("DE", "Berlin", 52.52, 13.40),
          ("US", "New York", 40.71, -74.01), ("GB", "London", 51.51, -0.13), ("JP", "Tokyo", 35.68, 139.69)]
FAR = [("RO", "Bucharest", 44.43, 26.10), ("NG", "Lagos", 6.52, 3.38), ("BR", "São Paulo", -23.55, -46.63),
       ("RU", "Moscow", 55.76, 37.62), ("VN", "Hanoi", 21.03, 105.85)]
DEVICES = ["Web", "Mobile", "Tablet"]


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


to_csv = adtest.to_csv


def severity_for(rng, flagged, score):
    if not flagged:
        return round(min(94.9, max(0.0, (score - 0.30) * 400)), 1)
    r = rng.random()
    if r < 0.55:
        return round(rng.uniform(99.9, 100.0), 1)
    if r < 0.80:
        return round(rng.uniform(99.0, 99.89), 1)
    if r < 0.95:
        return round(rng.uniform(95.0, 98.9), 1)
    return round(rng.uniform(90.0, 94.9), 1)


def demo_rows(seed=7, days=30, users=150, start=1735689600):  # 2025-01-01
    """About 20000 logins of a company over a month, with a few attack incidents."""
    rng = random.Random(seed)
    people = [(f"user{i:03d}@example.com", CITIES[i % len(CITIES)], f"10.{i // 200}.{i % 200}.{rng.randint(2, 250)}",
               DEVICES[i % 3]) for i in range(users)]
    rows, n = [], 0
    for day in range(days):
        weekday = (3 + day) % 7  # 2025-01-01 was a Wednesday (0 = Monday)
        for name, (cc, city, lat, lon), ip, device in people:
            k = rng.randint(3, 6) if weekday < 5 else rng.randint(0, 1)
            for _ in range(k):
                t = start + day * 86400 + int(rng.gauss(12.5, 2.5) * 3600) % 86400
                score = min(0.6, max(0.3, rng.gauss(0.45, 0.035)))
                rows.append([t, name, ip, cc, city, lat, lon, device, "Mozilla/5.0", "success", score, 0, ""])
    # Attack incidents: a burst from one far-away IP against a few users, travel, brute force.
    for incident in range(25):
        day = rng.randint(min(3, days - 1), days - 1)
        cc, city, lat, lon = rng.choice(FAR)
        ip = f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        hour = rng.choice([1, 2, 3, 4, 14, 22, 23])
        victims = rng.sample(people, rng.randint(1, 4))
        for j in range(rng.randint(5, 40)):
            name, (ucc, ucity, _, _), _, _ = rng.choice(victims)
            t = start + day * 86400 + hour * 3600 + j * rng.randint(10, 90)
            score = rng.uniform(0.62, 0.86)
            kind = rng.random()
            if kind < 0.4:
                reason = f"new country for user: {cc} (usual: {ucc}); travel {rng.randint(1500, 9000)} km in {rng.randint(5, 50)} min from {ucity}"
            elif kind < 0.8:
                reason = f"{rng.randint(12, 60)} failed logins from {ip} in 10 min; {rng.randint(3, 30)} users from one IP"
            else:
                reason = f"unusual hour for user: {hour:02d}:00 (usual: 08:00 to 17:00); new device for user: Tablet"
            rows.append([t, name, ip, cc, city, lat, lon, "Tablet", "python-requests/2.31",
                         rng.choice(["failure", "success"]), score, 1, reason])
    rows.sort(key=lambda r: r[0])
    out = []
    for r in rows:
        n += 1
        t, name, ip, cc, city, lat, lon, device, ua, status, score, flag, reason = r
        sev = severity_for(rng, flag == 1, score)
        out.append([f"e{n:06d}", iso(t), name, ip, cc, city, f"{lat:.4f}", f"{lon:.4f}", device, ua, status,
                    f"{score:.6f}", flag, f"{sev:.1f}", reason])
    return to_csv(RICH + SCORED, out)


def hostile_rows():
    base = 1714550400  # 2024-05-01T08:00:00Z
    rows = [
        ["e1", iso(base), "alice", "10.0.0.1", "NO", "Oslo", "59.9", "10.7", "Web", "Mozilla", "success",
         "0.412345", "0", "40.1", ""],
        ["e2", iso(base + 600), HOSTILE_USER, "45.3.2.1", "RO", HOSTILE_CITY, "44.4", "26.1", BIDI_DEVICE,
         "curl", "failure", "0.812345", "1", "99.9", "38 failed logins from 45.3.2.1 in 10 min"],
        ["e3", iso(base + 1200), MARKER_USER, MARKER_IP, "<b>RO</b>", MARKER_CITY, "44.4", "26.1",
         "<i>Tablet</i>", "curl", "failure", "0.701234", "1", "99.5", MARKER_REASON],
        ["e4", iso(base + 3600), "bob", "10.0.0.2", "NO", "Bergen", "60.3", "5.3", "Mobile", "Mozilla",
         "success", "0.5", "0", "60.0", ""],
    ]
    return to_csv(RICH + SCORED, rows)


def single_row():
    return to_csv(RICH + SCORED, [["e1", "2024-05-01T08:37:12Z", "alice", "10.0.0.1", "NO", "Oslo", "59.9",
                                   "10.7", "Web", "Mozilla", "success", "0.801234", "1", "99.9",
                                   "new country for user: NO (usual: SE)"]])


def one_day_rows():
    rng = random.Random(3)
    rows = []
    base = 1714521600  # 2024-05-01T00:00:00Z
    for i in range(400):
        t = base + rng.randint(0, 86399)
        flagged = rng.random() < 0.05
        score = rng.uniform(0.62, 0.8) if flagged else rng.uniform(0.35, 0.55)
        rows.append([f"e{i}", iso(t), f"u{rng.randint(1, 30)}", f"10.0.0.{rng.randint(1, 60)}", "NO", "Oslo",
                     "59.9", "10.7", "Web", "Mozilla", "success", f"{score:.6f}", int(flagged),
                     f"{severity_for(rng, flagged, score):.1f}", "new IP for user" if flagged else ""])
    rows.sort(key=lambda r: r[1])
    return to_csv(RICH + SCORED, rows)


def one_year_rows():
    """The prototype's layout over 2025, with chats and uploads that were not scored."""
    rng = random.Random(5)
    rows = []
    base = 1735689600  # 2025-01-01
    for i in range(3000):
        t = base + rng.randint(0, 365 * 86400 - 1)
        activity = rng.choice(["login", "login", "chat", "upload", "download"])
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
        scored = ["", "", "", ""]
        if activity == "login":
            flagged = rng.random() < 0.04
            score = rng.uniform(0.62, 0.8) if flagged else rng.uniform(0.35, 0.55)
            scored = [f"{score:.6f}", str(int(flagged)), f"{severity_for(rng, flagged, score):.1f}",
                      "unusual activity" if flagged else ""]
        rows.append([f"user_{rng.randint(1, 80)}", when, activity, f"192.168.{rng.randint(0, 9)}.{rng.randint(1, 250)}",
                     rng.choice(["Mobile", "Tablet", "Web"]), str(rng.randint(1, 9000)), "AES-256",
                     "1.5", "20", rng.choice(["AU", "US", "NO", "IN"]), "12", "300.5", "active", "3", *scored])
    rows.sort(key=lambda r: r[1])
    return to_csv(PROTOTYPE + SCORED, rows)


def scored_with_incidents(work):
    """Real ad-train and ad-score output: a history of logins, then new days with a brute
    force on user3 from abroad. Returns the scored CSV text."""
    train = os.path.join(work, "train.csv")
    with open(train, "w") as f:
        f.write(adtest.csv_text(adtest.login_history(2000, seed=1)))
    model = os.path.join(work, "m.model")
    r = adtest.run("ad-train", "-q", "--seed", "1", "-m", model, train)
    if r.status != 0:
        raise RuntimeError(f"ad-train: {r!r}")
    rows = adtest.login_history(600, seed=2, start=5000)
    rows += [f"{8000 + k},2024-05-29T03:{k:02d}:00Z,user3,203.0.113.9,RU,Web,512,failure" for k in range(30)]
    rows.sort(key=lambda r: r.split(",")[1])
    r = adtest.run("ad-score", "-q", "-m", model, input=adtest.csv_text(rows))
    if r.status != 0:
        raise RuntimeError(f"ad-score: {r!r}")
    return r.stdout


# ---------------------------------------------------------------------------------
# Chromium over the DevTools protocol.

class Browser:
    def __init__(self):
        self.profile = tempfile.TemporaryDirectory(prefix="adtest-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def wire():  # in the child: the protocol pipe is fds 3 (commands in) and 4 (answers out)
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", "--user-data-dir=" + self.profile.name,
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=wire, close_fds=False, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.last_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=60):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline, method)
            if m.get("id") == self.last_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]
            self.events.append(m)

    def wait_event(self, method, session, timeout=60):
        for i, e in enumerate(self.events):
            if e.get("method") == method and e.get("sessionId") == session:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline, method)
            if m.get("method") == method and m.get("sessionId") == session:
                return m
            self.events.append(m)

    def _read(self, deadline, what):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"chromium did not answer {what}")
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if ready:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    self.log.seek(0)
                    raise RuntimeError("chromium exited: " + self.log.read()[-2000:].decode("utf-8", "replace"))
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url, width=1280, height=2400, scripts=True):
        """Opens url in a new tab; returns its session id once the page has loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(m, session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        if not scripts:
            self.send("Emulation.setScriptExecutionDisabled", {"value": True}, session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session)
        return session

    def eval(self, session, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def problems(self, session):
        """Console messages, page errors and browser log entries of warning level or worse."""
        self.eval(session, "1")  # let pending events arrive
        out = []
        for e in self.events:
            if e.get("sessionId") != session:
                continue
            p = e.get("params", {})
            if e.get("method") == "Runtime.consoleAPICalled":
                out.append(f"console.{p.get('type')}: {json.dumps(p.get('args'))[:300]}")
            elif e.get("method") == "Runtime.exceptionThrown":
                out.append(f"exception: {json.dumps(p.get('exceptionDetails'))[:300]}")
            elif e.get("method") == "Log.entryAdded" and p["entry"].get("level") in ("warning", "error"):
                out.append(f"log {p['entry'].get('level')}: {p['entry'].get('text')}")
        return out

    def screenshot(self, session, path):
        data = self.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)
        self.log.close()
        self.profile.cleanup()


# ---------------------------------------------------------------------------------
# The Nu HTML Checker.

def vnu_jar():
    """Path of vnu.jar: AD_VNU_JAR, or vnu-jar installed with npm into the build tree."""
    if os.environ.get("AD_VNU_JAR"):
        return os.environ["AD_VNU_JAR"]
    prefix = os.path.join(adtest.BIN, ".vnu")
    jar = os.path.join(prefix, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
    os.makedirs(prefix, exist_ok=True)
    with open(os.path.join(prefix, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(jar):
            # --ignore-scripts: the package's install script would fetch a Java runtime; we use Debian's.
            subprocess.run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts",
                            f"vnu-jar@{VNU_VERSION}"], check=True, capture_output=True, timeout=300)
    return jar


# JavaScript run in the page: what every report must have.
PAGE_FACTS = r"""(() => {
  const svgs = [...document.querySelectorAll("svg.chart")];
  const bad = [];
  for (const s of svgs) {
    const ids = (s.getAttribute("aria-labelledby") || "").split(" ");
    if (s.getAttribute("role") !== "img" || ids.length !== 2 || !ids.every(id => document.getElementById(id)))
      bad.push("accessible name of " + s.id);
    if (!s.querySelector("title") || !s.querySelector("desc")) bad.push("title/desc of svg");
    for (const el of s.querySelectorAll("*"))
      for (const a of el.attributes)
        if (/NaN|Infinity|undefined/.test(a.value)) bad.push(el.tagName + " " + a.name + "=" + a.value);
    const r = s.getBoundingClientRect();
    if (r.width < 200 || r.height < 50) bad.push("svg too small: " + r.width + "x" + r.height);
  }
  const time = document.getElementById("c-time");
  // The x axis labels of the plot over time, a second line (tspan) after "\n".
  const ticks = time ? [...time.querySelectorAll("text.tick[text-anchor=middle]")]
      .map(t => [...t.childNodes].map(n => n.textContent).join("\n")) : [];
  const bars = time ? time.querySelectorAll("rect.bar").length : 0;
  return {
    charts: svgs.map(s => s.querySelector("title").id.replace(/-t$/, "")),
    bad: bad,
    scripts: document.scripts.length,
    images: document.images.length,
    onattrs: [...document.querySelectorAll("*")].filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).length,
    pwned: document.documentElement.getAttribute("data-pwned"),
    script: document.documentElement.getAttribute("data-script"),
    toolsHidden: document.getElementById("table-tools") ? document.getElementById("table-tools").hidden : null,
    rows: [...document.querySelectorAll("#anomaly-table tbody tr")].map(r => [...r.cells].map(c => c.textContent)),
    timeTicks: ticks,
    timeBars: bars,
    text: document.body.innerText,
  };
})()"""


class ReportBrowserTest(unittest.TestCase):
    """Renders several reports in one Chromium and validates them with vnu."""

    @classmethod
    def setUpClass(cls):
        for tool in ("chromium", "java", "npm"):
            if not shutil.which(tool):
                raise RuntimeError(f"{tool} is missing: run scripts/setup test")
        cls.work = tempfile.TemporaryDirectory(prefix="adtest-report-")
        cls.pages = {}
        cls.incident_csv = scored_with_incidents(cls.work.name)
        for name, content, args in [
            ("incidents", cls.incident_csv, ["--title", "Logins with incidents", "--top", "50"]),
            ("demo", demo_rows(), ["--title", "Logins, January 2025", "--top", "200"]),
            ("hostile", hostile_rows(), ["--title", "<script>alert('title')</script>"]),
            ("single", single_row(), []),
            ("day", one_day_rows(), []),
            ("year", one_year_rows(), []),
        ]:
            src = os.path.join(cls.work.name, name + ".csv")
            with open(src, "w") as f:
                f.write(content)
            out = os.path.join(cls.work.name, name + ".html")
            r = adtest.run("ad-report", "-o", out, *args, src, env={"SOURCE_DATE_EPOCH": "1735776000"})
            if r.status != 0:
                raise RuntimeError(f"ad-report on {name}: {r!r}")
            cls.pages[name] = out
        cls.browser = Browser()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.work.cleanup()

    def open(self, name, **kw):
        return self.browser.open("file://" + self.pages[name], **kw)

    def facts(self, session):
        return self.browser.eval(session, PAGE_FACTS)

    def assertClean(self, session, facts, first_charts=()):
        self.assertEqual(self.browser.problems(session), [])
        self.assertEqual(facts["bad"], [])
        self.assertEqual(facts["charts"],
                         [*first_charts, "c-time", "c-scores", "c-heat", "c-users", "c-ips", "c-countries"])
        self.assertEqual(facts["script"], "ready")  # the script ran: its CSP hash is right
        self.assertEqual(facts["scripts"], 1)
        self.assertEqual(facts["images"], 0)

    def test_demo_report_renders_and_sorts(self):
        s = self.open("demo")
        f = self.facts(s)
        self.assertClean(s, f)
        self.assertEqual(f["onattrs"], 0)
        self.assertRegex(f["text"][:20000], r"The 200 most severe of [0-9,]+ flagged logins")  # capped, says so
        self.assertEqual(len(f["rows"]), 200)
        self.assertFalse(f["toolsHidden"])
        severities = [float(r[6].split()[0]) for r in f["rows"]]
        self.assertEqual(severities, sorted(severities, reverse=True))
        # A month of data: bars per 12 hours, labelled by date, the year once.
        self.assertTrue("Logins per 12 hours" in f["text"])
        self.assertGreaterEqual(f["timeBars"], 50)
        self.assertRegex(f["timeTicks"][0], r"^[1-3]? ?\d Jan\n2025$")
        for tick in f["timeTicks"][1:]:
            self.assertRegex(tick, r"^\d{1,2} (Jan|Feb)$")
        self.assertLessEqual(len(f["timeTicks"]), 16)
        self.browser.screenshot(s, os.path.join(adtest.BIN, "report-screenshot-events.png"))
        # Sorting by user, then filtering.
        self.browser.eval(s, "document.querySelectorAll('#anomaly-table thead button')[1].click()")
        users = self.browser.eval(s, "[...document.querySelectorAll('#anomaly-table tbody tr')].map(r => r.cells[1].textContent)")
        self.assertEqual(users, sorted(users))
        self.assertEqual(self.browser.eval(s, "document.querySelectorAll('#anomaly-table th')[1].getAttribute('aria-sort')"),
                         "ascending")
        someone = users[0]
        shown = self.browser.eval(s, """(() => { const i = document.getElementById('filter');
            i.value = %s; i.dispatchEvent(new Event('input'));
            return [...document.querySelectorAll('#anomaly-table tbody tr')].filter(r => !r.hidden)
                .map(r => r.cells[1].textContent); })()""" % json.dumps(someone.upper()))
        self.assertEqual(shown, [u for u in users if someone in u])
        self.assertTrue(f"{len(shown)} of 200 rows shown" in self.browser.eval(s, "document.body.innerText"))
        self.assertEqual(self.browser.problems(s), [])

    def burst(self):
        """The flagged rows of the brute force on user3, from the scored CSV."""
        rows = list(csv.DictReader(io.StringIO(self.incident_csv)))
        return [r for r in rows if r["anomaly_flag"] == "1" and r["user_id"] == "user3"]

    def test_incidents_come_first_and_the_burst_is_one_incident(self):
        burst = self.burst()
        self.assertGreaterEqual(len(burst), 20)
        self.assertEqual(len({r["incident_id"] for r in burst}), 1)  # ad-score made it one incident
        s = self.open("incidents")
        f = self.facts(s)
        self.assertClean(s, f, first_charts=["c-incidents"])
        text = f["text"]
        self.assertLess(text.index("Incidents\n"), text.index("Logins and anomalies over time"))
        self.assertRegex(text, r"Incidents\n\d+")
        incidents = self.browser.eval(s, """[...document.querySelectorAll('#incident-table tr.incident')]
            .map(r => ({id: r.id, cells: [...r.cells].map(c => c.innerText)}))""")
        theirs = [i for i in incidents if "user3" in i["cells"][3]]
        self.assertEqual(len(theirs), 1, incidents)
        row = theirs[0]
        self.assertEqual(row["id"], "inc-1")  # the attack ranks first
        self.assertIn(burst[0]["incident_id"], row["cells"][1])
        self.assertIn(burst[-1]["incident_kind"], row["cells"][1])
        self.assertIn("203.0.113.9", row["cells"][4])
        self.assertEqual(row["cells"][6], str(len(burst)))
        # Its events, one click away.
        shown = self.browser.eval(s, """(() => { const d = document.getElementById('inc-1-events');
            const before = d.open; d.querySelector('summary').click();
            return {before: before, after: d.open,
                    users: [...d.querySelectorAll('table > tbody > tr')].map(r => r.cells[1].textContent)}; })()""")
        self.assertFalse(shown["before"])
        self.assertTrue(shown["after"])
        self.assertEqual(shown["users"], ["user3"] * min(20, len(burst)))
        # The anomalies table names each row's incident and links to the ones listed.
        links = self.browser.eval(s, """[...document.querySelectorAll('#anomaly-table tbody tr')]
            .filter(r => r.cells[1].textContent === 'user3')
            .map(r => r.cells[8].querySelector('a').getAttribute('href'))""")
        self.assertEqual(set(links), {"#inc-1"})
        self.browser.screenshot(s, os.path.join(adtest.BIN, "report-screenshot.png"))
        self.assertEqual(self.browser.problems(s), [])

    def test_incident_events_open_without_javascript(self):
        s = self.open("incidents", scripts=False)
        f = self.facts(s)
        self.assertIsNone(f["script"])
        self.assertEqual(f["charts"][0], "c-incidents")
        opened = self.browser.eval(s, """(() => { const d = document.getElementById('inc-1-events');
            d.querySelector('summary').click(); return [d.open, d.querySelectorAll('table > tbody > tr').length]; })()""")
        self.assertEqual(opened, [True, min(20, len(self.burst()))])
        self.assertEqual(self.browser.problems(s), [])

    def test_hostile_values_are_inert_text(self):
        s = self.open("hostile")
        f = self.facts(s)
        self.assertClean(s, f)
        self.assertIsNone(f["pwned"])
        self.assertEqual(f["onattrs"], 0)
        cells = [c for row in f["rows"] for c in row]
        for value in (HOSTILE_USER, MARKER_USER, MARKER_IP, "<i>Tablet</i>"):
            self.assertIn(value, cells)
        self.assertIn(HOSTILE_CITY + ", RO", cells)
        self.assertIn(MARKER_CITY + ", <b>RO</b>", cells)
        self.assertTrue("<svg onload" in f["text"])
        self.assertIn("admin\ufffdgpj.exe", cells)
        with open(self.pages["hostile"], encoding="utf-8") as page:
            self.assertNotIn("\u202e", page.read())
        self.assertIn("<script>alert('title')</script>", self.browser.eval(s, "document.title"))
        labels = self.browser.eval(s, "[...document.querySelectorAll('#c-users text.tick')].map(t => t.textContent)")
        self.assertTrue(any(l.startswith("<script>") for l in labels), labels)
        self.assertEqual(self.browser.eval(s, "document.querySelectorAll('svg svg, svg script, svg foreignObject').length"), 0)

    def test_without_javascript_the_table_is_complete_and_ordered(self):
        s = self.open("hostile", scripts=False)
        f = self.facts(s)
        self.assertIsNone(f["script"])
        self.assertTrue(f["toolsHidden"])  # no empty filter box
        self.assertEqual(len(f["rows"]), 2)
        self.assertEqual(f["rows"][0][1], HOSTILE_USER)  # 99.9 before 99.5
        self.assertEqual(len(f["charts"]), 6)

    def test_single_row_axes(self):
        s = self.open("single")
        f = self.facts(s)
        self.assertClean(s, f)
        self.assertEqual(f["timeBars"], 2)  # one bar in each panel
        self.assertEqual(f["timeTicks"], ["08:37\n1 May 2024"])
        self.assertTrue("Logins per minute" in f["text"])
        yticks = self.browser.eval(s, "[...document.querySelectorAll('#c-time text.tick[text-anchor=end]')].map(t => t.textContent)")
        self.assertEqual(yticks, ["0", "1", "0", "1"])  # counts, not 0.2 steps
        width = self.browser.eval(s, "document.querySelector('#c-time rect.bar').getAttribute('width')")
        self.assertLessEqual(float(width), 48)  # not one bar as wide as the chart

    def test_one_day_axes(self):
        s = self.open("day")
        f = self.facts(s)
        self.assertClean(s, f)
        self.assertGreaterEqual(f["timeBars"], 24)
        self.assertTrue("Logins per hour" in f["text"])
        self.assertEqual(f["timeTicks"][:3], ["00:00\n1 May 2024", "02:00", "04:00"])
        self.assertEqual(len(f["timeTicks"]), 12)

    def test_one_year_axes(self):
        s = self.open("year")
        f = self.facts(s)
        self.assertClean(s, f)
        self.assertTrue("Logins per week" in f["text"])
        # Weeks, labelled on the first Monday of each month, the year once.
        self.assertEqual(f["timeTicks"][:3], ["6 Jan\n2025", "3 Feb", "3 Mar"])
        self.assertEqual(len(f["timeTicks"]), 12)
        self.assertTrue("Events\n3,000" in f["text"])

    def test_print_layout(self):
        s = self.open("demo")
        self.browser.send("Emulation.setEmulatedMedia", {"media": "print"}, session=s)
        shown = self.browser.eval(s, """(() => ({
            tools: getComputedStyle(document.getElementById('table-tools')).display,
            details: [...document.querySelectorAll('details')].map(d => getComputedStyle(d).display),
            charts: [...document.querySelectorAll('svg.chart')].map(c => getComputedStyle(c).display),
            rows: document.querySelectorAll('#anomaly-table tbody tr').length }))()""")
        self.assertEqual(shown["tools"], "none")
        self.assertEqual(set(shown["details"]), {"none"})
        self.assertEqual(set(shown["charts"]), {"block"})
        self.assertEqual(shown["rows"], 200)
        pdf = self.browser.send("Page.printToPDF", {"printBackground": True}, session=s)["data"]
        self.assertTrue(base64.b64decode(pdf).startswith(b"%PDF"))
        self.assertEqual(self.browser.problems(s), [])

    def test_html_is_valid(self):
        jar = vnu_jar()
        p = subprocess.run(["java", "-jar", jar, "--format", "json", *self.pages.values()],
                           capture_output=True, text=True, timeout=300)
        messages = json.loads(p.stderr)["messages"]
        # vnu does not compute CSP hashes, so it reports the hashed inline style and
        # script as blocked; the browser tests above show both are allowed and run.
        real = [m for m in messages
                if not (m.get("subType") == "warning" and "violates Content Security Policy" in m["message"])]
        self.assertEqual(real, [])
        self.assertEqual(len([m for m in messages if "Content Security Policy" in m["message"]]), 2 * len(self.pages))


# Usage errors: status 2, "Try 'ad-report --help'", nothing on stdout, nothing written.
# The name of a case is also what stderr must say; {T}/in.csv is a good input.
USAGE_CASES = [
    ("standard input", ["-", "-"]),
    ("--tz: not a UTC offset", ["--tz", "Mars", "{T}/in.csv"]),
    ("nope", ["--map", "user=nope", "{T}/in.csv"]),
    ("--top", ["--top", "-1", "{T}/in.csv"]),
    ("--top-incidents", ["--top-incidents", "x", "{T}/in.csv"]),
    ("--on-error", ["--on-error", "maybe", "{T}/in.csv"]),
]


class UsageTest(adtest.ToolManners, adtest.TempDirTestCase):
    """--help, --version, the man page and usage errors (adtest.ToolManners)."""

    TOOL = "ad-report"
    USAGE_LINE = "Usage: {TOOL} [OPTIONS] [FILE...]"
    HELP_OPTIONS = ["-q,--quiet", "-o,--output", "--title", "--top", "--top-incidents", "--tz", "--map", "--on-error",
                    "--assume-tz", "--version"]
    USAGE_CASES = USAGE_CASES
    USAGE_INPUT = hostile_rows()

    def expand(self, args):
        return [a.replace("{T}", self.tmp) for a in args]

    def run_tool(self, args, **kw):
        kw.setdefault("input", "")
        return super().run_tool(args, **kw)


class ReportCliTest(adtest.TempDirTestCase):
    """The command line: inputs, errors, exit statuses, atomic output."""

    def test_standard_input_to_standard_output(self):
        r = adtest.run("ad-report", "-q", input=hostile_rows())
        self.assertStatus(r, adtest.OK)
        self.assertTrue(r.stdout.startswith("<!DOCTYPE html>"))
        self.assertTrue(r.stdout.endswith("</html>\n"))
        self.assertEqual(r.stderr, "")
        self.assertIn("<span class=\"mono\">&lt;stdin&gt;</span>", r.stdout)

    def test_several_files_make_one_report(self):
        a = self.write("a.csv", single_row())
        b = self.write("b.csv", hostile_rows())
        r = adtest.run("ad-report", a, b)
        self.assertStatus(r, adtest.OK)
        self.assertIn("<dt>Events</dt><dd>5</dd>", r.stdout)
        self.assertIn("read 5 events, 5 scored, 3 flagged", r.stderr)

    def test_same_input_same_bytes(self):
        src = self.write("in.csv", one_day_rows())
        env = {"SOURCE_DATE_EPOCH": "1735776000"}
        one = adtest.run("ad-report", "-q", src, env=env)
        two = adtest.run("ad-report", "-q", src, env=env)
        self.assertStatus(one, adtest.OK)
        self.assertEqual(one.stdout, two.stdout)
        self.assertIn("2025-01-02 00:00:00 UTC", one.stdout)

    def test_errors_and_statuses(self):
        good = self.write("in.csv", hostile_rows())
        plain = self.write("plain.csv", "user_id,timestamp\nbob,2024-05-01T00:00:00Z\n")
        bad = self.write("bad.csv", to_csv(RICH + SCORED, [
            ["e1", "2024-05-01T08:00:00Z", "a", "1.1.1.1", "NO", "", "", "", "Web", "", "ok", "0.5", "0", "50", ""],
            ["e2", "2024-05-01T09:00:00Z", "b", "1.1.1.1", "NO", "", "", "", "Web", "", "ok", "0.9", "2", "99", "x"]]))
        empty = self.write("empty.csv", "")
        cases = [
            ((plain,), adtest.DATA, "plain.csv:1: not scored CSV: no 'anomaly_score', 'anomaly_flag'"),
            ((bad,), adtest.DATA, "bad.csv:3:13: anomaly_flag must be 0 or 1 (or the row's scored fields all empty), not '2'"),
            ((empty,), adtest.DATA, "empty.csv: empty input"),
            ((os.path.join(self.tmp, "missing.csv"),), adtest.IO, "missing.csv"),
            (("-o", os.path.join(self.tmp, "no", "such", "dir.html"), good), adtest.IO, "no/such"),
        ]
        # The usage cases' other manners are UsageTest's; here, their messages.
        cases += [(tuple(a.replace("{T}", self.tmp) for a in args), adtest.USAGE, message)
                  for message, args in USAGE_CASES]
        for args, status, message in cases:
            with self.subTest(args=args):
                r = adtest.run("ad-report", *args, input="")
                self.assertStatus(r, status)
                self.assertIn(message, r.stderr)
                self.assertEqual(r.stdout, "")

    def test_a_failed_run_leaves_the_old_report(self):
        out = self.write("report.html", "old")
        bad = self.write("bad.csv", to_csv(RICH + SCORED, [
            ["e1", "2024-05-01T08:00:00Z", "a", "1.1.1.1", "NO", "", "", "", "Web", "", "ok", "7", "0", "50", ""]]))
        r = adtest.run("ad-report", "-o", out, bad)
        self.assertStatus(r, adtest.DATA)
        with open(out) as f:
            self.assertEqual(f.read(), "old")
        self.assertEqual(sorted(os.listdir(self.tmp)), ["bad.csv", "report.html"])  # no temporary left

    def test_skip_bad_rows(self):
        bad = self.write("bad.csv", to_csv(RICH + SCORED, [
            ["e1", "2024-05-01T08:00:00Z", "a", "1.1.1.1", "NO", "", "", "", "Web", "", "ok", "0.5", "0", "50", ""],
            ["e2", "2024-05-01T09:00:00Z", "b", "1.1.1.1", "NO", "", "", "", "Web", "", "ok", "x", "1", "99", ""],
            ["e3", "not a time", "c", "1.1.1.1", "NO", "", "", "", "Web", "", "ok", "0.9", "1", "99", "y"]]))
        r = adtest.run("ad-report", "--on-error", "skip", bad)
        self.assertStatus(r, adtest.OK)
        self.assertIn("ad-report: warning: skipped: ", r.stderr)
        self.assertIn("ad-report: warning: 1 row with bad data skipped", r.stderr)
        self.assertIn("bad.csv:3:12:", r.stderr)
        self.assertIn("bad.csv:4:2: 1 row without a valid time", r.stderr)
        self.assertIn("<dt>Events</dt><dd>2</dd>", r.stdout)

    def test_a_closed_pipe_is_a_quiet_success(self):
        src = self.write("in.csv", demo_rows(days=3, users=20))
        p = subprocess.Popen([adtest.tool("ad-report"), "--top", "100000", src], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdout.read(100)
        p.stdout.close()
        err = p.stderr.read()
        p.stderr.close()
        self.assertEqual(p.wait(timeout=60), 0)
        self.assertNotIn(b"error", err)


if __name__ == "__main__":
    unittest.main()
