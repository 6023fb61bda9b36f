"""ad-store against a real PostgreSQL server (scripts/pg-temp, one per test module).

Each test uses its own table, so the tests share the server without seeing each other.
The fault tests stop the server (pg_ctl stop -m immediate) and start it again; tearDown
makes sure it is up for the next test.
"""
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402

PG_TEMP = os.path.join(adtest.SOURCE, "scripts", "pg-temp")

RICH_HEADER = ("event_id,timestamp,user_id,ip_address,country,city,latitude,longitude,device_type,"
               "user_agent,status,anomaly_score,anomaly_flag,severity,anomaly_reasons")
PROTO_HEADER = ("user_id,timestamp,activity_type,ip_address,device_type,data_size_kb,encryption_method,"
                "encryption_time_ms,response_time_ms,location,latency_ms,bandwidth_usage_mbps,"
                "6g_network_status,adaptive_protocol_level,anomaly_score,anomaly_flag,severity,"
                "anomaly_reasons")


def proto_rows(first, count, flag="1"):
    """Prototype-layout scored rows (no event id: keys are content hashes), one per second."""
    out = []
    for i in range(first, first + count):
        t = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1735689600 + i))
        out.append(f"user{i % 37},{t},login,10.{i % 256}.{i // 256 % 256}.7,Mobile,{i % 900},AES-256,"
                   f"1.5,20.25,AU,3.5,100.0,active,{i % 5},0.{700000 + i % 299999:06d},{flag},{90 + i % 10}.5,"
                   f"new country for user: AU (usual: NZ)")
    return out


def csv_text(header, rows):
    return header + "\n" + "".join(r + "\n" for r in rows)


class Server:
    """A throwaway PostgreSQL server in a temporary directory."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="adtest-pg-")
        os.chmod(self.base, 0o755)  # as root the server runs as 'postgres'
        self.dir = os.path.join(self.base, "pg")
        self.env = {}
        self.start()

    def start(self):
        out = subprocess.run([PG_TEMP, "start", self.dir, "-c", "fsync=off"], check=True,
                             capture_output=True, text=True, timeout=120).stdout
        self.env = dict(line.split("=", 1) for line in out.split())

    def stop(self, mode="immediate"):
        subprocess.run([PG_TEMP, "stop", self.dir, mode], check=True, capture_output=True, timeout=120)

    def up(self):
        r = subprocess.run(["psql", "-Atc", "select 1"], env={**os.environ, **self.env},
                           capture_output=True, text=True)
        return r.returncode == 0

    def destroy(self):
        subprocess.run([PG_TEMP, "destroy", self.dir], capture_output=True, timeout=120)
        subprocess.run(["rm", "-rf", self.base])

    def sql(self, query):
        r = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-Atc", query],
                           env={**os.environ, **self.env}, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError(f"psql failed: {r.stderr}")
        return r.stdout.rstrip("\n")


# Usage errors, found before any connection: status 2, "Try 'ad-store --help'", nothing written.
USAGE_CASES = [
    ("--table not a plain name", ["--table", "Robert'); DROP TABLE students;--"]),
    ("--table too long", ["--table", "x" * 49]),
    ("a FILE with --export", ["--export", "{T}/in.csv"]),
    ("--export with --summary", ["--export", "--summary"]),
    ("--export with --tee", ["--export", "--tee"]),
    ("--since without --export", ["--since", "2025-01-01"]),
    ("--incidents without --export", ["--incidents"]),
    ("--incident with --summary", ["--summary", "--incident", "I-1"]),
    ("--incident with --incidents", ["--export", "--incidents", "--incident", "I-1"]),
    ("-o without --export", ["-o", "{T}/x.csv"]),
    ("bad --since", ["--export", "--since", "yesterday"]),
    ("--batch-rows 0", ["--batch-rows", "0"]),
    ("--batch-seconds 0", ["--batch-seconds", "0"]),
    ("bad --assume-tz", ["--assume-tz", "Mars"]),
    ("malformed --map", ["--map", "nonsense"]),
    ("unknown option", ["--no-such-option"]),
]


class UsageTest(adtest.ToolManners, adtest.TempDirTestCase):
    """--help, --version, the man page and usage errors (adtest.ToolManners), with no server:
    libpq is pointed at a port nobody listens on, so a case that got as far as connecting fails."""

    TOOL = "ad-store"
    HELP_OPTIONS = ["-q,--quiet", "--db", "--table", "--retry-for", "--all", "--tee", "--batch-rows",
                    "--batch-seconds", "--model-id", "--map", "--assume-tz", "--export", "--summary",
                    "--incidents", "--incident", "-o,--output", "--since", "--until", "--user", "--version"]
    USAGE_CASES = USAGE_CASES
    USAGE_INPUT = csv_text(PROTO_HEADER, proto_rows(0, 2))

    def expand(self, args):
        return [a.replace("{T}", self.tmp) for a in args]

    def run_tool(self, args, **kw):
        kw.setdefault("input", "")
        kw.setdefault("env", {"DATABASE_URL": "", "PGHOST": self.tmp, "PGPORT": "1"})
        return super().run_tool(args, **kw)


class StoreTest(adtest.TempDirTestCase):
    server = None
    counter = 0

    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.destroy()

    def setUp(self):
        super().setUp()
        StoreTest.counter += 1
        self.table = f"t{StoreTest.counter}_{self._testMethodName[5:][:30]}"

    def tearDown(self):
        if not self.server.up():
            self.server.start()
        super().tearDown()

    # -- helpers --------------------------------------------------------------------
    def env(self, **extra):
        e = dict(self.server.env)
        e.update(extra)
        return e

    def store(self, *args, input=None, env=None, timeout=120):
        return adtest.run("ad-store", "--table", self.table, *args, input=input,
                          env=env or self.env(), timeout=timeout)

    def export(self, *args):
        r = adtest.run("ad-store", "--table", self.table, "--export", *args, env=self.env())
        self.assertStatus(r, adtest.OK)
        return r.stdout

    def count(self, where="true"):
        return int(self.server.sql(f'select count(*) from "{self.table}" where {where}'))

    def popen(self, *args, **kw):
        p = subprocess.Popen([adtest.tool("ad-store"), "--table", self.table, *args],
                             env={**os.environ, **self.env()}, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)

        def cleanup():  # after a failed assertion: no stray process, no open pipes
            if p.poll() is None:
                p.kill()
                p.wait()
            for stream in (p.stdin, p.stdout, p.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        self.addCleanup(cleanup)
        return p

    def finish(self, p, timeout=90):
        """Waits for a popen()ed ad-store; returns (status, stderr text)."""
        if not p.stdin.closed:
            p.stdin.close()
        p.wait(timeout=timeout)
        err = p.stderr.read().decode()
        p.stdout.close()
        p.stderr.close()
        return p.returncode, err

    def wait_for(self, predicate, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            if predicate():
                return True
            time.sleep(0.05)
        return False

    # -- storing and idempotence ----------------------------------------------------
    def test_flagged_rows_are_stored_once_however_often_offered(self):
        rows = proto_rows(0, 50) + proto_rows(50, 30, flag="0")
        path = self.write("in.csv", csv_text(PROTO_HEADER, rows))
        r = self.store(path)
        self.assertStatus(r, adtest.OK)
        self.assertIn("stored 50 new of 50 flagged rows from 80 read", r.stderr)
        r = self.store(path)
        self.assertStatus(r, adtest.OK)
        self.assertIn("stored 0 new of 50 flagged rows (50 stored before)", r.stderr)
        self.assertEqual(self.count(), 50)
        # The same events with other scores are the same rows; --all adds the rest.
        rescored = [r.replace(",0.7", ",0.1") for r in proto_rows(0, 50)]
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, rescored)), adtest.OK)
        self.assertEqual(self.count(), 50)
        r = self.store("--all", path)
        self.assertStatus(r, adtest.OK)
        self.assertIn("stored 30 new of 80 rows (50 stored before)", r.stderr)
        self.assertEqual(self.count(), 80)
        self.assertEqual(self.count("anomaly_flag = 0"), 30)

    def test_typed_columns_and_event_id_key(self):
        text = csv_text(RICH_HEADER, [
            "e1,2025-03-01 08:30:00+02:00,alice,10.0.0.1,NO,Oslo,59.9,10.7,Web,Mozilla/5.0,success,0.812345,1,97.5,new country",
            "e2,1740810600,bob,not-an-ip,SE,,,,Mobile,,failure,0.900000,1,99.0,",
        ])
        self.assertStatus(self.store("--model-id", "forest-7", input=text), adtest.OK)
        got = self.server.sql(
            f"select event_id, event_time, user_id, coalesce(host(ip_address), 'NULL'), location, anomaly_score,"
            f" anomaly_flag, severity, model_id, extra->>'ip_address', extra ? 'city'"
            f" from \"{self.table}\" order by event_id")
        self.assertEqual(got.split("\n"), [
            "e1|2025-03-01 06:30:00+00|alice|10.0.0.1|NO|0.812345|1|97.5|forest-7|10.0.0.1|t",
            "e2|2025-03-01 06:30:00+00|bob|NULL|SE|0.9|1|99|forest-7|not-an-ip|f",
        ])
        # The key is the event id at its time: a changed row with the same id and instant
        # (written another way) is not stored again; the same id at another time is.
        again = csv_text(RICH_HEADER, ["e1,2025-03-01T06:30:00Z,mallory,1.2.3.4,RU,,,,,,,0.99,1,100,x"])
        self.assertStatus(self.store(input=again), adtest.OK)
        self.assertEqual(self.count(), 2)
        later = csv_text(RICH_HEADER, ["e1,2025-03-02,alice,10.0.0.1,NO,,,,,,,0.99,1,100,x"])
        self.assertStatus(self.store(input=later), adtest.OK)
        self.assertEqual(self.count(), 3)

    def test_concurrent_processes_on_overlapping_input(self):
        a = self.write("a.csv", csv_text(PROTO_HEADER, proto_rows(0, 4000)))
        b = self.write("b.csv", csv_text(PROTO_HEADER, proto_rows(2000, 4000)))
        procs = [subprocess.Popen([adtest.tool("ad-store"), "--table", self.table, "--batch-rows", "150", p],
                                  env={**os.environ, **self.env()}, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for p in (a, b, a)]
        results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
        for out, err, status in results:
            self.assertEqual(status, 0, err)
        self.assertEqual(self.count(), 6000)
        stored = sum(int(err.decode().split("stored ")[1].split(" ")[0]) for _, err, _ in results)
        self.assertEqual(stored, 6000)  # no row claimed twice
        self.assertEqual(self.server.sql(
            f"select count(*) from (select extra->>'timestamp' from \"{self.table}\" group by 1 having count(*) > 1) d"),
            "0")

    def test_batches_with_keys_stored_before_or_repeated_store_exactly_the_new_rows(self):
        # A batch goes straight into the table (binary COPY) unless a key in it is stored
        # already or repeated; then it goes through the staging table, and so do the next
        # ones until one of them holds only new keys (store/batch.h).
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, proto_rows(20, 10))), adtest.OK)
        rows = (proto_rows(0, 20) + proto_rows(25, 20) + proto_rows(50, 5) * 2 + proto_rows(60, 40)
                + proto_rows(0, 10))
        r = self.store("--batch-rows", "10", self.write("in.csv", csv_text(PROTO_HEADER, rows)))
        self.assertStatus(r, adtest.OK)
        self.assertIn("stored 80 new of 100 flagged rows (20 stored before)", r.stderr)
        self.assertEqual(self.count(), 90)
        self.assertEqual(self.server.sql(
            f"select count(distinct extra->>'timestamp') from \"{self.table}\""), "90")
        r = self.store("--batch-rows", "7", self.write("in.csv", csv_text(PROTO_HEADER, rows)))
        self.assertIn("stored 0 new of 100 flagged rows (100 stored before)", r.stderr)
        self.assertEqual(self.count(), 90)

    # -- schema ---------------------------------------------------------------------
    def test_schema_is_created_with_its_version_and_indexes(self):
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, proto_rows(0, 3))), adtest.OK)
        self.assertEqual(self.server.sql(f"select version from ad_schema where table_name = '{self.table}'"), "6")
        indexes = self.server.sql(f"select indexdef from pg_indexes where tablename = '{self.table}' order by 1")
        for part in ["(row_key)", "(event_time)", "(user_id, event_time)", "(incident_id, event_time)"]:
            self.assertIn(part, indexes)
        self.assertNotIn("(ip_address)", indexes)  # dropped by version 4
        self.assertIn("USING brin (event_time) WITH (autosummarize='on')", indexes)  # version 5
        self.assertIn("UNIQUE", indexes.split("(row_key)")[0].split("\n")[-1])
        self.assertEqual(self.server.sql(f"select count(*) from \"{self.table}_layouts\""), "1")

    def test_row_keys_follow_time_and_a_table_keeps_its_key_format(self):
        rows = proto_rows(0, 40)
        # Rows in reverse time order, so that the keys' order is the times' and not the input's.
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, rows[::-1])), adtest.OK)
        t = self.table
        self.assertEqual(self.server.sql(f'select distinct octet_length(row_key) from "{t}"'), "24")
        by_key = self.server.sql(f'select event_time from "{t}" order by row_key')
        self.assertEqual(by_key, self.server.sql(f'select event_time from "{t}" order by event_time'))
        self.assertEqual(self.server.sql(
            f"select count(*) from \"{t}\" where substring(row_key from 1 for 8)"
            f" = int8send((extract(epoch from event_time) * 1000)::bigint # (-9223372036854775808))"), "40")
        # A table with rows of version 5's keys (the hash alone) keeps that format: rows
        # stored again are still found, new ones get keys like theirs.
        self.server.sql(f'update "{t}" set row_key = substring(row_key from 9);'
                        f"update ad_schema set version = 5 where table_name = '{t}'")
        r = self.store(input=csv_text(PROTO_HEADER, proto_rows(20, 30)))
        self.assertStatus(r, adtest.OK)
        self.assertIn("stored 10 new of 30 flagged rows (20 stored before)", r.stderr)
        self.assertEqual(self.server.sql(f'select distinct octet_length(row_key) from "{t}"'), "16")
        self.assertEqual(self.count(), 50)
        self.assertEqual(self.server.sql(f"select version from ad_schema where table_name = '{t}'"), "6")

    def test_version_1_schema_is_upgraded_in_place(self):
        t = self.table
        # Version 1, as the first ad-store made it: no model_id, no ip index.
        self.server.sql(f"""
            create table if not exists ad_schema (table_name text primary key, version integer not null,
                                                  updated_at timestamptz not null default now());
            create table "{t}_layouts" (layout_id bigint primary key, header text[] not null,
                                        placement text[] not null, created_at timestamptz not null default now());
            create table "{t}" (id bigint generated always as identity, row_key bytea primary key,
                event_id text, event_time timestamptz, user_id text collate "C", ip_address inet, location text,
                anomaly_score double precision, anomaly_flag smallint, severity double precision,
                anomaly_reasons text, stored_at timestamptz not null default now(), layout_id bigint not null,
                extra jsonb not null default '{{}}');
            create index "{t}_event_time" on "{t}" (event_time);
            create index "{t}_user_id" on "{t}" (user_id, event_time);
            insert into ad_schema values ('{t}', 1);""")
        first = proto_rows(0, 5)
        # Rows stored by version 1 survive the upgrade.
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, first[:2])), adtest.OK)
        self.assertEqual(self.server.sql(f"select version from ad_schema where table_name = '{t}'"), "6")
        self.assertEqual(self.server.sql(
            f"select count(*) from information_schema.columns where table_name = '{t}' and column_name = 'model_id'"),
            "1")
        # Version 2 added the ip_address index, version 4 dropped it; version 5 made the
        # event_time B-tree a BRIN index, and the time filters still find the old rows.
        indexes = self.server.sql(f"select indexdef from pg_indexes where tablename = '{t}'")
        self.assertNotIn("(ip_address)", indexes)
        self.assertIn("USING brin (event_time)", indexes)
        self.assertNotIn("btree (event_time)", indexes)
        self.assertEqual(self.export("--since", "2000-01-01"), csv_text(PROTO_HEADER, first[:2]))
        self.assertStatus(self.store("--model-id", "m2", input=csv_text(PROTO_HEADER, first)), adtest.OK)
        self.assertEqual(self.count(), 5)
        self.assertEqual(self.count("model_id = 'm2'"), 3)
        self.assertEqual(self.export(), csv_text(PROTO_HEADER, first))

    def test_tables_that_are_not_ours_or_newer_are_refused(self):
        self.server.sql(f'create table "{self.table}" (index bigint, user_id text, anomaly_flag bigint)')
        r = self.store(input=csv_text(PROTO_HEADER, proto_rows(0, 1)))
        self.assertStatus(r, adtest.DATA)
        self.assertIn("not created by ad-store", r.stderr)
        self.assertEqual(self.server.sql(f'select count(*) from "{self.table}"'), "0")
        self.table += "_new"
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, proto_rows(0, 1))), adtest.OK)
        self.server.sql(f"update ad_schema set version = 99 where table_name = '{self.table}'")
        r = self.store(input=csv_text(PROTO_HEADER, proto_rows(1, 1)))
        self.assertStatus(r, adtest.DATA)
        self.assertIn("newer than this ad-store knows", r.stderr)
        self.server.sql(f"update ad_schema set version = 4 where table_name = '{self.table}'")
        # Registered, but dropped by hand: said plainly, not recreated behind the user's back.
        self.server.sql(f'drop table "{self.table}"')
        r = self.store(input=csv_text(PROTO_HEADER, proto_rows(1, 1)))
        self.assertStatus(r, adtest.DATA)
        self.assertIn("registered in ad_schema", r.stderr)
        self.server.sql(f"delete from ad_schema where table_name = '{self.table}'")
        self.server.sql(f'drop table "{self.table}_layouts"; drop table "{self.table}_incidents"')
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, proto_rows(1, 1))), adtest.OK)

    # -- incidents ------------------------------------------------------------------
    INCIDENT_ROW = ("incident_id, incident_kind, incident_score, max_severity, first_time, last_time, events,"
                    " users, user_ids, sources, source_ips, reasons")

    def scored_burst(self):
        """Real ad-train and ad-score output: ordinary logins and a brute force on user3 (30 failures)."""
        hist = self.write("hist.csv", adtest.csv_text(adtest.login_history(600)))
        model = os.path.join(self.tmp, "m.model")
        self.assertStatus(adtest.run("ad-train", "-q", "--seed", "1", "-m", model, hist), adtest.OK)
        attack = [f"{8000 + k},2024-05-29T03:{k:02d}:00Z,user3,203.0.113.9,RU,Web,512,failure" for k in range(30)]
        new = self.write("new.csv", adtest.csv_text(adtest.login_history(200, seed=2, start=1000) + attack))
        r = adtest.run("ad-score", "-q", "-m", model, new)
        self.assertStatus(r, adtest.OK)
        lines = r.stdout.split("\n")[:-1]
        flagged = [line for line in lines[1:] if ",I-" in line]
        self.assertEqual(len(flagged), 30, r.stdout)
        return lines[0], lines[1:], flagged

    def incidents(self, table=None, columns=INCIDENT_ROW):
        return self.server.sql(f'select {columns} from "{table or self.table}_incidents" order by incident_id')

    def test_a_brute_force_is_one_incident_row_however_it_is_stored(self):
        header, rows, flagged = self.scored_burst()
        path = self.write("scored.csv", "\n".join([header] + rows) + "\n")
        self.assertStatus(self.store(path), adtest.OK)
        one = self.incidents()
        self.assertEqual(len(one.split("\n")), 1, one)
        f = one.split("|")
        self.assertRegex(f[0], r"^I-20240529T030000-[0-9a-f]{8}$")
        self.assertEqual(f[1], "brute_force")
        self.assertEqual(f[4:11], ["2024-05-29 03:00:00+00", "2024-05-29 03:29:00+00", "30", "1", "{user3}",
                                   "1", "{203.0.113.9}"])
        self.assertEqual(self.count(f"incident_id = '{f[0]}'"), 30)
        # Storing it again changes nothing, not even updated_at.
        before = self.incidents(columns="*")
        self.assertStatus(self.store(path), adtest.OK)
        self.assertEqual(self.incidents(columns="*"), before)
        # Overlapping halves, and the whole file three times at once, in other tables: the same row.
        half = len(flagged) // 2
        a = self.write("a.csv", "\n".join([header] + flagged[:half + 5]) + "\n")
        b = self.write("b.csv", "\n".join([header] + flagged[half - 5:]) + "\n")
        first = self.table
        self.table = first + "_halves"
        self.assertStatus(self.store(b), adtest.OK)
        self.assertEqual(self.incidents().split("|")[6], "20")
        self.assertStatus(self.store(a), adtest.OK)  # the incident grows backwards and forwards
        self.assertEqual(self.incidents(), one)
        self.table = first + "_concurrent"
        procs = [self.popen("--batch-rows", "3", p) for p in (a, b, path)]
        for p in procs:
            status, err = self.finish(p)
            self.assertEqual(status, 0, err)
        self.assertEqual(self.incidents(), one)

    def test_an_incident_that_grows_in_a_second_run_is_updated(self):
        header, rows, flagged = self.scored_burst()
        self.assertStatus(self.store(input="\n".join([header] + flagged[:10]) + "\n"), adtest.OK)
        self.assertEqual(self.incidents(columns="events, last_time, incident_kind"),
                         "10|2024-05-29 03:09:00+00|brute_force")
        stamp = self.incidents(columns="updated_at")
        self.assertStatus(self.store(input="\n".join([header] + flagged) + "\n"), adtest.OK)
        self.assertEqual(self.incidents(columns="events, last_time"), "30|2024-05-29 03:29:00+00")
        self.assertGreater(self.incidents(columns="updated_at"), stamp)

    def test_incident_exports_round_trip_through_ad_report(self):
        header, rows, flagged = self.scored_burst()
        self.assertStatus(self.store(input="\n".join([header] + rows) + "\n"), adtest.OK)
        out = self.export("--incidents").split("\n")
        self.assertEqual(out[0], "incident_id,incident_kind,incident_score,max_severity,first_time,last_time,"
                         "events,users,user_ids,sources,source_ips,reasons")
        self.assertEqual(len(out), 3)
        fields = out[1].split(",")
        self.assertEqual(fields[1], "brute_force")
        self.assertEqual(fields[4:11], ["2024-05-29T03:00:00Z", "2024-05-29T03:29:00Z", "30", "1", "user3", "1",
                                        "203.0.113.9"])
        self.assertEqual(self.export("--incidents", "--since", "2024-05-30"), out[0] + "\n")
        self.assertEqual(self.export("--incidents", "--user", "user3", "--since", "2024-05-29T03:20:00Z"),
                         "\n".join(out))
        self.assertEqual(self.export("--incidents", "--user", "user4"), out[0] + "\n")
        events = self.export("--incident", fields[0])
        self.assertEqual(events, "\n".join([header] + flagged) + "\n")
        self.assertEqual(self.export("--incident", "I-none"), header + "\n")
        path = self.write("incident.csv", events)
        report = adtest.run("ad-report", "-q", path)
        self.assertStatus(report, adtest.OK)
        self.assertIn("<dt>Events</dt><dd>30</dd>", report.stdout)
        summary = adtest.run("ad-store", "--table", self.table, "--summary", "--incidents", env=self.env())
        self.assertStatus(summary, adtest.OK)
        self.assertEqual(summary.stdout, f"day,incident_kind,incidents,events,max_incident_score\n"
                         f"2024-05-29,brute_force,1,30,{fields[2]}\n")

    def test_version_2_schema_gains_incidents_and_keeps_its_rows(self):
        t = self.table
        # Version 2, as ad-store made it before incidents: incident columns went to extra.
        header = ["event_id", "user_id", "anomaly_score", "anomaly_flag", "severity", "anomaly_reasons",
                  "incident_id", "incident_score", "incident_kind"]
        self.server.sql(f"""
            create table if not exists ad_schema (table_name text primary key, version integer not null,
                                                  updated_at timestamptz not null default now());
            create table "{t}_layouts" (layout_id bigint primary key, header text[] not null,
                                        placement text[] not null, created_at timestamptz not null default now());
            create table "{t}" (id bigint generated always as identity, row_key bytea primary key,
                event_id text, event_time timestamptz, user_id text collate "C", ip_address inet, location text,
                anomaly_score double precision, anomaly_flag smallint, severity double precision,
                anomaly_reasons text, stored_at timestamptz not null default now(), layout_id bigint not null,
                extra jsonb not null default '{{}}', model_id text);
            create index "{t}_event_time" on "{t}" (event_time);
            create index "{t}_user_id" on "{t}" (user_id, event_time);
            create index "{t}_ip_address" on "{t}" (ip_address);
            insert into "{t}_layouts" values (5, '{{{",".join(header)}}}', '{{event_id,user_id,"","","",anomaly_reasons,"","",""}}');
            insert into "{t}" (row_key, event_id, user_id, anomaly_score, anomaly_flag, severity, anomaly_reasons,
                               layout_id, extra) values
              ('\\x01', 'e1', 'alice', 0.9, 1, 99.5, 'r1', 5, '{{"anomaly_score": "0.9", "anomaly_flag": "1",
                 "severity": "99.5", "incident_id": "I-a", "incident_score": "40", "incident_kind": "spray"}}'),
              ('\\x02', 'e2', 'bob', 0.95, 1, 99.9, 'r2', 5, '{{"anomaly_score": "0.95", "anomaly_flag": "1",
                 "severity": "99.9", "incident_id": "I-a", "incident_score": "+70 ", "incident_kind": "spray"}}');
            insert into ad_schema values ('{t}', 2);""")
        old = self.export()
        self.assertEqual(old.split("\n")[1:3], ["e1,alice,0.9,1,99.5,r1,I-a,40,spray",
                                                "e2,bob,0.95,1,99.9,r2,I-a,+70 ,spray"])
        more = adtest.to_csv(header, [["e3", "carol", "0.97", "1", "99.9", "r3", "I-a", "80", "spray"]])
        self.assertStatus(self.store(input=more), adtest.OK)
        self.assertEqual(self.server.sql(f"select version from ad_schema where table_name = '{t}'"), "6")
        self.assertEqual(self.count("incident_id = 'I-a'"), 3)
        indexes = self.server.sql(f"select indexname from pg_indexes where tablename = '{t}' order by 1")
        self.assertEqual(indexes.split("\n"), [f"{t}_event_time", f"{t}_incident_id", f"{t}_pkey", f"{t}_user_id"])
        self.assertEqual(self.incidents(columns="incident_id, incident_kind, incident_score, events, users,"
                                                " user_ids, reasons"),
                         "I-a|spray|80|3|3|{alice,bob,carol}|r3")
        self.assertEqual(self.export(), old + "e3,carol,0.97,1,99.9,r3,I-a,80,spray\n")

    def test_input_without_incident_columns_is_stored_as_before(self):
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, proto_rows(0, 5))), adtest.OK)
        self.assertEqual(self.count("incident_id is null and incident_score is null and incident_kind is null"), 5)
        self.assertEqual(self.incidents(), "")
        self.assertEqual(self.export(), csv_text(PROTO_HEADER, proto_rows(0, 5)))

    # -- content --------------------------------------------------------------------
    def test_hostile_content_is_stored_and_exported_verbatim(self):
        hostile = [
            "h1,2025-01-01T00:00:01Z,\"o'brien\"\"; DROP TABLE x; --\",10.0.0.1,NO,<script>alert(1)</script>,"
            "1,2,Web,\"a, b\",success,0.9,1,99.5,\"line one\nline two\"",
            "h2,2025-01-01T00:00:02Z,=cmd|' /C calc'!A0,::1,\\N,\x01\x02\x1f\x7f,3,4,\tTab,\\x00ff,success,0.8,1,98.0,"
            "\u00e9\u4e2d\U0001F600 \u202eevil",
            "h3,2025-01-01T00:00:03Z,$$;COPY x TO PROGRAM 'id';$$,not an ip,\"\"\"\",\"{\"\"a\"\": 1}\",,,\\,\\\\,,0.7,1,97.1,"
            "reason; with; semicolons",
        ]
        text = csv_text(RICH_HEADER, hostile)
        self.assertStatus(self.store(input=text), adtest.OK)
        self.assertEqual(self.count(), 3)
        self.assertEqual(self.server.sql(f"select user_id from \"{self.table}\" where event_id = 'h1'"),
                         "o'brien\"; DROP TABLE x; --")
        self.assertEqual(self.server.sql(f"select extra->>'city' from \"{self.table}\" where event_id = 'h2'"),
                         "\x01\x02\x1f\x7f")
        self.assertEqual(self.export(), text)

    def test_invalid_utf8_is_refused_with_its_place_and_earlier_rows_are_kept(self):
        good = proto_rows(0, 3)
        data = csv_text(PROTO_HEADER, good).encode() + b"user9,2025-01-01 00:00:09,login,1.2.3.4,Web,1,x,1,1,AU,1,1,a,1,0.9,1,99.0,bad \xff byte\n"
        r = self.store(input=data)
        self.assertStatus(r, adtest.DATA)
        self.assertIn("<stdin>:5:18:", r.stderr)
        self.assertIn("invalid UTF-8", r.stderr)
        self.assertEqual(len(r.stderr.strip().split("\n")), 2)  # the error, then the summary note
        self.assertEqual(self.count(), 3)
        nul_row = proto_rows(3, 1)[0].replace("login", "log\0in").encode()
        r = self.store(input=csv_text(PROTO_HEADER, good).encode() + nul_row + b"\n")
        self.assertStatus(r, adtest.DATA)
        self.assertIn("<stdin>:5:3: NUL byte", r.stderr)
        self.assertEqual(self.count(), 3)

    def test_bad_flag_and_missing_scores_are_data_errors(self):
        r = self.store(input=csv_text(PROTO_HEADER, [proto_rows(0, 1)[0].replace(",1,90.5,", ",yes,90.5,")]))
        self.assertStatus(r, adtest.DATA)
        self.assertIn("<stdin>:2:16: anomaly_flag must be 0 or 1", r.stderr)
        r = self.store(input="user_id,timestamp\nu,2025-01-01\n")
        self.assertStatus(r, adtest.DATA)
        self.assertIn("not scored CSV: no 'anomaly_score', 'anomaly_flag', 'severity' and 'anomaly_reasons' columns", r.stderr)
        self.assertStatus(self.store("--all", input="user_id,timestamp\nu,2025-01-01\n"), adtest.OK)
        self.assertEqual(self.count(), 1)

    # -- reading back ---------------------------------------------------------------
    def test_export_round_trip_is_byte_identical(self):
        text = csv_text(PROTO_HEADER, proto_rows(0, 2000))
        path = self.write("flagged.csv", text)
        self.assertStatus(self.store("--batch-rows", "300", path), adtest.OK)
        self.assertEqual(self.export(), text)
        out = os.path.join(self.tmp, "out.csv")
        r = adtest.run("ad-store", "--table", self.table, "--export", "-o", out, env=self.env())
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stdout, "")
        with open(out) as f:
            self.assertEqual(f.read(), text)

    def test_export_filters_summary_and_mixed_layouts(self):
        rich = csv_text(RICH_HEADER, [
            "r1,2025-01-01T10:00:00Z,alice,10.0.0.1,NO,Oslo,,,Web,,success,0.9,1,99.0,x",
            "r2,2025-01-02T10:00:00Z,bob,10.0.0.2,SE,,,,Web,,success,0.8,1,98.0,y",
            "r3,2025-01-02T11:00:00Z,alice,10.0.0.3,NO,,,,Web,,success,0.7,1,97.0,z",
        ])
        self.assertStatus(self.store(input=rich), adtest.OK)
        only = self.export("--user", "alice", "--since", "2025-01-02", "--until", "2025-01-03")
        self.assertEqual(only.split("\n")[1:-1],
                         ["r3,2025-01-02T11:00:00Z,alice,10.0.0.3,NO,,,,Web,,success,0.7,1,97.0,z"])
        self.assertEqual(self.export("--user", "nobody"), RICH_HEADER + "\n")
        summary = adtest.run("ad-store", "--table", self.table, "--summary", env=self.env())
        self.assertStatus(summary, adtest.OK)
        self.assertEqual(summary.stdout, "day,user_id,rows,flagged,max_severity\n"
                         "2025-01-01,alice,1,1,99\n2025-01-02,alice,1,1,97\n2025-01-02,bob,1,1,98\n")
        # Another input shape in the same table: the export unions the columns.
        other = "username,when,anomaly_score,anomaly_flag,severity,anomaly_reasons,extra_col\n" \
                "carol,2025-01-03T00:00:00Z,0.95,1,99.9,w,v\n"
        self.assertStatus(self.store("--map", "time=when", input=other), adtest.OK)
        lines = self.export().split("\n")
        self.assertEqual(lines[0], "event_id,timestamp,user_id,ip_address,country,city,latitude,longitude,"
                         "device_type,user_agent,status,username,when,extra_col,"
                         "anomaly_score,anomaly_flag,severity,anomaly_reasons")
        self.assertEqual(lines[4], ",,,,,,,,,,,carol,2025-01-03T00:00:00Z,v,0.95,1,99.9,w")

    # -- bounds (ad-store(1), LIMITS) --------------------------------------------------
    def wide_rows(self, count, note_bytes):
        header = "event_id,timestamp,user_id,note,anomaly_score,anomaly_flag,severity,anomaly_reasons"
        note = "n" * note_bytes
        return csv_text(header, [f"w{i},2025-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z,u{i % 7},{note},0.9,1,99.5,why"
                                 for i in range(count)])

    def batch_sizes(self):
        out = self.server.sql(f'select count(*) from "{self.table}" group by stored_at order by 1')
        return [int(n) for n in out.split()]

    def test_a_batch_is_committed_at_batch_rows(self):
        r = self.store("--batch-rows", "10", self.write("in.csv", self.wide_rows(100, 10)))
        self.assertStatus(r, adtest.OK)
        self.assertEqual(self.batch_sizes(), [10] * 10)

    def test_a_batch_is_committed_at_64_mib_of_rows_however_few(self):
        r = self.store(self.write("in.csv", self.wide_rows(30, 5 << 20)), timeout=300)
        self.assertStatus(r, adtest.OK)
        sizes = self.batch_sizes()
        self.assertEqual(sum(sizes), 30)
        self.assertGreaterEqual(len(sizes), 3, sizes)  # 13 rows of 5 MiB reach 64 MiB
        self.assertLessEqual(max(sizes), 13, sizes)

    def test_export_of_a_missing_table_is_an_error(self):
        r = adtest.run("ad-store", "--table", "no_such_table", "--export", env=self.env())
        self.assertStatus(r, adtest.DATA)
        self.assertIn("does not exist", r.stderr)

    # -- pipelines ------------------------------------------------------------------
    def test_tee_copies_the_input_unchanged(self):
        text = csv_text(PROTO_HEADER, proto_rows(0, 200) + proto_rows(200, 100, flag="0"))
        r = self.store("--tee", input=text)
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stdout, text)
        self.assertEqual(self.count(), 200)
        # A reader that goes away does not stop the storing.
        p = subprocess.run(f"'{adtest.tool('ad-store')}' --table {self.table}_b --tee --all | head -c 100 >/dev/null; "
                           "echo ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", input=text.encode() * 1,
                           env={**os.environ, **self.env()}, capture_output=True, timeout=60)
        self.assertEqual(p.stdout.decode().strip(), "0", p.stderr)
        self.assertEqual(self.server.sql(f'select count(*) from "{self.table}_b"'), "300")
        # A --tee output that cannot be written is an I/O error; the rows read are kept.
        big = self.write("big.csv", csv_text(PROTO_HEADER, proto_rows(0, 3000)))
        with open("/dev/full", "w") as full:
            p = subprocess.run([adtest.tool("ad-store"), "--table", f"{self.table}_c", "--tee", big],
                               env={**os.environ, **self.env()}, stdout=full, stderr=subprocess.PIPE,
                               timeout=60)
        err = p.stderr.decode()
        self.assertEqual(p.returncode, adtest.IO, err)
        self.assertIn("cannot write", err)
        stored = int(err.split("stored ")[1].split(" ")[0])
        self.assertGreater(stored, 0)
        self.assertEqual(self.server.sql(f'select count(*) from "{self.table}_c"'), str(stored))
        r = adtest.run("ad-store", "--table", f"{self.table}_c", big, env=self.env())
        self.assertStatus(r, adtest.OK)
        self.assertIn(f"stored {3000 - stored} new of 3000", r.stderr)

    def test_a_trickle_on_a_pipe_is_committed_within_batch_seconds(self):
        p = self.popen("--batch-seconds", "0.3")
        rows = proto_rows(0, 3)
        p.stdin.write((PROTO_HEADER + "\n" + rows[0] + "\n").encode())
        p.stdin.flush()
        start = time.time()
        self.assertTrue(self.wait_for(lambda: self.server.sql(
            f"select to_regclass('\"{self.table}\"') is not null") == "t" and self.count() == 1))
        self.assertLess(time.time() - start, 6)  # 0.3 s, plus a busy machine's scheduling
        p.stdin.write((rows[1] + "\n").encode())
        p.stdin.flush()
        self.assertTrue(self.wait_for(lambda: self.count() == 2, timeout=10))
        p.stdin.write((rows[2] + "\n").encode())
        status, err = self.finish(p)
        self.assertEqual(status, 0, err)
        self.assertEqual(self.count(), 3)

    def test_sigterm_commits_what_was_read(self):
        p = self.popen("--batch-seconds", "3600", "--batch-rows", "100000")
        p.stdin.write(csv_text(PROTO_HEADER, proto_rows(0, 25)).encode())
        p.stdin.flush()
        time.sleep(1.0)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        status, err = self.finish(p)
        self.assertEqual(status, -signal.SIGTERM, err)
        self.assertEqual(self.count(), 25)

    # -- the server going away ------------------------------------------------------
    def test_server_stopped_mid_run_and_restarted_loses_nothing(self):
        rows = proto_rows(0, 3000)
        p = self.popen("--batch-rows", "100", "--batch-seconds", "0.2", "--retry-for", "60")
        p.stdin.write(csv_text(PROTO_HEADER, rows[:1000]).encode())
        p.stdin.flush()
        self.assertTrue(self.wait_for(lambda: self.server.sql(
            f"select to_regclass('\"{self.table}\"') is not null") == "t" and self.count() == 1000))
        self.server.stop("immediate")
        # Rows keep coming while the server is down (from a thread: the pipe fills up).
        feeder = threading.Thread(target=lambda: (p.stdin.write("".join(r + "\n" for r in rows[1000:2000]).encode()),
                                                  p.stdin.flush()))
        feeder.start()
        time.sleep(1.5)
        self.server.start()
        feeder.join(timeout=60)
        p.stdin.write("".join(r + "\n" for r in rows[2000:]).encode())
        status, err = self.finish(p)
        self.assertEqual(status, 0, err)
        self.assertIn("PostgreSQL unavailable", err)
        self.assertIn("PostgreSQL is back", err)
        self.assertEqual(self.count(), 3000)
        self.assertEqual(self.export(), csv_text(PROTO_HEADER, rows))

    def test_long_outage_exits_75_and_a_rerun_stores_exactly_the_rest(self):
        rows = proto_rows(0, 1500)
        path = self.write("all.csv", csv_text(PROTO_HEADER, rows))
        self.assertStatus(self.store(input=csv_text(PROTO_HEADER, rows[:500])), adtest.OK)
        self.server.stop("immediate")
        start = time.time()
        r = self.store("--retry-for", "1", path)
        took = time.time() - start
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertLess(took, 10)
        self.assertIn("giving up", r.stderr)
        self.server.start()
        r = self.store(path)
        self.assertStatus(r, adtest.OK)
        self.assertIn("stored 1000 new of 1500 flagged rows (500 stored before)", r.stderr)
        self.assertEqual(self.count(), 1500)

    def test_no_server_exits_75_in_bounded_time(self):
        env = self.env(PGPORT="1")
        start = time.time()
        r = adtest.run("ad-store", "--table", self.table, "--retry-for", "2",
                       input=csv_text(PROTO_HEADER, proto_rows(0, 2)), env=env)
        took = time.time() - start
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertGreaterEqual(took, 2)
        self.assertLess(took, 8)
        self.assertEqual(len(r.stderr.strip().split("\n")), 2, r.stderr)  # warning, then the error
        r = adtest.run("ad-store", "--export", "--retry-for", "0", env=env)
        self.assertStatus(r, adtest.UNAVAILABLE)

    # -- connection settings --------------------------------------------------------
    def test_database_url_and_db_option(self):
        url = f"postgresql://{self.server.env['PGUSER']}@{self.server.env['PGHOST']}:{self.server.env['PGPORT']}/postgres"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["DATABASE_URL"] = url
        p = subprocess.run([adtest.tool("ad-store"), "--table", self.table],
                           input=csv_text(PROTO_HEADER, proto_rows(0, 2)).encode(), env=env, capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.count(), 2)
        with_password = url.replace("@", ":secret@")
        r = adtest.run("ad-store", "--db", with_password, "--table", self.table,
                       input=csv_text(PROTO_HEADER, proto_rows(2, 1)))
        self.assertStatus(r, adtest.OK)
        self.assertIn("warning: a password in --db is visible", r.stderr)
        self.assertNotIn("secret", r.stderr.replace("a password in --db", ""))
        self.assertEqual(self.count(), 3)
        r = adtest.run("ad-store", "--db", url.replace("/postgres", "/no_such_db"), "--table", self.table,
                       input=csv_text(PROTO_HEADER, proto_rows(3, 1)))
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertIn("refused the connection", r.stderr)

    def test_password_from_the_environment_or_pgpass_never_the_command_line(self):
        hba = os.path.join(self.server.dir, "data", "pg_hba.conf")
        with open(hba) as f:
            original = f.read()
        self.server.sql("drop database if exists pwdb")
        self.server.sql("drop role if exists pwuser")
        self.server.sql("create role pwuser login password 'Secr3t pass'")
        self.server.sql("create database pwdb owner pwuser")
        try:
            with open(hba, "w") as f:  # the first matching line wins
                f.write("host all pwuser 127.0.0.1/32 scram-sha-256\n" + original)
            self.server.sql("select pg_reload_conf()")
            env = self.env(PGUSER="pwuser", PGDATABASE="pwdb")
            data = csv_text(PROTO_HEADER, proto_rows(0, 2))
            r = self.store("--retry-for", "30", input=data, env={**os.environ, **env})
            self.assertStatus(r, adtest.UNAVAILABLE)  # refused at once, not retried for 30 s
            self.assertIn("refused the connection", r.stderr)
            r = self.store(input=data, env={**os.environ, **env, "PGPASSWORD": "Secr3t pass"})
            self.assertStatus(r, adtest.OK)
            pgpass = self.write("pgpass", f"127.0.0.1:{self.server.env['PGPORT']}:pwdb:pwuser:Secr3t pass\n")
            os.chmod(pgpass, 0o600)
            r = self.store("--all", input=data, env={**os.environ, **env, "PGPASSFILE": pgpass})
            self.assertStatus(r, adtest.OK)
            self.assertIn("stored 0 new of 2 rows (2 stored before)", r.stderr)
        finally:
            with open(hba, "w") as f:
                f.write(original)
            self.server.sql("select pg_reload_conf()")

    # -- the man page ---------------------------------------------------------------
    def test_man_page_examples_run_as_written(self):
        sys.path.insert(0, os.path.join(adtest.SOURCE, "tests", "cli"))
        import test_man_examples  # the shared extractor of EXAMPLES blocks
        with open(os.path.join(adtest.SOURCE, "man", "ad-store.1"), encoding="utf-8") as f:
            blocks = test_man_examples.example_blocks(f.read())
        self.assertGreaterEqual(len(blocks), 4)
        self.server.sql("drop database if exists man_examples")
        self.server.sql("create database man_examples")
        env = {**os.environ, **self.env(PGDATABASE="man_examples")}
        env["PATH"] = adtest.BIN + os.pathsep + env["PATH"]
        outputs = []
        for n, block in enumerate(blocks, 1):
            p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=self.tmp, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, f"block {n}:\n{block}\n{p.stderr}")
            outputs.append(p)
        self.assertIn("stored 2 new of 2 flagged rows", outputs[0].stderr)
        self.assertIn("stored 0 new of 2 flagged rows (2 stored before)", outputs[0].stderr)
        self.assertIn("o'brien", outputs[1].stdout)
        self.assertIn("2025-01-06,alice,1,1,99.2", outputs[1].stdout)


if __name__ == "__main__":
    unittest.main()
