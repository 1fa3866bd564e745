# SPDX-License-Identifier: MIT
"""The Segment-compatible tracking API over raw HTTP: write keys (shown
once, Basic auth, revocation), the /v1/* endpoints, and what arrives at
the simulator (users with mapped traits, events, merges through Merge
Users)."""
import base64
import unittest

import harness
from test_deliver import DeliverCase, wait_for


def basic_key(key):
    return "Basic " + base64.b64encode((key + ":").encode()).decode()


class SegmentTest(DeliverCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st, _, body = cls.env.server.request(
            "POST", "/accounts/%s/write_keys" % cls.env.accounts[0],
            headers=cls.env.auth())
        assert st == 201, (st, body)
        cls.key = body["write_key"]
        cls.key_id = body["id"]

    def post(self, path, body, key=None):
        return self.env.server.request(
            "POST", path, body=body,
            headers={"Authorization": basic_key(key or self.key)})

    def test_write_key_is_shown_once_and_listed_by_prefix(self):
        self.assertTrue(self.key.startswith("mlw_"))
        st, _, body = self.env.server.request(
            "GET", "/accounts/%s/write_keys" % self.env.accounts[0],
            headers=self.env.auth())
        self.assertEqual(st, 200)
        self.assertTrue(any(k["id"] == self.key_id for k in body["data"]))
        for k in body["data"]:
            self.assertNotIn("write_key", k)
        mine = [k for k in body["data"] if k["id"] == self.key_id][0]
        self.assertTrue(self.key.startswith(mine["prefix"]))
        self.assertLess(len(mine["prefix"]), len(self.key))
        st, _, _ = self.env.server.request(
            "POST", "/accounts/acc_nope/write_keys", headers=self.env.auth())
        self.assertEqual(st, 404)

    def test_unknown_or_missing_key_is_401(self):
        msg = {"userId": "u", "event": "E"}
        st, h, _ = self.post("/v1/track", msg, key="mlw_" + "x" * 43)
        self.assertEqual(st, 401)
        self.assertIn("www-authenticate", h)
        st, _, _ = self.env.server.request("POST", "/v1/track", body=msg)
        self.assertEqual(st, 401)

    def test_identify_track_page_alias_arrive_as_moengage_calls(self):
        ws = self.env.ws[0]["workspace_id"]
        st, _, body = self.post("/v1/identify", {
            "userId": "seg-raw-1", "traits": {
                "email": "grace@example.com", "firstName": "Grace",
                "lastName": "Hopper", "plan": "navy",
                "address": {"city": "Arlington"}}})
        self.assertEqual(st, 200, body)
        self.assertTrue(body["success"])
        st, _, body = self.post("/v1/batch", {"batch": [
            {"type": "track", "userId": "seg-raw-1", "event": "Compiled",
             "properties": {"lines": 120},
             "timestamp": "2025-01-02T03:04:05.678Z"},
            {"type": "page", "userId": "seg-raw-1", "name": "Docs"},
            {"type": "screen", "anonymousId": "anon-raw", "name": "Home",
             "context": {"device": {"type": "android"}}},
            {"type": "group", "userId": "seg-raw-1", "groupId": "g1"},
            {"type": "alias", "previousId": "anon-raw",
             "userId": "seg-raw-1"}]})
        self.assertEqual(st, 200, body)
        self.assertEqual(body["accepted"], 4)
        self.assertEqual([r["index"] for r in body["rejected"]], [3])
        self.assertEqual(body["rejected"][0]["code"], "unsupported_type")
        wait_for("the merge", lambda: any(
            "/v1/customer/merge" in r.get("path", "")
            for r in (self.env.sim.requests() or {}).get("requests", [])))
        _, u = self.env.sim.admin("GET", "/_sim/users/%s/seg-raw-1" % ws)
        a = u["attributes"]
        self.assertEqual(a["u_em"], "grace@example.com")
        self.assertEqual(a["u_n"], "Grace Hopper")
        self.assertEqual(a["plan"], "navy")
        self.assertEqual(a["address.city"], "Arlington")
        _, evs = self.env.sim.admin("GET", "/_sim/events/%s?limit=100" % ws)
        names = [e["action"] for e in evs["events"]]
        self.assertIn("Compiled", names)
        self.assertIn("Viewed Docs Page", names)
        self.assertIn("Viewed Home Screen", names)
        compiled = [e for e in evs["events"] if e["action"] == "Compiled"][0]
        self.assertEqual(compiled["current_time"], 1735787045)
        self.assertEqual(compiled["attributes"]["lines"], 120)
        # The merge went after the events queued before it.
        paths = [r["path"] for r in self.env.sim.requests()["requests"]
                 if r.get("path", "").startswith("/v1/")]
        self.assertTrue(paths[-1].startswith("/v1/customer/merge"), paths)

    def test_bad_messages_are_refused_with_reasons(self):
        st, _, body = self.post("/v1/batch", {"batch": [
            {"type": "track", "userId": "u1"},
            {"type": "identify"}]})
        self.assertEqual(st, 400, body)
        self.assertFalse(body["success"])
        self.assertEqual([r["field"] for r in body["rejected"]],
                         ["event", "userId"])
        st, _, body = self.post("/v1/track", {"type": "identify",
                                              "userId": "u1"})
        self.assertEqual(st, 400, body)

    def test_revoked_key_stops_working(self):
        st, _, body = self.env.server.request(
            "POST", "/accounts/%s/write_keys" % self.env.accounts[0],
            headers=self.env.auth())
        self.assertEqual(st, 201)
        key, kid = body["write_key"], body["id"]
        st, _, _ = self.post("/v1/track", {"userId": "r", "event": "E"},
                             key=key)
        self.assertEqual(st, 200)
        st, _, _ = self.env.server.request(
            "DELETE", "/accounts/%s/write_keys/%s" % (self.env.accounts[0],
                                                      kid),
            headers=self.env.auth())
        self.assertEqual(st, 204)
        st, _, _ = self.post("/v1/track", {"userId": "r", "event": "E"},
                             key=key)
        self.assertEqual(st, 401)


if __name__ == "__main__":
    unittest.main()
