# SPDX-License-Identifier: MIT
"""Deactivating and reactivating a linked account (PATCH /accounts/{id}
{"status": "inactive" | "active"}, `moelink accounts deactivate|activate`).

While an account is inactive nothing reaches MoEngage for it: /actions/rpc,
/proxy, MCP tool calls and `moelink call --account` answer 409
account_inactive, and the simulator's journal stays empty. POST /events
still accepts its rows; the delivery worker holds them in the outbox (not
sent, not dead-lettered, also across a restart) and delivers them once the
account is active again. Reactivation checks the keys with MoEngage first.

The proof that the worker skipped the inactive account rather than not
having got to it yet: a second, active account's events posted after them
are delivered first. An activation written by another process (another
node on the same database) is found by the worker on its own.
"""
import json
import sqlite3
import unittest

import harness
import test_deliver
from test_deliver import event, wait_for

TRACK = {"type": "customer", "customer_id": "st-u1",
         "attributes": {"plan": "pro"}}
TEST_CONNECTION = "/v1/integrations/authentication"


class AccountStatusTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = test_deliver.DeliverEnv(
            cls.tmp, n_accounts=2, limits=test_deliver.FAST_LIMITS,
            env=test_deliver.FAST_ENV)
        cls.acc, cls.other = cls.env.accounts
        cls.ws = cls.env.ws[0]["workspace_id"]

    @classmethod
    def tearDownClass(cls):
        try:
            cls.env.stop()
            with open(cls.env.server.p.log_path, "rb") as f:
                log = f.read().decode("utf-8", "replace")
            if "Sanitizer" in log or "runtime error:" in log:
                raise AssertionError(log[-4000:])
        finally:
            super().tearDownClass()

    def setUp(self):
        st, _, acc = self.patch({"status": "active"})
        self.assertEqual((st, acc["status"]), (200, "active"), acc)
        wait_for("an empty outbox", lambda: self.env.queued() == 0)
        self.env.sim.reset()

    # ---- helpers ---------------------------------------------------------

    def request(self, method, path, body=None, account=None):
        return self.env.server.request(method, path, body=body,
                                       headers=self.env.auth(account))

    def patch(self, body, account=None):
        return self.request("PATCH", "/accounts/" + (account or self.acc),
                            body=body)

    def cli(self, *args):
        env = {"MOELINK_API_KEY": self.env.key,
               "MOELINK_SERVER": self.env.server.base}
        return harness.run_cli(list(args), env=env, cwd=self.tmp)

    def rpc(self, account=None):
        return self.request("POST", "/actions/rpc", body={
            "action": "moengage_track_user", "body": TRACK},
            account=account or self.acc)

    def sim_paths(self):
        return [r["path"] for r in self.env.sim.requests()["requests"]]

    def assertInactiveError(self, err):
        self.assertEqual(err["code"], "account_inactive", err)
        self.assertIn(self.acc, err["message"])
        self.assertIn('"status":"active"', err["message"])

    # ---- tests -----------------------------------------------------------

    def test_inactive_account_is_refused_everywhere_and_nothing_is_sent(self):
        st, _, acc = self.patch({"status": "inactive"})
        self.assertEqual((st, acc["status"]), (200, "inactive"), acc)
        reason = acc["status_reasons"][0]
        self.assertEqual(reason["code"], "deactivated")
        self.assertIn("nothing is sent to MoEngage", reason["description"])
        self.assertRegex(reason["timestamp"], r"^\d{4}-\d\d-\d\dT")
        # The very next call is refused (no cached "active" answers it).
        st, _, out = self.rpc()
        self.assertEqual(st, 409, out)
        self.assertInactiveError(out["error"])
        st, _, out = self.request("POST", "/proxy", body={
            "method": "POST", "path": "/v1/customer/" + self.ws,
            "body": TRACK}, account=self.acc)
        self.assertEqual(st, 409, out)
        self.assertInactiveError(out["error"])
        st, _, out = self.request("POST", "/mcp", body={
            "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
                "name": "moengage_track_user",
                "arguments": {"body": TRACK}}}, account=self.acc)
        self.assertEqual(st, 200, out)
        self.assertTrue(out["result"]["isError"])
        self.assertInactiveError(json.loads(
            out["result"]["content"][0]["text"]))
        rc, stdout, stderr = self.cli(
            "call", "moengage_track_user", "--account", self.acc,
            "--data", json.dumps(TRACK))
        self.assertEqual((rc, stdout), (1, ""), stderr)
        self.assertInactiveError(json.loads(
            stderr.strip().splitlines()[-1])["error"])
        # The other account is not affected.
        st, _, out = self.rpc(self.other)
        self.assertEqual((st, out["status"]), (200, "success"), out)
        self.assertEqual([r["workspace_id"] for r in
                          self.env.sim.requests()["requests"]],
                         [self.env.ws[1]["workspace_id"]])
        # The list shows the status too; deactivating twice keeps it.
        st, _, page = self.request("GET", "/accounts")
        listed = {a["id"]: a["status"] for a in page["data"]}
        self.assertEqual(listed, {self.acc: "inactive",
                                  self.other: "active"})
        st, _, again = self.patch({"status": "inactive"})
        self.assertEqual((st, again["status_reasons"]),
                         (200, acc["status_reasons"]))

    def test_activate_checks_keys_first_then_calls_go_through(self):
        rc, out, err = self.cli("accounts", "deactivate", self.acc)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["status"], "inactive")
        self.env.sim.reset()
        # MoEngage refuses the stored key: 422, and the account stays
        # inactive, still refused, with only the check sent.
        st, _ = self.env.sim.add_fault(family="data", status=401, count=1,
                                       path_prefix=TEST_CONNECTION)
        self.assertEqual(st, 201)
        rc, out, err = self.cli("accounts", "activate", self.acc)
        self.assertEqual((rc, out), (1, ""))
        e = json.loads(err)["error"]
        self.assertEqual(e["moengage"]["status"], 401, e)
        self.assertEqual(self.sim_paths(), [TEST_CONNECTION])
        st, _, acc = self.request("GET", "/accounts/" + self.acc)
        self.assertEqual(acc["status"], "inactive")
        self.assertEqual(self.rpc()[0], 409)
        # Accepted now: active, reasons cleared, verified just now.
        self.env.sim.reset()
        rc, out, err = self.cli("accounts", "activate", self.acc)
        self.assertEqual(rc, 0, err)
        acc = json.loads(out)
        self.assertEqual((acc["status"], acc["status_reasons"]),
                         ("active", []))
        self.assertIsNotNone(acc["last_verified_at"])
        checks = self.sim_paths()
        self.assertEqual(checks[0], TEST_CONNECTION)
        self.assertNotIn("/v1/customer/" + self.ws, checks)
        st, _, out = self.rpc()
        self.assertEqual((st, out["status"]), (200, "success"), out)
        self.assertEqual(self.sim_paths()[-1], "/v1/customer/" + self.ws)

    def test_verify_or_new_keys_keep_an_inactive_account_inactive(self):
        self.assertEqual(self.patch({"status": "inactive"})[0], 200)
        st, _, acc = self.request("POST", "/accounts/%s/verify" % self.acc)
        self.assertEqual((st, acc["status"]), (200, "inactive"), acc)
        self.assertEqual(acc["status_reasons"][0]["code"], "deactivated")
        keys = self.env.ws[0]["keys"]
        st, _, acc = self.patch({"label": "renamed", "credentials": {
            "data_key": keys["data"], "general_key": keys["general"]}})
        self.assertEqual((st, acc["status"], acc["label"]),
                         (200, "inactive", "renamed"), acc)
        self.assertEqual(self.rpc()[0], 409)
        # Keys and status in one PATCH: checked once, then active.
        self.env.sim.reset()
        st, _, acc = self.patch({"status": "active", "credentials": {
            "data_key": keys["data"], "general_key": keys["general"]}})
        self.assertEqual((st, acc["status"]), (200, "active"), acc)
        self.assertEqual(self.sim_paths().count(TEST_CONNECTION), 1)

    def test_bad_status_values_are_refused(self):
        for bad in ("error", "paused", 1, None):
            st, _, out = self.patch({"status": bad})
            self.assertEqual(st, 400, (bad, out))
            self.assertEqual((out["error"]["code"], out["error"]["field"]),
                             ("invalid_field", "status"))
        st, _, acc = self.request("GET", "/accounts/" + self.acc)
        self.assertEqual(acc["status"], "active")
        rc, _, err = self.cli("accounts", "deactivate")
        self.assertEqual(rc, 2, err)

    def held_then_delivered(self, restart):
        before = self.env.stats(self.acc)[self.acc]["delivered"]
        self.assertEqual(self.patch({"status": "inactive"})[0], 200)
        els = [event("held-%d" % i, "Held", n=i) for i in range(3)]
        st, _, body = self.env.post_events(els, account=self.acc)
        self.assertEqual((st, body["accepted"]), (202, 3), body)
        if restart:
            self.env.restart(sig=15)
        # A later batch of the active account gets through ...
        st, _, body = self.env.post_events(
            [event("free-1", "Free")], account=self.other)
        self.assertEqual(st, 202, body)
        wait_for("the active account's event", lambda: self.env.stats(
            self.other)[self.other]["delivered"] >= 1)
        # ... while the inactive one's wait: queued, not dead-lettered,
        # and the sim saw nothing for its workspace.
        s = self.env.stats(self.acc)[self.acc]
        self.assertEqual((s["queued"], s["dead_letters"], s["delivered"]),
                         (3, 0, before), s)
        self.assertNotIn(self.ws, [r["workspace_id"] for r in
                                   self.env.sim.requests()["requests"]])
        # Active again: the held events arrive, in order, once.
        self.assertEqual(self.patch({"status": "active"})[0], 200)
        wait_for("the held events", lambda: self.env.stats(
            self.acc)[self.acc]["queued"] == 0)
        _, evs = self.env.sim.admin("GET", "/_sim/events/" + self.ws)
        held = [e["attributes"]["n"] for e in evs["events"]
                if e["customer_id"].startswith("held-")]
        self.assertEqual(held, [0, 1, 2])
        self.assertEqual(self.env.stats(self.acc)[self.acc]["dead_letters"],
                         0)

    def test_activation_by_another_process_resumes_delivery(self):
        # Another node sharing the database activates the account: this
        # server is not told, and its worker finds out by reading again.
        self.assertEqual(self.patch({"status": "inactive"})[0], 200)
        st, _, body = self.env.post_events([event("other-1", "Held")],
                                           account=self.acc)
        self.assertEqual(st, 202, body)
        st, _, body = self.env.post_events([event("free-2", "Free")],
                                           account=self.other)
        self.assertEqual(st, 202, body)
        wait_for("the active account's event", lambda: self.env.stats(
            self.other)[self.other]["queued"] == 0)
        self.assertEqual(self.env.stats(self.acc)[self.acc]["queued"], 1)
        db = sqlite3.connect(self.env.db[len("sqlite://"):], timeout=30)
        with db:
            db.execute("UPDATE accounts SET status = 'active', "
                       "status_reasons = NULL WHERE id = ?", (self.acc,))
        db.close()
        wait_for("the held event", lambda: self.env.stats(
            self.acc)[self.acc]["queued"] == 0)
        _, evs = self.env.sim.admin("GET", "/_sim/events/" + self.ws)
        self.assertIn("other-1", [e["customer_id"] for e in evs["events"]])

    def test_events_are_held_while_inactive_and_delivered_after(self):
        self.held_then_delivered(restart=False)

    def test_events_stay_held_across_a_restart(self):
        self.held_then_delivered(restart=True)


if __name__ == "__main__":
    unittest.main()
