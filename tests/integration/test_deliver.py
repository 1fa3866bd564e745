# SPDX-License-Identifier: MIT
"""Delivery pipeline: POST /events into the outbox, packed Bulk Import
requests at the simulator, per-user order, refusal of invalid batches,
permanent 400 -> dead letter -> replay, stats.

DeliverEnv (also used by test_deliver_*.py, test_segment*.py and
test_import*.py) starts a sim and a server, creates a project with the CLI
and links one account per given workspace through POST /accounts.
"""
import json
import os
import time
import unittest

import harness

# Limits raised so tests measure moelink, not MoEngage's pacing.
FAST_LIMITS = {"bulk_users_per_min": 6000000, "bulk_events_per_min": 6000000}
FAST_ENV = {"MOELINK_DELIVER_USERS_PER_MIN": "6000000",
            "MOELINK_DELIVER_EVENTS_PER_MIN": "6000000",
            "MOELINK_DELIVER_LINGER_MS": "20"}


def workspaces(n=1, limits=None):
    out = []
    for i in range(n):
        ws = {"workspace_id": "WS_DL%02d" % i, "data_center": "01",
              "name": "Delivery %d" % i,
              "keys": {"data": "data-key-dl%02d" % i,
                       "general": "gen-key-dl%02d" % i}}
        if limits:
            ws["limits"] = dict(limits)
        out.append(ws)
    return out


def wait_for(what, cond, timeout=60.0):
    """Poll cond() until it returns a true value (progress polling only)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = cond()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


class DeliverEnv:
    """A sim, a server and linked accounts in workdir."""

    def __init__(self, workdir, n_accounts=1, limits=None, env=None,
                 sim_extra=None):
        self.workdir = workdir
        self.ws = workspaces(n_accounts, limits)
        self.server = None
        self.sim = harness.Sim(workdir, workspaces=self.ws,
                               tls=harness.TLS(workdir), extra=sim_extra)
        try:
            self._start(env)
        except Exception:
            self.stop()
            raise

    def _start(self, env):
        workdir = self.workdir
        self.db = "sqlite://" + os.path.join(workdir, "moelink.db")
        rc, out, err = harness.run_cli(["projects", "create", "delivery",
                                        "--db", self.db], cwd=workdir)
        if rc != 0:
            raise RuntimeError("projects create failed: %s %s" % (out, err))
        fields = dict(line.split("\t", 1) for line in out.splitlines()
                      if "\t" in line)
        self.key = fields["api_key"]
        self.env = dict(env or {})
        self.server = harness.Server(workdir, sim=self.sim, env=self.env)
        self.accounts = [self.link(ws) for ws in self.ws]

    def auth(self, account=None):
        h = {"Authorization": "Bearer " + self.key}
        if account:
            h["x-account-id"] = account
        return h

    def link(self, ws):
        st, _, body = self.server.request("POST", "/accounts", body={
            "origin_owner_id": "owner-" + ws["workspace_id"],
            "origin_owner_name": "Owner",
            "workspace_id": ws["workspace_id"],
            "data_center": ws["data_center"],
            "data_key": ws["keys"]["data"],
            "general_key": ws["keys"]["general"]}, headers=self.auth())
        if st not in (200, 201):
            raise RuntimeError("link failed: %s %r" % (st, body))
        return body["id"]

    def post_events(self, elements, account=None, partial=False):
        path = "/events" + ("?partial=true" if partial else "")
        return self.server.request("POST", path, body=elements,
                                   headers=self.auth(account or
                                                     self.accounts[0]))

    def refuse_bulk(self, count=0, message=None, request_id=None,
                    err_type="MissingAttributeError"):
        """The sim answers the next `count` Bulk Import requests (0: until
        its faults are cleared) with a permanent 400, with MoEngage's error
        body when a message is given."""
        fault = {"family": "data", "path_prefix": "/v1/transition",
                 "status": 400, "count": count}
        if message is not None:
            fault["body"] = {"status": "fail", "error": {
                "message": message, "type": err_type,
                "request_id": request_id}}
        st, _ = self.sim.admin("POST", "/_sim/faults", fault)
        assert st in (200, 201), st

    def stats(self, account=None):
        st, _, body = self.server.request(
            "GET", "/events/stats", headers=self.auth(account))
        assert st == 200, (st, body)
        return {s["account_id"]: s for s in body["data"]}

    def queued(self):
        return sum(s["queued"] for s in self.stats().values())

    def sim_ws(self, i=0):
        return self.sim.stats()["workspaces"][self.ws[i]["workspace_id"]]

    def bulk_requests(self):
        reqs = self.sim.requests() or {}
        return [r for r in reqs.get("requests", [])
                if "/v1/transition/" in r.get("path", "")]

    def restart(self, sig=None):
        if sig is not None:
            self.server.stop(sig)
        self.server.start()

    def stop(self):
        if self.server is not None:
            self.server.stop()
        self.sim.stop()


def event(cid, action="Viewed", **attrs):
    return {"type": "event", "customer_id": cid,
            "actions": [{"action": action, "attributes": attrs}]}


def user(cid, **attrs):
    return {"type": "customer", "customer_id": cid, "attributes": attrs}


class DeliverCase(harness.TestCase):
    """One DeliverEnv (fast limits) shared by a test class's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = DeliverEnv(cls.tmp, limits=FAST_LIMITS, env=FAST_ENV)

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        super().tearDownClass()


class DeliverTest(DeliverCase):

    def setUp(self):
        self.env.sim.reset()
        wait_for("an empty outbox", lambda: self.env.queued() == 0)

    def test_events_arrive_packed_in_bulk_import(self):
        els = []
        for i in range(1000):
            els.append(user("bulk-u%d" % i, plan="pro", n=i))
            els.append(event("bulk-u%d" % i, "Opened", n=i))
        st, _, body = self.env.post_events(els)
        self.assertEqual(st, 202, body)
        self.assertEqual(body["accepted"], 2000)
        ws = wait_for("2000 elements at the sim", lambda: (
            lambda w: w if w["users"] >= 1000 and w["events"] >= 1000
            else None)(self.env.sim_ws()))
        self.assertEqual(ws["users"], 1000)
        self.assertEqual(ws["events"], 1000)
        # Packed: far fewer requests than elements, each within 100 KB.
        reqs = self.env.bulk_requests()
        self.assertGreater(len(reqs), 0)
        self.assertLessEqual(len(reqs), 10, "2000 elements took %d "
                             "requests" % len(reqs))
        stats = wait_for("delivered counters", lambda: (
            lambda s: s if s["delivered"] >= 2000 and s["queued"] == 0
            else None)(self.env.stats()[self.env.accounts[0]]))
        self.assertEqual(stats["dead_letters"], 0)
        self.assertGreaterEqual(sum(stats["delivered_per_minute"]), 2000)

    def test_stats_pages_with_limit_and_after(self):
        ws = self.env.ws[0]
        for i in range(2):
            st, _, body = self.env.server.request("POST", "/accounts", body={
                "origin_owner_id": "stats-page-%d" % i,
                "origin_owner_name": "Owner",
                "workspace_id": ws["workspace_id"],
                "data_center": ws["data_center"],
                "data_key": ws["keys"]["data"],
                "general_key": ws["keys"]["general"]},
                headers=self.env.auth())
            self.assertIn(st, (200, 201), body)
        st, _, whole = self.env.server.request("GET", "/events/stats",
                                               headers=self.env.auth())
        self.assertEqual(st, 200, whole)
        self.assertIsNone(whole["next_after"])
        ids = [s["account_id"] for s in whole["data"]]
        self.assertGreaterEqual(len(ids), 3)
        paged, after = [], ""
        while True:
            st, _, page = self.env.server.request(
                "GET", "/events/stats?limit=2&after=" + after,
                headers=self.env.auth())
            self.assertEqual(st, 200, page)
            self.assertLessEqual(len(page["data"]), 2)
            paged += [s["account_id"] for s in page["data"]]
            if page["next_after"] is None:
                break
            self.assertEqual(page["next_after"], paged[-1])
            after = page["next_after"]
        self.assertEqual(paged, ids)

    def test_per_user_order_is_kept(self):
        els = []
        for i in range(300):
            els.append(event("order-a", "Step", seq=i))
            els.append(event("order-b", "Step", seq=i))
        for chunk in range(0, len(els), 100):
            st, _, body = self.env.post_events(els[chunk:chunk + 100])
            self.assertEqual(st, 202, body)
        wait_for("600 events", lambda: self.env.sim_ws()["events"] >= 600)
        _, evs = self.env.sim.admin(
            "GET", "/_sim/events/%s?limit=1000" % self.env.ws[0]["workspace_id"])
        seqs = {"order-a": [], "order-b": []}
        for e in evs["events"]:
            if e.get("customer_id") in seqs:
                seqs[e["customer_id"]].append(e["attributes"]["seq"])
        self.assertEqual(seqs["order-a"], list(range(300)))
        self.assertEqual(seqs["order-b"], list(range(300)))

    def test_invalid_batch_is_refused_whole_unless_partial(self):
        good = user("valid-1", plan="free")
        bad = {"type": "customer", "customer_id": "guest"}   # MoEngage refuses
        worse = {"type": "Event", "customer_id": "x"}        # type is lowercase
        st, _, body = self.env.post_events([good, bad, worse])
        self.assertEqual(st, 400, body)
        self.assertEqual(body["error"]["code"], "validation_failed")
        self.assertEqual([r["index"] for r in body["rejected"]], [1, 2])
        self.assertTrue(all(r["message"] for r in body["rejected"]))
        self.assertEqual(self.env.queued(), 0)
        st, _, body = self.env.post_events([good, bad, worse], partial=True)
        self.assertEqual(st, 202, body)
        self.assertEqual(body["accepted"], 1)
        self.assertEqual(body["rejected_count"], 2)
        wait_for("the valid user", lambda: self.env.sim_ws()["users"] >= 1)

    def test_requests_need_key_and_own_account(self):
        st, _, _ = self.env.server.request("POST", "/events",
                                           body=[user("k1")])
        self.assertEqual(st, 401)
        st, _, body = self.env.post_events([user("k1")],
                                           account="acc_notmine")
        self.assertEqual(st, 404, body)
        st, _, body = self.env.server.request(
            "POST", "/events", body=[user("k1")], headers=self.env.auth())
        self.assertEqual(st, 400, body)
        self.assertEqual(body["error"]["code"], "missing_account")

    def test_permanent_400_goes_to_dead_letters_then_replays(self):
        msg = "customer_id not found in the payload"
        self.env.refuse_bulk(message=msg, request_id="dl400abc")
        els = [user("dead-%d" % i) for i in range(5)]
        st, _, body = self.env.post_events(els)
        self.assertEqual(st, 202, body)
        dl = wait_for("5 dead letters", lambda: (
            lambda b: b if b["total"] == 5 else None)(
            self.env.server.request("GET", "/deadletters",
                                    headers=self.env.auth())[2]), 90)
        self.assertEqual(self.env.queued(), 0)
        for d in dl["data"]:
            self.assertIn(msg, d["reason"])
            self.assertEqual(d["moengage"]["status"], 400)
            self.assertEqual(d["moengage"]["request_id"], "dl400abc")
        self.assertEqual(sorted(d["customer_id"] for d in dl["data"]),
                         sorted(e["customer_id"] for e in els))
        stats = self.env.stats()[self.env.accounts[0]]
        self.assertEqual(stats["dead_letters"], 5)
        self.assertIn(msg, stats["last_error"])
        # Fix (MoEngage accepts again) and replay: everything arrives.
        self.env.sim.admin("DELETE", "/_sim/faults")
        self.env.sim.reset()
        st, _, body = self.env.server.request(
            "POST", "/deadletters/replay", body={}, headers=self.env.auth())
        self.assertEqual(st, 200, body)
        self.assertEqual(body["replayed"], 5)
        wait_for("replayed users", lambda: self.env.sim_ws()["users"] >= 5)
        self.assertEqual(self.env.sim_ws()["users"], 5)
        _, _, dl = self.env.server.request("GET", "/deadletters",
                                           headers=self.env.auth())
        self.assertEqual(dl["total"], 0)

    def test_refused_batch_is_split_so_one_element_is_dead_lettered(self):
        # Five refusals in a row: the 16-element request, then its halves
        # (8, 4, 2) and the first element alone. Only that one element may
        # end in dead letters; the other 15 must be delivered.
        self.env.refuse_bulk(count=5)
        st, _, body = self.env.post_events([user("iso-%d" % i)
                                            for i in range(16)])
        self.assertEqual(st, 202, body)
        wait_for("15 users", lambda: self.env.sim_ws()["users"] >= 15)
        stats = wait_for("an empty outbox", lambda: (
            lambda s: s if s["queued"] == 0 else None)(
            self.env.stats()[self.env.accounts[0]]))
        self.assertEqual(self.env.sim_ws()["users"], 15)
        _, _, dl = self.env.server.request("GET", "/deadletters",
                                           headers=self.env.auth())
        self.assertEqual(dl["total"], 1)
        self.assertEqual(dl["data"][0]["customer_id"], "iso-0")
        self.assertGreaterEqual(stats["dead_letters"], 1)
        self.env.server.request("POST", "/deadletters/replay", body={},
                                headers=self.env.auth())
        wait_for("16 users", lambda: self.env.sim_ws()["users"] >= 16)

    def test_replay_with_fix_and_by_id(self):
        self.env.refuse_bulk(count=1)
        st, _, body = self.env.post_events([user("fix-me", v=1)])
        self.assertEqual(st, 202, body)
        dl = wait_for("a dead letter", lambda: (
            lambda b: b if b["total"] >= 1 else None)(
            self.env.server.request("GET", "/deadletters",
                                    headers=self.env.auth())[2]))
        dl_id = dl["data"][0]["id"]
        fixed = user("fix-me", v=2)
        st, _, body = self.env.server.request(
            "POST", "/deadletters/replay",
            body={"ids": [dl_id], "fixes": [{"id": dl_id, "payload": fixed}]},
            headers=self.env.auth())
        self.assertEqual(st, 200, body)
        self.assertEqual(body["replayed"], 1)
        wait_for("the fixed user", lambda: self.env.sim_ws()["users"] >= 1)
        _, u = self.env.sim.admin("GET", "/_sim/users/%s/fix-me"
                                  % self.env.ws[0]["workspace_id"])
        self.assertEqual(u["attributes"]["v"], 2)


if __name__ == "__main__":
    unittest.main()
