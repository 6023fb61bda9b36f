"""scripts/adlib/incidents.py and scripts/evaluate's incident view, on a hand-made scored
CSV with its labels, counted by hand."""
import csv
import io
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402

SCRIPTS = os.path.join(adtest.SOURCE, "scripts")
sys.path.insert(0, SCRIPTS)
from adlib import incidents  # noqa: E402

# What ad-score writes (a few columns), with an incident_id and incident_score column.
SCORED = """\
event_id,timestamp,user_id,anomaly_score,anomaly_flag,severity,anomaly_reasons,incident_id,incident_score
1,2025-01-01T09:00:00Z,alice,0.1,0,,,,
2,2025-01-01T10:00:00Z,bob,0.2,0,,,,
3,2025-01-02T03:00:00Z,carol,0.9,1,high,x,i1,0.9
4,2025-01-02T03:10:00Z,carol,0.8,1,high,x,i1,0.9
5,2025-01-02T03:50:00Z,carol,0.7,1,high,x,i2,0.7
6,2025-01-02T09:00:00Z,alice,0.1,0,,,,
7,2025-01-02T12:00:00Z,dave,0.6,1,medium,x,i3,0.65
8,2025-01-02T12:01:00Z,erin,0.65,1,medium,x,i3,0.65
9,2025-01-02T12:05:00Z,frank,0.5,0,,,,
10,2025-01-02T15:00:00Z,bob,0.75,1,medium,x,i4,0.95
11,2025-01-03T08:00:00Z,bob,0.3,0,,,,
12,2025-01-03T20:00:00Z,gina,0.4,0,,,,
13,2025-01-03T21:00:00Z,ivan,0.2,1,low,x,i5,0.3
14,2025-01-03T21:05:00Z,ivan,0.3,1,low,x,i5,0.3
"""
LABELS = """\
row,event_id,is_attack,kind,incident
1,1,0,normal,
2,2,0,normal,
3,3,1,brute_force,brute_force-001
4,4,1,brute_force,brute_force-001
5,5,1,brute_force,brute_force-001
6,6,0,normal,
7,7,1,spraying,spraying-001
8,8,1,spraying,spraying-001
9,9,1,spraying,spraying-001
10,10,0,trip,trip-001
11,11,0,trip,trip-001
12,12,1,takeover,takeover-001
13,13,0,normal,
14,14,1,off_hours,off_hours-001
"""
# Non-attack logins: alice and bob on day 1; alice and bob on day 2; bob and ivan on day 3.
USER_DAYS = 6


def load():
    rows = list(csv.DictReader(io.StringIO(SCORED)))
    labels = list(csv.reader(io.StringIO(LABELS)))[1:]
    users = [r["user_id"] for r in rows]
    times = [adtest_epoch(r["timestamp"]) for r in rows]
    return rows, labels, users, times


def adtest_epoch(text):
    import datetime
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Metrics(unittest.TestCase):
    def setUp(self):
        self.rows, labels, self.users, self.times = load()
        self.labels = [lab[2:5] for lab in labels]
        self.scores = [float(r["anomaly_score"]) for r in self.rows]
        self.flags = [r["anomaly_flag"] == "1" for r in self.rows]

    def test_gap_grouping(self):
        ids = incidents.group_by_gap(self.users, self.times, self.flags)
        self.assertEqual(ids[0], "")
        self.assertEqual(ids[2], ids[3], "carol's flags 10 minutes apart: one incident")
        self.assertNotEqual(ids[3], ids[4], "40 minutes later: another")
        self.assertNotEqual(ids[6], ids[7], "two users: two incidents")
        self.assertEqual(ids[12], ids[13])
        self.assertEqual(len({i for i in ids if i}), 6)

    def test_ad_incidents(self):
        ids = [r["incident_id"] for r in self.rows]
        m = incidents.metrics(self.users, self.times, ids, self.scores, self.labels)
        self.assertEqual(m["user_days"], USER_DAYS)
        # i1, i2, i3 attack rows only; i4 a trip; i5 one attack row of two is not a majority.
        self.assertEqual((m["raised"], m["true"], m["false"]), (5, 3, 2))
        self.assertAlmostEqual(m["false_per_1k"], 1000 * 2 / USER_DAYS)
        self.assertEqual(m["false_by_kind"], {"trip": 1, "normal": 1})
        self.assertEqual((m["attacks_raised"], m["attacks"]), (3, 4))
        self.assertEqual(m["by_kind"]["brute_force"], {"raised": 1, "total": 1, "alerts_mean": 2, "alerts_max": 2})
        self.assertEqual(m["by_kind"]["spraying"]["alerts_mean"], 1)
        self.assertEqual(m["by_kind"]["takeover"]["raised"], 0)
        self.assertAlmostEqual(m["alerts_mean"], 4 / 3)
        self.assertEqual(m["alerts_max"], 2)
        # Read by the highest anomaly_score: i1 .9 T, i4 .75 F, i2 .7 T, i3 .65 T, i5 .3 F.
        self.assertAlmostEqual(m["ap"], (1 + 2 / 3 + 3 / 4) / 3)
        # By incident_score: i4 .95 F first.
        inc_scores = [float(r["incident_score"]) if r["incident_score"] else None for r in self.rows]
        m2 = incidents.metrics(self.users, self.times, ids, inc_scores, self.labels)
        self.assertAlmostEqual(m2["ap"], (1 / 2 + 2 / 3 + 3 / 4) / 3)
        missed = incidents.targets(m)
        self.assertIn("attacks raised 3/4 < 90%", missed)
        self.assertIn("no takeover raised", missed)
        self.assertTrue(any("false incidents per 1,000 user-days > 5" in x for x in missed))
        self.assertFalse(any("alerts per attack" in x for x in missed), "2 for a brute force is in budget")

    def test_baseline_incidents(self):
        ids = incidents.group_by_gap(self.users, self.times, self.flags)
        m = incidents.metrics(self.users, self.times, ids, self.scores, self.labels)
        self.assertEqual((m["raised"], m["true"], m["false"]), (6, 4, 2))
        self.assertEqual(m["by_kind"]["spraying"]["alerts_mean"], 2, "one alert per victim")
        self.assertAlmostEqual(m["ap"], (1 + 2 / 3 + 3 / 4 + 4 / 5) / 4)

    def test_alert_budget_per_kind(self):
        def one(kind, n):
            users = [f"u{k}" for k in range(n)]
            times = [3600.0 * k for k in range(n)]
            ids = [f"i{k}" for k in range(n)]
            labels = [("1", kind, f"{kind}-001")] * n + [("0", "normal", "")]
            m = incidents.metrics(users + ["x"], times + [0.0], ids + [""], [1.0] * n + [0.0], labels)
            return incidents.targets(m)
        self.assertEqual(one("spraying", 3), [])
        self.assertEqual(one("brute_force", 2), [])
        self.assertEqual(one("brute_force", 3), ["brute_force 3.0 alerts per attack > 2"])
        self.assertEqual(one("stuffing", 4), ["stuffing 4.0 alerts per attack > 3"])


class EvaluateView(unittest.TestCase):
    def test_both_groupings_from_the_scored_csv(self):
        ev = adtest.load_script("evaluate")
        rows, labels, _, _ = load()
        header = ["event_id", "timestamp", "user_id"]
        ds = {"header": header, "test": [[r[h] for h in header] for r in rows], "labels": labels}
        scores = [float(r["anomaly_score"]) for r in rows]
        flags = [r["anomaly_flag"] == "1" for r in rows]
        views = ev.incident_views(ds, scores, flags)
        self.assertEqual(list(views), ["gap30"], "no incident_id column: the baseline only")
        cols = {"incident_id": [r["incident_id"] for r in rows],
                "incident_score": [float(r["incident_score"]) if r["incident_score"] else None for r in rows]}
        views = ev.incident_views(ds, scores, flags, cols)
        self.assertEqual(sorted(views), ["ad", "gap30"])
        self.assertEqual(views["gap30"]["raised"], 6)
        self.assertEqual(views["ad"]["raised"], 5)
        self.assertAlmostEqual(views["ad"]["ap"], (1 / 2 + 2 / 3 + 3 / 4) / 3)
        out = io.StringIO()
        ev.print_incidents([{"dataset": "tiny", "method": "ad", "incidents": views}], out)
        text = out.getvalue()
        self.assertRegex(text, r"\ntiny +ad +gap30 +6 +6 +2 +333\.3 +3/4 \(75%\)")
        self.assertRegex(text, r"\ntiny +ad +ad +6 +5 +2 +333\.3 ")
        self.assertIn("user-days: distinct (user, UTC date)", text)


if __name__ == "__main__":
    unittest.main()
