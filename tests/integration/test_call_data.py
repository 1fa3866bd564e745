# SPDX-License-Identifier: MIT
"""`moelink call` against `moelink sim` over TLS, for every Data API action.

The client connects every *.moengage.com host to the simulator
(MOELINK_MOENGAGE_CONNECT_TO) while the URL, Host header and TLS SNI stay the
production ones, and trusts the throwaway CA (MOELINK_CA_FILE). The
simulator's journal (GET /_sim/requests) shows what actually went over the
wire; faults (POST /_sim/faults) make it answer 429/5xx/400 on demand.
"""
import json
import os
import unittest

import harness
from harness import Sim, TLS, TestCase, run_cli

WS = "WS_US01"
DC = "01"
DATA_KEY = "data-key-us01"

# One valid body per Data action, and the path it must reach.
ACTIONS = {
    "moengage_track_user": (
        {"type": "customer", "customer_id": "it-user-1",
         "attributes": {"name": "Ada", "points": 20,
                        "platforms": [{"platform": "ANDROID",
                                       "active": "true"}]}},
        "/v1/customer/WS_US01"),
    "moengage_track_event": (
        {"type": "event", "customer_id": "it-user-1",
         "actions": [{"action": "Flight Booked", "platform": "iOS",
                      "attributes": {"price": 3999},
                      "current_time": 1433837969,
                      "user_timezone_offset": 19800}]},
        "/v1/event/WS_US01"),
    "moengage_bulk_import": (
        {"type": "transition", "elements": [
            {"type": "customer", "customer_id": "it-user-2",
             "attributes": {"name": "Bo"}},
            {"type": "event", "customer_id": "it-user-2",
             "actions": [{"action": "Signed Up", "platform": "web"}]}]},
        "/v1/transition/WS_US01"),
    "moengage_track_device": (
        {"type": "device", "customer_id": "it-user-1", "device_id": "dev-1",
         "attributes": {"platform": "ANDROID", "push_id": "tok-1"}},
        "/v1/device/WS_US01"),
    "moengage_device_opt_out": (
        {"user_identifier_type": "customer_id",
         "user_identifier_value": "it-user-1", "action_type": "block",
         "device_identifiers": [{"push_id": "tok-1"}]},
        "/v1/devices/manage?app_id=WS_US01"),
    "moengage_get_user": (
        {"data": {"identifiers": [{"identifier_type": "customer_id",
                                   "identifier": "it-user-1"}],
                  "user_fields_to_export": ["name"]}},
        "/v1/customers/export?app_id=WS_US01"),
    "moengage_merge_users": (
        {"merge_data": [{"merged_user": "it-user-2",
                         "retained_user": "it-user-1"}]},
        "/v1/customer/merge?app_id=WS_US01"),
    "moengage_delete_user": (
        {"identity_type": "customer_id", "identity_value": "it-user-1"},
        "/v1/customer/delete?app_id=WS_US01"),
    "moengage_test_connection": (
        None, "/v1/integrations/authentication"),
}

KEY_VARS = ("MOELINK_DATA_KEY", "MOELINK_GENERAL_KEY", "MOELINK_PUSH_KEY",
            "MOELINK_INFORM_KEY", "MOELINK_PERSONALIZE_KEY", "MOELINK_API_KEY")


def header(entry, name):
    for k, v in entry.get("headers", {}).items():
        if k.lower() == name.lower():
            return v
    return None


class CallData(TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tls = TLS(cls.tmp)
        cls.sim = Sim(cls.tmp, tls=cls.tls)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        super().tearDownClass()

    def setUp(self):
        st, _ = self.sim.reset()
        self.assertEqual(st, 200)

    def env(self, **extra):
        e = {"MOELINK_MOENGAGE_CONNECT_TO": self.sim.connect_to(),
             "MOELINK_CA_FILE": self.tls.ca,
             # Short waits so retry tests take milliseconds, not seconds.
             "MOELINK_RETRY_BASE_MS": "20",
             "MOELINK_RETRY_MAX_WAIT_MS": "200"}
        for k in KEY_VARS:
            e[k] = ""   # no key may leak in from the caller's environment
        e.update(extra)
        return e

    def call(self, action, data=None, ws=WS, dc=DC, key=DATA_KEY,
             extra=None, env=None):
        args = ["call", action, "--workspace-id", ws, "--data-center", dc]
        if key is not None:
            args += ["--data-key", key]
        if data is not None:
            args += ["--data", data if isinstance(data, str)
                     else json.dumps(data)]
        args += extra or []
        return run_cli(args, env=self.env(**(env or {})))

    def error(self, stderr):
        """The {"error":{...}} object moelink call printed."""
        line = stderr.strip().splitlines()[-1]
        return json.loads(line)["error"]

    def journal(self):
        return [r for r in self.sim.requests()["requests"]
                if r.get("family") == "data"]

    def fault(self, **f):
        f.setdefault("family", "data")
        st, body = self.sim.admin("POST", "/_sim/faults", f)
        self.assertIn(st, (200, 201), body)

    # ---- success ------------------------------------------------------

    def test_every_data_action_reaches_its_path(self):
        for action, (body, path) in ACTIONS.items():
            with self.subTest(action=action):
                self.sim.reset()
                if action in ("moengage_get_user", "moengage_merge_users",
                              "moengage_delete_user"):
                    # These act on an existing user: create one first.
                    rc, out, err = self.call("moengage_track_user",
                                             ACTIONS["moengage_track_user"][0])
                    self.assertEqual(rc, 0, err)
                    rc, out, err = self.call(
                        "moengage_track_user",
                        {"type": "customer", "customer_id": "it-user-2"})
                    self.assertEqual(rc, 0, err)
                rc, out, err = self.call(action, body)
                self.assertEqual(rc, 0, "%s: %s" % (action, err))
                answer = json.loads(out)
                self.assertEqual(answer.get("status"), "success", out)
                sent = self.journal()[-1]
                self.assertEqual(sent["method"], "POST")
                self.assertEqual(sent["path"], path)
                self.assertEqual(sent["host"], "api-01.moengage.com")
                self.assertEqual(sent["status"], 200)
                self.assertEqual(header(sent, "MOE-APPKEY"), WS)
                self.assertTrue(header(sent, "Authorization")
                                .startswith("Basic "))
                self.assertIn("application/json",
                              header(sent, "Content-Type"))
                if body is not None:
                    self.assertEqual(json.loads(sent["body"]), body)

    def test_get_user_returns_what_track_user_stored(self):
        rc, _, err = self.call("moengage_track_user",
                               {"type": "customer", "customer_id": "u-42",
                                "attributes": {"name": "Grace"}})
        self.assertEqual(rc, 0, err)
        rc, out, err = self.call(
            "moengage_get_user",
            {"data": {"identifiers": [{"identifier_type": "customer_id",
                                       "identifier": "u-42"}],
                      "user_fields_to_export": ["name"]}})
        self.assertEqual(rc, 0, err)
        users = json.loads(out)["data"]["users"]
        self.assertEqual(users[0]["user_attributes"]["name"], "Grace")

    def test_test_connection_body_is_built_from_the_account(self):
        rc, out, err = self.call("moengage_test_connection")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["status"], "success")
        self.assertEqual(json.loads(out)["app_name"], "Acme US")
        body = json.loads(self.journal()[-1]["body"])
        self.assertEqual(body["app_id"], WS)
        self.assertEqual(body["region"], DC)
        self.assertEqual(body["source"], "moelink")
        self.assertIn("app_secret", body)   # the sim's journal redacts it

    def test_multi_permission_key_opens_data_api(self):
        rc, out, err = self.call(
            "moengage_track_user", {"type": "customer", "customer_id": "m1"},
            ws="WS_EU02", dc="02", key=None,
            extra=["--api-key", "multi-key-eu02"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.journal()[-1]["host"], "api-02.moengage.com")

    # ---- MoEngage says no ---------------------------------------------

    def test_wrong_key_is_moengage_auth_failure(self):
        rc, out, err = self.call("moengage_track_user",
                                 {"type": "customer", "customer_id": "u1"},
                                 key="not-the-key")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        e = self.error(err)
        self.assertEqual(e["code"], "moengage_auth_failed")
        self.assertEqual(e["http_status"], 401)
        self.assertIn("App Secret key mismatch", e["moengage"]["message"])
        self.assertIn("App Secret key mismatch", e["message"])
        self.assertTrue(e["moengage"]["request_id"])
        # 401 is final: one request only.
        self.assertEqual(len(self.journal()), 1)

    def test_unknown_workspace_is_auth_failure(self):
        rc, _, err = self.call("moengage_track_event",
                               ACTIONS["moengage_track_event"][0],
                               ws="WS_NOPE")
        self.assertEqual(rc, 1)
        e = self.error(err)
        self.assertEqual(e["code"], "moengage_auth_failed")
        self.assertEqual(e["http_status"], 401)
        self.assertTrue(e["moengage"]["message"])

    def test_other_data_center_is_refused(self):
        # WS_US01 lives in DC 01; calling api-03 must not succeed.
        rc, _, err = self.call("moengage_track_user",
                               {"type": "customer", "customer_id": "u1"},
                               dc="03")
        self.assertEqual(rc, 1)
        e = self.error(err)
        self.assertEqual(e["code"], "moengage_auth_failed")
        self.assertEqual(self.journal()[-1]["host"], "api-03.moengage.com")

    def test_400_is_not_retried(self):
        self.fault(status=400, count=1)
        rc, _, err = self.call("moengage_track_user",
                               {"type": "customer", "customer_id": "u1"})
        self.assertEqual(rc, 1)
        e = self.error(err)
        self.assertEqual(e["code"], "moengage_validation_failed")
        self.assertEqual(e["http_status"], 400)
        self.assertEqual(len(self.journal()), 1)

    # ---- retries --------------------------------------------------------

    def test_429_then_success(self):
        # The sim's 429 says the window opens in 1 s: a max wait below
        # that would make the 429 final at once (retry.h).
        self.fault(status=429, count=1)
        rc, out, err = self.call("moengage_track_event",
                                 ACTIONS["moengage_track_event"][0],
                                 env={"MOELINK_RETRY_MAX_WAIT_MS": "1500"})
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["status"], "success")
        statuses = [r["status"] for r in self.journal()]
        self.assertEqual(statuses, [429, 200])

    def test_5xx_twice_then_success(self):
        self.fault(status=503, count=2)
        rc, out, err = self.call("moengage_track_user",
                                 {"type": "customer", "customer_id": "u5"})
        self.assertEqual(rc, 0, err)
        statuses = [r["status"] for r in self.journal()]
        self.assertEqual(statuses, [503, 503, 200])
        stats = self.sim.stats()["workspaces"][WS]
        self.assertEqual(stats["requests"], 3)
        self.assertEqual(stats["5xx"], 2)

    def test_5xx_until_attempts_run_out(self):
        self.fault(status=500, count=0)
        rc, _, err = self.call("moengage_track_user",
                               {"type": "customer", "customer_id": "u5"},
                               env={"MOELINK_RETRY_MAX_ATTEMPTS": "3"})
        self.assertEqual(rc, 1)
        e = self.error(err)
        self.assertEqual(e["code"], "moengage_server_error")
        self.assertEqual(e["attempts"], 3)
        self.assertEqual(len(self.journal()), 3)

    def test_429_until_attempts_run_out_is_rate_limited(self):
        self.fault(status=429, count=0)
        rc, _, err = self.call("moengage_track_user",
                               {"type": "customer", "customer_id": "u5"},
                               env={"MOELINK_RETRY_MAX_ATTEMPTS": "2",
                                    "MOELINK_RETRY_MAX_WAIT_MS": "1500"})
        self.assertEqual(rc, 1)
        e = self.error(err)
        self.assertEqual(e["code"], "moengage_rate_limited")
        self.assertEqual(e["http_status"], 429)
        self.assertEqual(len(self.journal()), 2)

    def test_dropped_connection_resent_only_when_idempotent(self):
        # Track Event may have been recorded before the drop: not resent.
        self.fault(drop=True, count=1)
        rc, _, err = self.call("moengage_track_event",
                               ACTIONS["moengage_track_event"][0])
        self.assertEqual(rc, 1)
        self.assertEqual(self.error(err)["code"], "network_error")
        self.assertEqual(len(self.journal()), 1)
        # Get User only reads: resent, and the second try answers.
        self.sim.reset()
        self.fault(drop=True, count=1)
        rc, out, err = self.call("moengage_get_user",
                                 ACTIONS["moengage_get_user"][0])
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["type"], "export_users")
        self.assertEqual([r["dropped"] for r in self.journal()],
                         [True, False])

    def test_slow_answer_times_out(self):
        self.fault(latency_ms=3000, count=1)
        rc, _, err = self.call("moengage_track_user",
                               {"type": "customer", "customer_id": "slow"},
                               env={"MOELINK_TIMEOUT_MS": "300"})
        self.assertEqual(rc, 1)
        e = self.error(err)
        self.assertEqual(e["code"], "timeout")
        self.assertEqual(e["attempts"], 1)

    def test_oversized_answer_is_refused(self):
        rc, out, err = self.call("moengage_track_user",
                                 {"type": "customer", "customer_id": "u1"},
                                 extra=["--max-response", "16"])
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertEqual(self.error(err)["code"], "response_too_large")

    # ---- refused locally: nothing is sent -------------------------------

    def assert_nothing_sent(self):
        self.assertEqual(self.journal(), [])

    def test_missing_key_is_local_and_sends_nothing(self):
        rc, out, err = self.call("moengage_track_user",
                                 {"type": "customer", "customer_id": "u1"},
                                 key=None)
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        e = self.error(err)
        self.assertEqual(e["code"], "missing_api_key")
        self.assertNotIn("http_status", e)
        self.assert_nothing_sent()

    def test_general_key_does_not_open_data_api(self):
        rc, _, err = self.call("moengage_track_user",
                               {"type": "customer", "customer_id": "u1"},
                               key=None, extra=["--general-key",
                                                "gen-key-us01"])
        self.assertEqual(rc, 1)
        self.assertEqual(self.error(err)["code"], "missing_api_key")
        self.assert_nothing_sent()

    def test_oversized_body_is_refused_locally(self):
        body = {"type": "customer", "customer_id": "big",
                "attributes": {"blob": "x" * (130 * 1024)}}
        path = os.path.join(self.tmp, "big.json")
        with open(path, "w") as f:
            json.dump(body, f)
        rc, _, err = self.call("moengage_track_user", "@" + path)
        self.assertEqual(rc, 1)
        e = self.error(err)
        self.assertEqual(e["code"], "payload_too_large")
        self.assertEqual(e["field"], "body")
        self.assert_nothing_sent()

    def test_bulk_over_100kb_is_refused_locally(self):
        elements = [{"type": "customer", "customer_id": "u%05d" % i,
                     "attributes": {"note": "y" * 100}}
                    for i in range(700)]
        body = {"type": "transition", "elements": elements}
        # Over Bulk Import's 100 KB, under the other actions' 128 KB, as
        # the compact JSON moelink sends.
        size = len(json.dumps(body, separators=(",", ":")))
        self.assertGreater(size, 100 * 1024)
        self.assertLess(size, 128 * 1024)
        path = os.path.join(self.tmp, "bulk.json")
        with open(path, "w") as f:
            json.dump(body, f)
        rc, _, err = self.call("moengage_bulk_import", "@" + path)
        self.assertEqual(rc, 1)
        self.assertEqual(self.error(err)["code"], "payload_too_large")
        self.assert_nothing_sent()

    def test_validation_errors_name_the_field(self):
        cases = [
            ("moengage_track_user", {"type": "Customer",
                                     "customer_id": "u1"}, "type"),
            ("moengage_track_user", {"type": "customer",
                                     "customer_id": "guest"}, "customer_id"),
            ("moengage_track_event", {"type": "event", "customer_id": "u1",
                                      "actions": []}, "actions"),
            ("moengage_track_device", {"type": "device", "customer_id": "u1",
                                       "device_id": "d",
                                       "attributes": {"platform": "ANDROID"}},
             "attributes.push_id"),
            ("moengage_bulk_import", {"type": "transition", "elements": [
                {"type": "event", "customer_id": "u1",
                 "actions": [{"action": "moe_x"}]}]},
             "elements[0].actions[0].action"),
        ]
        for action, body, field in cases:
            with self.subTest(action=action, field=field):
                rc, _, err = self.call(action, body)
                self.assertEqual(rc, 1)
                e = self.error(err)
                self.assertEqual(e["code"], "validation_failed")
                self.assertEqual(e["field"], field)
        self.assert_nothing_sent()

    # ---- usage ------------------------------------------------------------

    def test_usage_errors_exit_2(self):
        env = self.env()
        for args in (["call"],
                     ["call", "moengage_nope", "--workspace-id", WS,
                      "--data-center", DC],
                     ["call", "moengage_track_user", "--data-center", DC],
                     ["call", "moengage_track_user", "--workspace-id", WS,
                      "--data-center", "07"],
                     ["call", "moengage_track_user", "--bogus"],
                     ["call", "moengage_track_user", "--workspace-id", WS,
                      "--data-center", DC, "--data", "@/nonexistent"]):
            with self.subTest(args=args):
                rc, _, _ = run_cli(args, env=env)
                self.assertEqual(rc, 2)
        self.assert_nothing_sent()

    def test_actions_lists_data_family(self):
        rc, out, _ = run_cli(["actions", "--family", "data"])
        self.assertEqual(rc, 0)
        rows = [line.split("\t") for line in out.splitlines()]
        self.assertTrue(all(fam == "data" for _, fam in rows))
        # Exactly the Data rows of the whole catalog, which include every
        # action this file calls.
        rc, out, _ = run_cli(["actions"])
        self.assertEqual(rc, 0)
        everything = [line.split("\t") for line in out.splitlines()]
        self.assertEqual(sorted(name for name, _ in rows),
                         sorted(n for n, fam in everything if fam == "data"))
        self.assertLess(set(ACTIONS), {name for name, _ in rows})


if __name__ == "__main__":
    unittest.main(verbosity=2)
