# SPDX-License-Identifier: MIT
"""MoEngage's rate limit through the server: POST /actions/rpc for an
account whose workspace is over the simulator's per-minute limit.

The server retries a 429 after the window MoEngage names, but never waits
longer than `serve --retry-max-wait-ms` (MOELINK_RETRY_MAX_WAIT_MS) and
never tries more than --retry-attempts times. When it gives up, the caller
gets 429 at once with Retry-After and "retry_after" (seconds) and
MoEngage's own 429 body; `moelink call --account` prints the same error, and
POST /proxy relays MoEngage's 429 as it came with a Retry-After header; an
MCP tool call's error says when to retry.
The knobs come from the environment here (MOELINK_RETRY_*), the options'
other source.
"""
import json
import os
import time
import unittest

import harness
import test_actions
import test_link

TRACK = {"type": "customer", "customer_id": "rl-u1",
         "attributes": {"plan": "pro"}}
EVENT = {"type": "event", "customer_id": "rl-u1",
         "actions": [{"action": "Opened"}]}
# Track User allows 1 request a minute in this workspace.
WS = [dict(test_actions.WS[0], limits={"track_user_per_min": 1})]
MAX_WAIT_MS = 2000


class RpcRateLimitTest(test_link.LinkedCase):

    WORKSPACES = WS
    LINK = test_actions.LINK
    # The server reads the MOELINK_RETRY_* knobs from its environment.
    ENV = {"MOELINK_RETRY_MAX_WAIT_MS": str(MAX_WAIT_MS),
           "MOELINK_RETRY_MAX_ATTEMPTS": "2",
           "MOELINK_RETRY_BASE_MS": "100"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim, cls.server = cls.env.sim, cls.env.server

    def rpc(self, action, body):
        t0 = time.monotonic()
        st, hd, out = self.env.request(
            "POST", "/actions/rpc", body={"action": action, "body": body},
            headers={"x-account-id": self.account})
        return st, hd, out, time.monotonic() - t0

    def sent(self, path):
        return [r for r in self.sim.requests()["requests"]
                if r["path"] == path]

    def test_window_beyond_max_wait_answers_429_at_once(self):
        st, _, out, _ = self.rpc("moengage_track_user", TRACK)
        self.assertEqual((st, out["status"]), (200, "success"), out)
        st, hd, out, took = self.rpc("moengage_track_user", TRACK)
        self.assertEqual(st, 429, out)
        e = out["error"]
        self.assertEqual(e["code"], "moengage_rate_limited")
        # The minute's window opens later than the server may wait: it did
        # not wait for it, and said when to come back.
        self.assertLess(took, MAX_WAIT_MS / 1000.0)
        self.assertTrue(MAX_WAIT_MS / 1000 < e["retry_after"] <= 60, e)
        self.assertEqual(hd["retry-after"], str(e["retry_after"]))
        self.assertIn("retry after %d s" % e["retry_after"], e["message"])
        # MoEngage's own 429 body, as the sim sent it (one try, no retry).
        path = "/v1/customer/" + WS[0]["workspace_id"]
        tries = self.sent(path)
        self.assertEqual([r["status"] for r in tries], [200, 429])
        m = e["moengage"]
        self.assertEqual((m["status"], m["type"]), (429, "RateLimitError"))
        self.assertEqual(m["body"], {"status": "fail", "error": {
            "message": "Rate limit exceeded", "type": "RateLimitError",
            "request_id": m["request_id"]}})
        # The CLI through the server prints the same error (exit 1).
        rc, stdout, stderr = harness.run_cli(
            ["call", "moengage_track_user", "--account", self.account,
             "--data", json.dumps(TRACK)],
            env={"MOELINK_API_KEY": self.env.key,
                 "MOELINK_SERVER": self.server.base}, cwd=self.tmp)
        self.assertEqual((rc, stdout), (1, ""), stderr)
        ce = json.loads(stderr.strip().splitlines()[-1])["error"]
        self.assertEqual((ce["code"], ce["http_status"]),
                         ("moengage_rate_limited", 429))
        self.assertLessEqual(ce["retry_after"], e["retry_after"])
        # An agent over MCP reads when to come back in the message.
        st, _, res = self.env.request("POST", "/mcp", body={
            "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
                "name": "moengage_track_user",
                "arguments": {"body": TRACK}}},
            headers={"x-account-id": self.account})
        self.assertTrue(res["result"]["isError"], res)
        me = json.loads(res["result"]["content"][0]["text"])
        self.assertEqual((me["code"], me["moengage_status"]),
                         ("moengage_rate_limited", 429))
        self.assertRegex(me["message"], r"; retry after \d+ s$")

    def test_proxy_relays_the_429_with_retry_after(self):
        path = "/v1/customer/" + WS[0]["workspace_id"]
        for want in (200, 429):
            st, hd, out = self.env.request("POST", "/proxy", body={
                "method": "POST", "path": path, "body": TRACK},
                headers={"x-account-id": self.account})
            self.assertEqual(st, want, out)
        # MoEngage's status and body as they came, and when to come back.
        self.assertEqual((out["status"], out["error"]["message"],
                          out["error"]["type"]),
                         ("fail", "Rate limit exceeded", "RateLimitError"))
        self.assertTrue(MAX_WAIT_MS / 1000 < int(hd["retry-after"]) <= 60,
                        hd)
        self.assertEqual([r["status"] for r in self.sent(path)], [200, 429])

    def test_short_window_is_waited_for_and_the_call_succeeds(self):
        # One 429 with x-ratelimit-reset: 1, then MoEngage accepts.
        st, _ = self.sim.add_fault(family="data", status=429, count=1,
                                   path_prefix="/v1/event/")
        self.assertEqual(st, 201)
        st, _, out, took = self.rpc("moengage_track_event", EVENT)
        self.assertEqual((st, out["status"]), (200, "success"), out)
        self.assertGreaterEqual(took, 1.0)
        tries = self.sent("/v1/event/" + WS[0]["workspace_id"])
        self.assertEqual([r["status"] for r in tries], [429, 200])

    def test_out_of_attempts_answers_the_last_429(self):
        # Every try is refused: two tries (--retry-attempts 2), then 429.
        st, _ = self.sim.add_fault(family="data", status=429, count=0,
                                   path_prefix="/v1/event/")
        self.assertEqual(st, 201)
        st, hd, out, _ = self.rpc("moengage_track_event", EVENT)
        self.assertEqual(st, 429, out)
        self.assertEqual(out["error"]["retry_after"], 1)
        self.assertEqual(hd["retry-after"], "1")
        tries = self.sent("/v1/event/" + WS[0]["workspace_id"])
        self.assertEqual([r["status"] for r in tries], [429, 429])


if __name__ == "__main__":
    unittest.main()
