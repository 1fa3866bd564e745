# SPDX-License-Identifier: MIT
"""The action API end to end: GET /actions, POST /actions/rpc for every
family (each call reaches the simulator at the account's own data-center
host, on the right path, with the family's auth and headers, and answers
MoEngage's body or the one error shape), paginate over a stand-in MoEngage
that pages, MCP tools/list and tools/call, and GET /openapi.json.

The real `moelink serve` talks to `moelink sim` (TLS) or, for paging, to a
small HTTPS stand-in on 127.0.0.1, through MOELINK_MOENGAGE_CONNECT_TO.
"""
import http.server
import json
import os
import ssl
import tempfile
import threading
import unittest
import urllib.parse

import harness
import test_link

WS = [{"workspace_id": "WS_US01", "data_center": "01", "name": "Acme US",
       "keys": {"data": "data-key-us01", "general": "gen-key-us01",
                "push": "push-key-us01", "inform": "inform-key-us01",
                "personalize": "pers-key-us01"}}]
LINK = {"origin_owner_id": "o1", "origin_owner_name": "Owner",
        "workspace_id": "WS_US01", "data_center": "01",
        "data_key": "data-key-us01", "general_key": "gen-key-us01",
        "push_key": "push-key-us01", "inform_key": "inform-key-us01",
        "personalize_key": "pers-key-us01"}
# The sim's journal hides signature headers; their values are checked in
# the unit tests (known answers) and, for Push, in the body below.
REDACTED = "[redacted]"
# sha256("WS_US01|Order Updates|push-key-us01"), computed with hashlib.
PUSH_SIG = "95366c3a6b16bbc863c2aafc84e4c04d7fd77813fa8d5983b6ed31ff0f9063ef"
PUSH_BODY = {"campaignName": "Order Updates", "targetPlatform": ["ANDROID"],
             "targetAudience": "All Users",
             "payload": {"ANDROID": {"title": "t", "message": "m"}},
             "campaignDelivery": {"type": "soon"}}

# (action, call, method, host, path+query, headers that must be present)
CASES = [
    ("moengage_track_user", {"body": {"type": "customer",
                                      "customer_id": "u1"}},
     "POST", "api-01", "/v1/customer/WS_US01", {}),
    ("moengage_list_segments", {"query": {"name": "vip"}}, "GET", "api-01",
     "/v3/custom-segments?name=vip", {}),
    ("moengage_sync_cohort", {"body": {
        "action": "add_members", "partner": "p", "parameters": {
            "cohort_name": "c", "cohort_id": "c1",
            "members": [{"uid": "u1"}]}}},
     "POST", "api-01", "/v1/integrations/cohortsync", {}),
    ("moengage_send_push_v2_1", {"body": PUSH_BODY}, "POST", "pushapi-01",
     "/v2.1/transaction/sendpush",
     {"X-MOE-APPKEY": "WS_US01", "X-MOE-Query-Type": "all users",
      "X-MOE-PushAPI-Signature": REDACTED}),
    ("moengage_get_campaign_stats", {"body": {
        "request_id": "r", "start_date": "2024-12-01",
        "end_date": "2024-12-05", "attribution_type": "VIEW_THROUGH",
        "metric_type": "TOTAL"}},
     "POST", "api-01", "/core-services/v1/campaign-stats", {}),
    ("moengage_download_campaign_report",
     {"path": {"filename": "Report_-_test_20210217.zip"}}, "GET", "api-01",
     "/campaign_reports/rest_api/WS_US01/Report_-_test_20210217.zip",
     {"Signature": REDACTED}),
    ("moengage_list_business_events", {"query": {"limit": 5}}, "GET",
     "api-01", "/v5/business-events?limit=5", {}),
    ("moengage_search_sms_templates", {"body": {"page": 1, "entries": 15}},
     "POST", "api-01", "/v1.0/custom-templates/sms/search", {}),
    ("moengage_search_content_blocks", {"body": {"filters": {}}}, "POST",
     "api-01", "/v1/external/campaigns/content-blocks/search", {}),
    ("moengage_search_catalog_items", {"body": {"items": ["P1"]},
                                       "path": {"catalog_id": "c1"}},
     "POST", "api-01", "/v1/catalog/c1/items/search", {}),
    ("moengage_get_subscription_preferences",
     {"query": {"user_id": "u", "cid": "c"}}, "GET", "api-01",
     "/v1/category-subscription/user-preferences?user_id=u&cid=c", {}),
    ("moengage_get_experience_metadata", {}, "GET", "sdk-01",
     "/v1/experiences/metadata", {}),
    ("moengage_get_recommendation_items", {
        "body": {"user_id": "u1"}, "path": {"recommendation_id": "r1"},
        "headers": {"RECOMMENDATION-TYPE": "trending_item"}},
     "POST", "api-01", "/v1/recommendations/r1/items",
     {"RECOMMENDATION-TYPE": "trending_item"}),
    ("moengage_send_inform_sandbox", {"body": {
        "alert_reference_name": "Demo_ID",
        "transaction_id": "TXN_1", "payloads": {"SMS": {"recipient": "1"}}}},
     "POST", "sandbox-api-01", "/v1.0/alerts/send", {}),
]


class ActionsTest(harness.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = test_link.LinkEnv(cls.tmp, workspaces=WS)
        cls.account = cls.env.link_account(LINK)

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        super().tearDownClass()

    def rpc(self, call, account=None):
        return self.env.request("POST", "/actions/rpc", body=call,
                                headers={"x-account-id":
                                         account or self.account})

    def test_actions_lists_every_action_with_schema(self):
        st, _, out = self.env.request("GET", "/actions")
        self.assertEqual(st, 200)
        rc, cli, _ = harness.run_cli(["actions"])
        self.assertEqual(rc, 0)
        names = [a["name"] for a in out["data"]]
        self.assertEqual(names, [l.split("\t")[0] for l in cli.splitlines()])
        fams = {a["family"] for a in out["data"]}
        self.assertEqual(len(fams), 13)
        for a in out["data"]:
            self.assertEqual(a["input_schema"]["type"], "object", a["name"])
            self.assertTrue(a["name"].startswith("moengage_"))
        st, _, push = self.env.request("GET", "/actions?family=push")
        self.assertEqual({a["name"] for a in push["data"]},
                         {"moengage_send_push", "moengage_send_push_v2_1",
                          "moengage_start_live_activity",
                          "moengage_update_live_activity",
                          "moengage_end_live_activity"})
        self.assertEqual(self.env.request("GET", "/actions?family=nope")[0],
                         400)
        self.assertEqual(self.env.request("GET", "/actions", key=False)[0],
                         401)

    def test_every_family_reaches_its_host_path_and_headers(self):
        for action, call, method, host, path, headers in CASES:
            with self.subTest(action=action):
                self.env.sim.reset()
                st, _, out = self.rpc(dict(call, action=action))
                reqs = self.env.sim.requests()["requests"]
                self.assertEqual(len(reqs), 1, (action, st, out))
                got = reqs[0]
                self.assertEqual(got["method"], method)
                self.assertEqual(got["host"], host + ".moengage.com")
                self.assertEqual(got["path"], path)
                self.assertEqual(got["headers"].get("MOE-APPKEY"), "WS_US01")
                for k, v in headers.items():
                    self.assertEqual(got["headers"].get(k), v, k)
                if host == "pushapi-01":
                    self.assertNotIn("Authorization", got["headers"])
                    sent = json.loads(got["body"])
                    self.assertEqual(sent["appId"], "WS_US01")
                    self.assertEqual(sent["signature"], PUSH_SIG)
                elif "Signature" not in headers:
                    self.assertEqual(got["workspace_id"], "WS_US01")
                # MoEngage's body on success, one error shape otherwise.
                if st == 200:
                    self.assertIsInstance(out, (dict, bytes))
                else:
                    self.assertIn("code", out["error"])
                    self.assertIn("moengage", out["error"])
                    self.assertIn("request_id", out["error"])

    def test_inform_duplicate_transaction_is_already_sent(self):
        call = {"action": "moengage_send_inform", "body": {
            "alert_id": "636b1f2a9c8d4e6f8a1b2c3d",
            "transaction_id": "TXN_dup_1",
            "payloads": {"SMS": {"recipient": "+15550100"}}}}
        st, _, first = self.rpc(call)
        self.assertEqual(st, 200, first)
        self.assertNotIn("already_sent", first)
        st, _, again = self.rpc(call)
        self.assertEqual(st, 200, again)
        self.assertIs(again["already_sent"], True)
        self.assertEqual(again["err_code"], "DUPLICATE_REQUEST_RECEIVED")

    def test_push_wrong_signature_200_fail_is_an_error(self):
        st, _, acc = self.env.request("POST", "/accounts", body=dict(
            LINK, origin_owner_id="o-wrong-push",
            push_key="not-the-push-key"))
        self.assertEqual(st, 201, acc)
        st, _, out = self.rpc({"action": "moengage_send_push",
                               "body": PUSH_BODY}, account=acc["id"])
        self.assertEqual(st, 502, out)
        self.assertEqual(out["error"]["moengage"]["status"], 200)
        self.assertIn("Signature", out["error"]["moengage"]["message"])
        user_push = dict(PUSH_BODY, targetAudience="User",
                         targetUserAttributes={
                             "attribute": "USER_ATTRIBUTE_UNIQUE_ID",
                             "comparisonParameter": "is",
                             "attributeValue": "u1"},
                         payload={"ANDROID": {"title": "t", "message": "m"}})
        st, _, out = self.rpc({"action": "moengage_send_push",
                               "body": user_push})
        self.assertEqual(st, 200, out)
        self.assertEqual(out["status"], "Success")

    def test_rpc_success_is_moengage_body(self):
        st, _, out = self.rpc({"action": "moengage_track_event", "body": {
            "type": "event", "customer_id": "u1",
            "actions": [{"action": "Bought"}]}})
        self.assertEqual(st, 200)
        self.assertEqual(out["status"], "success")

    def test_rpc_local_refusals_send_nothing(self):
        self.env.sim.reset()
        bad = [
            ({"action": "moengage_nope"}, 404, "unknown_action"),
            ({"body": {}}, 400, "missing_field"),
            ({"action": "moengage_get_campaign_stats", "body": {
                "request_id": "r", "start_date": "2024-12-01",
                "end_date": "2025-02-01", "attribution_type": "VIEW_THROUGH",
                "metric_type": "TOTAL"}}, 400, "validation_failed"),
            ({"action": "moengage_fetch_experiences", "body": {
                "identifiers": {}, "experience_key":
                ["k%d" % i for i in range(26)]}}, 400, "validation_failed"),
            ({"action": "moengage_track_user", "extra": 1}, 400,
             "invalid_field"),
        ]
        for call, status, code in bad:
            with self.subTest(call=call):
                st, _, out = self.rpc(call)
                self.assertEqual(st, status, out)
                self.assertEqual(out["error"]["code"], code)
        self.assertEqual(self.env.sim.requests()["requests"], [])
        st, _, out = self.env.request("POST", "/actions/rpc", body={
            "action": "moengage_track_user"})
        self.assertEqual(st, 400)
        st, _, out = self.rpc({"action": "moengage_get_segment",
                               "path": {"id": "x"}}, account="acc_nope")
        self.assertEqual(st, 404)

    def test_mcp_lists_tools_and_calls_one(self):
        h = {"x-account-id": self.account}
        st, _, init = self.env.request("POST", "/mcp", headers=h, body={
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-03-26"}})
        self.assertEqual(st, 200)
        self.assertEqual(init["result"]["serverInfo"]["name"], "moelink")
        st, _, tools = self.env.request("POST", "/mcp", headers=h, body={
            "jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        listed = {t["name"]: t for t in tools["result"]["tools"]}
        _, _, actions = self.env.request("GET", "/actions")
        self.assertEqual(set(listed), {a["name"] for a in actions["data"]})
        self.assertIn("paginate", listed["moengage_list_recommendations"][
            "inputSchema"]["properties"])
        st, _, res = self.env.request("POST", "/mcp", headers=h, body={
            "jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
                "name": "moengage_track_user", "arguments": {"body": {
                    "type": "customer", "customer_id": "u2"}}}})
        self.assertFalse(res["result"]["isError"])
        self.assertEqual(json.loads(res["result"]["content"][0]["text"])[
            "status"], "success")
        st, _, res = self.env.request("POST", "/mcp", headers=h, body={
            "jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
                "name": "moengage_track_user", "arguments": {"body": {
                    "type": "Customer", "customer_id": "u2"}}}})
        self.assertTrue(res["result"]["isError"])
        st, _, res = self.env.request("POST", "/mcp", headers=h, body={
            "jsonrpc": "2.0", "id": 5, "method": "nope"})
        self.assertEqual(res["error"]["code"], -32601)

    def test_openapi_has_every_action_input(self):
        st, _, doc = self.env.request("GET", "/openapi.json", key=False)
        self.assertEqual(st, 200)
        self.assertEqual(doc["openapi"], "3.1.0")
        _, _, actions = self.env.request("GET", "/actions")
        for a in actions["data"]:
            self.assertEqual(doc["components"]["schemas"][a["name"]]["type"],
                             "object")
        self.assertIn("/actions/rpc", doc["paths"])
        self.assertIn("/proxy", doc["paths"])


class PagedMoEngage(http.server.BaseHTTPRequestHandler):
    """A stand-in for MoEngage's recommendation list: 23 items, pages by
    size and batch_num; every page request is recorded."""
    protocol_version = "HTTP/1.1"  # keep-alive, as MoEngage does
    items = 23
    seen = []

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        PagedMoEngage.seen.append((self.headers.get("Host"), u.path, q))
        size = int(q.get("size", "100"))
        batch = int(q.get("batch_num", "1"))
        first = (batch - 1) * size
        items = [{"id": "r%d" % i, "name": "reco %d" % i}
                 for i in range(first, min(first + size, self.items))]
        data = json.dumps({"items": items}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class PaginateTest(harness.TestCase):
    """paginate: true gathers every page, each item once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = test_link.LinkEnv(cls.tmp, workspaces=WS)
        cls.account = cls.env.link_account(LINK)
        cls.env.server.stop()
        tls = cls.env.sim.tls
        cls.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                    PagedMoEngage)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls.cert, tls.key)
        cls.httpd.socket = ctx.wrap_socket(cls.httpd.socket,
                                           server_side=True)
        cls.thread = threading.Thread(target=cls.httpd.serve_forever,
                                      daemon=True)
        cls.thread.start()
        port = cls.httpd.server_address[1]
        cls.env.server.env["MOELINK_MOENGAGE_CONNECT_TO"] = \
            "127.0.0.1:%d" % port
        cls.env.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()
        cls.env.stop()
        super().tearDownClass()

    def test_paginate_gathers_every_page_once(self):
        PagedMoEngage.seen = []
        st, _, out = self.env.request(
            "POST", "/actions/rpc", headers={"x-account-id": self.account},
            body={"action": "moengage_list_recommendations",
                  "query": {"size": 10}, "paginate": True})
        self.assertEqual(st, 200, out)
        ids = [i["id"] for i in out["items"]]
        self.assertEqual(ids, ["r%d" % i for i in range(23)])
        self.assertEqual([s[2]["batch_num"] for s in PagedMoEngage.seen],
                         ["1", "2", "3"])
        self.assertTrue(all(s[0] == "api-01.moengage.com"
                            for s in PagedMoEngage.seen))
        # Without paginate: one page, as MoEngage answered it.
        PagedMoEngage.seen = []
        st, _, out = self.env.request(
            "POST", "/actions/rpc", headers={"x-account-id": self.account},
            body={"action": "moengage_list_recommendations",
                  "query": {"size": 10}})
        self.assertEqual(st, 200, out)
        self.assertEqual(len(out["items"]), 10)
        self.assertEqual(len(PagedMoEngage.seen), 1)

    def test_cli_call_all_prints_every_item_once(self):
        PagedMoEngage.seen = []
        args = ["call", "moengage_list_recommendations", "--workspace-id",
                "WS_US01", "--data-center", "01", "--general-key",
                "gen-key-us01", "--connect-to", "127.0.0.1:%d" %
                self.httpd.server_address[1], "--ca-file",
                self.env.sim.tls.ca, "--query", '{"size":8}']
        rc, out, err = harness.run_cli(args + ["--all"])
        self.assertEqual(rc, 0, err)
        ids = [i["id"] for i in json.loads(out)["items"]]
        self.assertEqual(ids, ["r%d" % i for i in range(23)])
        self.assertEqual(len(PagedMoEngage.seen), 3)
        rc, out, err = harness.run_cli(args)
        self.assertEqual(len(json.loads(out)["items"]), 8)
        rc, out, err = harness.run_cli(
            ["call", "moengage_get_recommendation", "--all",
             "--workspace-id", "WS_US01", "--data-center", "01"])
        self.assertEqual(rc, 2)
        self.assertIn("not paged", err)


if __name__ == "__main__":
    unittest.main()
