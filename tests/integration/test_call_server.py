# SPDX-License-Identifier: MIT
"""`moelink call ACTION --account ID`: the call goes through a running
`moelink serve` (POST /actions/rpc), which holds the linked account's keys.
Same contract as the direct mode: MoEngage's body on stdout and exit 0; an
error object on stderr and exit 1; usage errors exit 2."""
import json
import os
import unittest

import harness
import test_actions
import test_link

TRACK = {"type": "customer", "customer_id": "cli-u1",
         "attributes": {"name": "Ada"}}


class CallServerTest(test_link.LinkedCase):

    WORKSPACES = test_actions.WS
    LINK = test_actions.LINK

    def call(self, *args, key=None, server=None):
        env = {"MOELINK_API_KEY": key if key is not None else self.env.key,
               "MOELINK_SERVER": server or self.env.server.base}
        for k in ("MOELINK_DATA_KEY", "MOELINK_GENERAL_KEY"):
            env[k] = ""
        return harness.run_cli(["call"] + list(args), env=env, cwd=self.tmp)

    def error(self, stderr):
        return json.loads(stderr.strip().splitlines()[-1])["error"]

    def test_call_through_the_server_prints_moengage_body(self):
        rc, out, err = self.call("moengage_track_user", "--account",
                                 self.account, "--data", json.dumps(TRACK))
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["status"], "success")
        reqs = self.env.sim.requests()["requests"]
        self.assertEqual([(r["host"], r["path"]) for r in reqs],
                         [("api-01.moengage.com", "/v1/customer/WS_US01")])
        self.assertEqual(json.loads(reqs[0]["body"]), TRACK)
        # The same call made directly prints the same body.
        rc, direct, err = harness.run_cli(
            ["call", "moengage_track_user", "--workspace-id", "WS_US01",
             "--data-center", "01", "--data", json.dumps(TRACK)],
            env={"MOELINK_DATA_KEY": "data-key-us01",
                 "MOELINK_MOENGAGE_CONNECT_TO": self.env.sim.connect_to(),
                 "MOELINK_CA_FILE": self.env.sim.tls.ca,
                 "MOELINK_API_KEY": ""})
        self.assertEqual(rc, 0, err)
        direct, out = json.loads(direct), json.loads(out)
        # MoEngage's request id is new for each call; the rest is the same.
        self.assertNotEqual(direct.pop("request_id"), out.pop("request_id"))
        self.assertEqual(direct, out)

    def test_data_file_query_and_path_reach_the_server(self):
        path = os.path.join(self.tmp, "body.json")
        with open(path, "w") as f:
            json.dump({"items": ["P1"]}, f)
        rc, out, err = self.call(
            "moengage_search_catalog_items", "--account", self.account,
            "--data", "@" + path, "--path", '{"catalog_id":"c1"}')
        reqs = self.env.sim.requests()["requests"]
        self.assertEqual(len(reqs), 1, (rc, out, err))
        self.assertEqual(reqs[0]["path"], "/v1/catalog/c1/items/search")
        self.assertEqual(json.loads(reqs[0]["body"]), {"items": ["P1"]})
        self.env.sim.reset()
        rc, out, err = self.call("moengage_list_segments", "--account",
                                 self.account, "--query", '{"name":"vip"}')
        reqs = self.env.sim.requests()["requests"]
        self.assertEqual([r["path"] for r in reqs],
                         ["/v3/custom-segments?name=vip"], (rc, err))

    def test_errors_go_to_stderr_with_exit_1(self):
        # Refused by the server before MoEngage: nothing sent.
        rc, out, err = self.call("moengage_track_user", "--account",
                                 self.account, "--data",
                                 '{"type":"Customer","customer_id":"u"}')
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(self.error(err)["code"], "validation_failed")
        self.assertEqual(self.env.sim.requests()["requests"], [])
        # Refused by MoEngage: its detail and status come along.
        st, _, acc = self.env.request("POST", "/accounts", body=dict(
            test_actions.LINK, origin_owner_id="o-bad-push",
            push_key="not-the-push-key"))
        self.assertEqual(st, 201, acc)
        rc, out, err = self.call("moengage_send_push", "--account",
                                 acc["id"], "--data",
                                 json.dumps(test_actions.PUSH_BODY))
        self.assertEqual((rc, out), (1, ""))
        e = self.error(err)
        self.assertEqual(e["http_status"], 200)
        self.assertIn("Signature", e["moengage"]["message"])
        self.assertTrue(e["request_id"].startswith("req_"))
        self.env.sim.reset()
        # Another project's key does not see the account.
        rc, _, err = self.call("moengage_track_user", "--account",
                               self.account, "--data", json.dumps(TRACK),
                               key=self.env.key_b)
        self.assertEqual((rc, self.error(err)["code"]),
                         (1, "account_not_found"))
        rc, _, err = self.call("moengage_track_user", "--account",
                               self.account, "--data", json.dumps(TRACK),
                               key="mlk_wrong")
        self.assertEqual(rc, 1)
        self.assertEqual(self.error(err)["code"], "invalid_api_key")
        # No server there.
        rc, _, err = self.call("moengage_track_user", "--account",
                               self.account, "--data", json.dumps(TRACK),
                               server="http://127.0.0.1:1")
        self.assertEqual((rc, self.error(err)["code"]),
                         (1, "server_unreachable"))
        self.assertEqual(self.env.sim.requests()["requests"], [])

    def test_inform_already_sent_is_noted(self):
        data = json.dumps({"alert_id": "636b1f2a9c8d4e6f8a1b2c3d",
                           "transaction_id": "TXN_cli_dup",
                           "payloads": {"SMS": {"recipient": "+15550100"}}})
        rc, _, err = self.call("moengage_send_inform", "--account",
                               self.account, "--data", data)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("already sent", err)
        rc, out, err = self.call("moengage_send_inform", "--account",
                                 self.account, "--data", data)
        self.assertEqual(rc, 0, err)
        self.assertIs(json.loads(out)["already_sent"], True)
        self.assertIn("already sent", err)

    def test_usage_errors_exit_2_and_send_nothing(self):
        for args, key, word in (
                (["moengage_nope", "--account", self.account], None,
                 "unknown action"),
                (["moengage_track_user", "--account", self.account,
                  "--workspace-id", "WS_US01"], None, "--workspace-id"),
                (["moengage_track_user", "--account", "acc x"], None,
                 "--account"),
                (["moengage_track_user", "--account", self.account], "",
                 "MOELINK_API_KEY"),
                (["moengage_get_segment", "--account", self.account,
                  "--all"], None, "not paged"),
                (["moengage_track_user"], None, "--account")):
            with self.subTest(args=args):
                rc, out, err = self.call(*args, key=key)
                self.assertEqual((rc, out), (2, ""), err)
                self.assertIn(word, err)
        self.assertEqual(self.env.sim.requests()["requests"], [])


class CallServerAllTest(test_actions.PaginateTest):
    """--all with --account: the server pages (paginate: true)."""
    # The stand-in and account come from PaginateTest; its own tests run
    # in test_actions.
    test_paginate_gathers_every_page_once = None
    test_cli_call_all_prints_every_item_once = None

    def test_call_all_through_the_server(self):
        test_actions.PagedMoEngage.seen = []
        args = ["call", "moengage_list_recommendations", "--account",
                self.account, "--query", '{"size":10}']
        env = {"MOELINK_API_KEY": self.env.key,
               "MOELINK_SERVER": self.env.server.base}
        rc, out, err = harness.run_cli(args + ["--all"], env=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual([i["id"] for i in json.loads(out)["items"]],
                         ["r%d" % i for i in range(23)])
        self.assertEqual([s[2]["batch_num"] for s in
                          test_actions.PagedMoEngage.seen], ["1", "2", "3"])
        rc, out, err = harness.run_cli(args, env=env)
        self.assertEqual((rc, len(json.loads(out)["items"])), (0, 10))


if __name__ == "__main__":
    unittest.main()
