# SPDX-License-Identifier: MIT
"""moelink sim: per-workspace rate limits (429 with x-ratelimit-* headers),
fault injection (status, count, body, path, drop, latency), the request
journal (credentials redacted), counters and reset."""
import http.client
import json
import threading
import time
import unittest

from harness import DEFAULT_WORKSPACES, SimCase

ACCEPTED = "Your request has been accepted and will be processed soon."
CUSTOMERS_429 = "Rate limits for customers exceeded. Please Try After Some Time"

WORKSPACES = DEFAULT_WORKSPACES + [
    {"workspace_id": "WS_RL", "data_center": "01", "name": "Small limits",
     "keys": {"data": "data-key-rl"},
     "limits": {"track_user_per_min": 3, "bulk_users_per_min": 4,
                "bulk_events_per_min": 5, "delete_per_min": 1}},
]


def user(cid):
    return {"type": "customer", "customer_id": cid}


class SimRateLimitTest(SimCase):
    WORKSPACES = WORKSPACES

    def rl(self, path, body):
        return self.sim.api(path, body, ws="WS_RL", key="data-key-rl")

    def test_track_user_limit_and_headers(self):
        for left in (2, 1, 0):
            st, hd, _, _ = self.rl("/v1/customer/WS_RL", user("u%d" % left))
            self.assertEqual((st, hd["x-ratelimit-limit"],
                              hd["x-ratelimit-remaining"]), (200, "3",
                                                             str(left)))
        res = self.rl("/v1/customer/WS_RL", user("over"))
        self.assertFail(res, 429, "Rate limit exceeded", "RateLimitError")
        hd = res[1]
        self.assertEqual((hd["x-ratelimit-limit"],
                          hd["x-ratelimit-remaining"]), ("3", "0"))
        self.assertIn(int(hd["x-ratelimit-reset"]), range(0, 60))
        # The refused user was not stored.
        self.assertEqual(self.sim.admin("GET", "/_sim/users/WS_RL/over")[0],
                         404)
        self.assertEqual(self.sim.stats()["workspaces"]["WS_RL"]["429"], 1)

    def test_limits_are_per_workspace(self):
        for i in range(4):
            self.rl("/v1/customer/WS_RL", user("u%d" % i))
        st, hd, _, _ = self.sim.api("/v1/customer/WS_US01", user("other"))
        self.assertEqual((st, hd["x-ratelimit-limit"],
                          hd["x-ratelimit-remaining"]), (200, "10000",
                                                         "9999"))

    def test_bulk_counts_users_and_events_per_element(self):
        def bulk(users, actions):
            els = [user("b%d" % i) for i in range(users)]
            if actions:
                els.append({"type": "event", "customer_id": "b0",
                            "actions": [{"action": "A"}] * actions})
            return self.rl("/v1/transition/WS_RL",
                           {"type": "transition", "elements": els})
        self.assertEqual(bulk(3, 2)[0], 200)
        self.assertFail(bulk(2, 0), 429, CUSTOMERS_429,
                        "Rate Limits Exceeded")
        self.assertFail(bulk(0, 4), 429, CUSTOMERS_429,
                        "Rate Limits Exceeded")
        st, hd, _, _ = bulk(1, 3)
        self.assertEqual((st, hd["x-ratelimit-remaining"]), (200, "0"))

    def test_delete_429_uses_its_title_body(self):
        body = {"identity_type": "customer_id", "identity_value": "x"}
        self.assertEqual(self.rl("/v1/customer/delete?app_id=WS_RL",
                                 body)[0], 400)
        st, _, got, _ = self.rl("/v1/customer/delete?app_id=WS_RL", body)
        self.assertEqual((st, got), (429, {
            "status": "fail", "title": "Rate limit exceeded",
            "description": "Exceeded rate limit for this url"}))

    def test_reset_clears_the_windows(self):
        for i in range(4):
            self.rl("/v1/customer/WS_RL", user("u%d" % i))
        self.sim.reset()
        st, hd, _, _ = self.rl("/v1/customer/WS_RL", user("again"))
        self.assertEqual((st, hd["x-ratelimit-remaining"]), (200, "2"))


class SimFaultTest(SimCase):

    def track(self, cid="f"):
        return self.sim.api("/v1/customer/WS_US01", user(cid))

    def test_status_fault_fails_the_next_n_requests(self):
        st, fault = self.sim.add_fault(family="data", status=503, count=2)
        self.assertEqual((st, fault["remaining"]), (201, 2))
        for _ in range(2):
            self.assertFail(self.track(), 503, "Service Unavailable",
                            "ServerError")
        self.assertAccepted(self.track())
        self.assertEqual(self.sim.admin("GET", "/_sim/faults")[1],
                         {"faults": []})

    def test_500_uses_each_endpoints_documented_body(self):
        self.sim.add_fault(family="data", status=500, count=2)
        self.assertFail(self.track(), 500, "Internal Server Error",
                        "ServerError")
        st, _, body, _ = self.sim.api(
            "/v1/customer/delete?app_id=WS_US01",
            {"identity_type": "customer_id", "identity_value": "f"})
        self.assertEqual((st, body), (500, {
            "status": "fail", "title": "Internal Error",
            "description": "Please contact the MoEngage team."}))

    def test_injected_429_has_rate_headers(self):
        self.sim.add_fault(family="data", status=429)
        res = self.sim.api("/v1/event/WS_US01", {
            "type": "event", "customer_id": "f", "actions": [{"action": "A"}]})
        self.assertFail(res, 429, CUSTOMERS_429, "Rate Limits Exceeded")
        self.assertEqual(res[1]["x-ratelimit-remaining"], "0")

    def test_custom_body_and_path_prefix(self):
        self.sim.add_fault(family="data", status=502, body={"oops": 1},
                           path_prefix="/v1/event/")
        self.assertAccepted(self.track())
        st, _, body, _ = self.sim.api("/v1/event/WS_US01", {
            "type": "event", "customer_id": "f", "actions": [{"action": "A"}]})
        self.assertEqual((st, body), (502, {"oops": 1}))

    def test_bad_fault_is_refused(self):
        st, body = self.sim.add_fault(family="nope", status=500)
        self.assertEqual((st, body["error"]), (400, "invalid_fault"))
        st, body = self.sim.add_fault(family="data")
        self.assertEqual(st, 400)

    def test_drop_closes_without_an_answer(self):
        self.sim.add_fault(family="data", drop=True)
        with self.assertRaises((http.client.RemoteDisconnected,
                                ConnectionResetError)):
            self.track()
        self.assertAccepted(self.track())
        last = self.sim.requests()["requests"][-2]
        self.assertEqual((last["dropped"], last["status"]), (True, 0))

    def test_latency_delays_without_blocking_others(self):
        delay = 2.0
        self.sim.add_fault(family="data", latency_ms=int(delay * 1000),
                           count=2)
        done = []

        def slow(name):
            t0 = time.monotonic()
            res = self.track(name)
            done.append((name, res[0], time.monotonic() - t0))

        threads = [threading.Thread(target=slow, args=(n,))
                   for n in ("s1", "s2")]
        for t in threads:
            t.start()
        # Both slow requests are parked once the journal shows them: the
        # sim journals a request before it suspends it. (Polling, not timing.)
        deadline = time.monotonic() + 10
        while len(self.sim.requests()["requests"]) < 2:
            self.assertLess(time.monotonic(), deadline)
        # Both pool threads would be busy if waiting blocked them.
        self.assertAccepted(self.track("fast"))
        self.assertEqual(done, [])
        for t in threads:
            t.join()
        self.assertEqual(sorted(d[:2] for d in done),
                         [("s1", 200), ("s2", 200)])
        self.assertTrue(all(d[2] >= delay for d in done), done)


class SimJournalTest(SimCase):

    def test_journal_redacts_credentials(self):
        self.sim.api("/v1/customer/WS_US01", user("j1"))
        self.sim.api("/v1/integrations/authentication",
                     {"app_id": "WS_US01", "app_secret": "data-key-us01",
                      "source": "test", "region": "01"},
                     headers={"MOE-APPKEY": "WS_US01",
                              "X-Api-Token": "tok-123"})
        self.sim.api("/v1/customer/merge?app_id=WS_US01",
                     {"merge_data": []}, key="data-key-us01")
        entries = self.sim.requests()["requests"]
        text = json.dumps(entries)
        self.assertNotIn("data-key-us01", text)
        self.assertNotIn("tok-123", text)
        first, second, third = entries
        self.assertEqual(first["headers"]["Authorization"],
                         "Basic [redacted]")
        self.assertEqual((first["method"], first["host"], first["path"],
                          first["status"], first["family"], first["route"],
                          first["workspace_id"]),
                         ("POST", "api-01.moengage.com", "/v1/customer/WS_US01",
                          200, "data", "track_user", "WS_US01"))
        self.assertEqual(json.loads(second["body"])["app_secret"],
                         "[redacted]")
        self.assertEqual(second["headers"]["MOE-APPKEY"], "WS_US01")
        self.assertEqual(third["path"], "/v1/customer/merge?app_id=WS_US01")
        self.assertEqual(third["status"], 400)

    def test_journal_limit_and_truncation(self):
        big = {"type": "customer", "customer_id": "big",
               "attributes": {"p": "y" * 10000}}
        self.sim.api("/v1/customer/WS_US01", user("a"))
        self.sim.api("/v1/customer/WS_US01", big)
        last = self.sim.admin("GET", "/_sim/requests?limit=1")[1]["requests"]
        self.assertEqual(len(last), 1)
        self.assertEqual(len(last[0]["body"]), 4096)
        self.assertTrue(last[0]["body_truncated"])
        self.assertEqual(last[0]["body_bytes"], len(json.dumps(big)))

    def test_stats_and_reset(self):
        self.sim.api("/v1/customer/WS_US01", user("s1"))
        self.sim.api("/v1/customer/WS_US01", user("s2"), key="bad")
        self.sim.add_fault(family="data", status=500)
        self.sim.api("/v1/customer/WS_US01", user("s3"))
        stats = self.sim.stats()
        ws = stats["workspaces"]["WS_US01"]
        self.assertEqual((ws["requests"], ws["2xx"], ws["4xx"], ws["5xx"],
                          ws["users"]), (3, 1, 1, 1, 1))
        self.assertGreaterEqual(stats["totals"]["requests"], 3)
        st, body = self.sim.reset()
        self.assertEqual((st, body), (200, {"status": "reset"}))
        ws = self.sim.stats()["workspaces"]["WS_US01"]
        self.assertEqual((ws["requests"], ws["users"]), (0, 0))
        self.assertEqual(self.sim.requests()["requests"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
