# SPDX-License-Identifier: MIT
"""`moelink import FILE --account ID`: CSV and NDJSON through the server,
malformed rows reported with their line numbers, everything valid
delivered to the simulator, plain progress lines when not on a terminal."""
import json
import os
import unittest

import harness
from test_deliver import DeliverCase, wait_for


class ImportTest(DeliverCase):

    def setUp(self):
        self.env.sim.reset()

    def run_import(self, name, text, *extra):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return harness.run_cli(
            ["import", path, "--account", self.env.accounts[0],
             "--server", self.env.server.base, "--json", "--batch", "200"]
            + list(extra), env={"MOELINK_PROJECT_KEY": self.env.key},
            timeout=120)

    def test_ndjson_with_malformed_lines(self):
        lines = []
        bad = {}
        for i in range(1, 1201):
            if i == 7:
                lines.append('{"type": "customer", "customer_id": ')
                bad[i] = "not valid JSON"
            elif i == 500:
                lines.append(json.dumps({"type": "customer",
                                         "customer_id": "guest"}))
                bad[i] = "customer_id"
            elif i == 900:
                lines.append("[1, 2]")
                bad[i] = "not a JSON object"
            elif i == 1000:
                lines.append("")        # blank lines are skipped
            elif i % 2:
                lines.append(json.dumps({"type": "customer",
                                         "customer_id": "nd-%d" % i,
                                         "attributes": {"line": i}}))
            else:
                lines.append(json.dumps({
                    "type": "event", "customer_id": "nd-%d" % (i - 1),
                    "actions": [{"action": "Imported",
                                 "attributes": {"line": i}}]}))
        rc, out, err = self.run_import("in.ndjson", "\n".join(lines) + "\n")
        self.assertEqual(rc, 0, out + err)
        s = json.loads(out)
        self.assertEqual(s["rows"], 1199)
        self.assertEqual(s["rejected"], 3)
        self.assertEqual(s["accepted"], 1196)
        got = {r["line"]: r["reason"] for r in s["rejections"]}
        self.assertEqual(sorted(got), sorted(bad))
        for line, words in bad.items():
            self.assertIn(words, got[line])
        # Not a terminal: plain progress lines, no carriage returns.
        self.assertNotIn("\r", err)
        self.assertIn("progress:", err)
        wait_for("the imported users", lambda: (
            lambda w: w if w["users"] >= 599 and w["events"] >= 597
            else None)(self.env.sim_ws()), 60)

    def test_csv_with_quotes_and_malformed_records(self):
        rows = ["customer_id,type,event,plan,points,vip,note"]
        rows.append('c1,customer,,pro,10,true,"plain"')            # line 2
        rows.append('c2,customer,,free,20,false,"has, comma"')     # line 3
        rows.append('c3,customer,,free,3.5,false,"two\nlines"')    # 4-5
        rows.append('c4,customer,,free,1')                         # 6: cols
        rows.append(',customer,,free,1,false,x')                   # 7: no id
        rows.append('c5,event,Signed Up,,,,"ok"')                  # 8
        rows.append('c6,customer,,"unterminated,1,true,x')         # 9: quote
        rc, out, err = self.run_import("in.csv", "\n".join(rows) + "\n")
        self.assertEqual(rc, 0, out + err)
        s = json.loads(out)
        got = {r["line"]: r["reason"] for r in s["rejections"]}
        self.assertIn(6, got)
        self.assertIn("columns", got[6])
        self.assertIn(7, got)
        self.assertIn("customer_id", got[7])
        self.assertIn(9, got)
        self.assertEqual(s["accepted"], 4)
        ws = self.env.ws[0]["workspace_id"]
        wait_for("c3", lambda: self.env.sim.admin(
            "GET", "/_sim/users/%s/c3" % ws)[0] == 200)
        _, c1 = self.env.sim.admin("GET", "/_sim/users/%s/c1" % ws)
        self.assertEqual(c1["attributes"]["points"], 10)
        self.assertIs(c1["attributes"]["vip"], True)
        _, c2 = self.env.sim.admin("GET", "/_sim/users/%s/c2" % ws)
        self.assertEqual(c2["attributes"]["note"], "has, comma")
        _, c3 = self.env.sim.admin("GET", "/_sim/users/%s/c3" % ws)
        self.assertEqual(c3["attributes"]["note"], "two\nlines")
        self.assertEqual(c3["attributes"]["points"], 3.5)
        wait_for("the event", lambda: self.env.sim_ws()["events"] >= 1)

    def test_usage_and_server_errors(self):
        rc, _, err = harness.run_cli(["import", "x.ndjson"])
        self.assertEqual(rc, 2)
        rc, out, _ = harness.run_cli(
            ["import", os.path.join(self.tmp, "missing.ndjson"),
             "--account", self.env.accounts[0]])
        self.assertEqual(rc, 2)
        path = os.path.join(self.tmp, "one.ndjson")
        with open(path, "w") as f:
            f.write('{"type":"customer","customer_id":"k1"}\n')
        rc, out, _ = harness.run_cli(
            ["import", path, "--account", self.env.accounts[0], "--server",
             self.env.server.base, "--json"],
            env={"MOELINK_PROJECT_KEY": "mlk_wrong"})
        self.assertEqual(rc, 1)
        s = json.loads(out)
        self.assertFalse(s["ok"])
        self.assertIn("401", s["error"])


if __name__ == "__main__":
    unittest.main()
