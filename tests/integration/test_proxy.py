# SPDX-License-Identifier: MIT
"""POST /proxy end to end: a raw call goes to the account's own data-center
host with the family's credentials, and nothing a caller sends can point it
elsewhere: absolute and scheme-relative URLs, '..' and '.' segments,
percent-encoded traversal (%2e%2e, %2f, %5c, %25), CR/LF in headers and
unknown headers are refused before anything is sent; hop-by-hop and
credential headers are dropped. Checked through the simulator's request
journal (/_sim/requests).
"""
import json
import unittest

import harness
import test_actions
import test_link


class ProxyTest(harness.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ws = test_actions.WS + [
            {"workspace_id": "WS_EU02", "data_center": "02", "name": "EU",
             "keys": {"multi": "multi-key-eu02"}}]
        cls.env = test_link.LinkEnv(cls.tmp, workspaces=ws)
        cls.account = cls.env.link_account(test_actions.LINK)
        cls.account_eu = cls.env.link_account({
            "origin_owner_id": "o2", "origin_owner_name": "EU",
            "workspace_id": "WS_EU02", "data_center": "02",
            "api_key": "multi-key-eu02"})

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        super().tearDownClass()

    def proxy(self, call, account=None):
        self.env.sim.reset()
        st, _, out = self.env.request("POST", "/proxy", body=call, headers={
            "x-account-id": account or self.account})
        return st, out, self.env.sim.requests()["requests"]

    def test_proxy_adds_family_credentials_on_own_host(self):
        st, out, reqs = self.proxy({
            "method": "POST", "path": "/v1/customer/WS_US01",
            "body": {"type": "customer", "customer_id": "u1"},
            "headers": {"X-Forwarded-For": "203.0.113.9"}})
        self.assertEqual(st, 200, out)
        self.assertEqual(out["status"], "success")
        self.assertEqual(len(reqs), 1)
        self.assertEqual(reqs[0]["host"], "api-01.moengage.com")
        self.assertEqual(reqs[0]["workspace_id"], "WS_US01")
        self.assertEqual(reqs[0]["headers"]["MOE-APPKEY"], "WS_US01")
        self.assertEqual(reqs[0]["headers"]["X-Forwarded-For"],
                         "203.0.113.9")
        # The EU account's calls go to its own data center, whatever the
        # path says.
        st, out, reqs = self.proxy({
            "method": "GET", "path": "/v1/recommendations",
            "query": {"size": 5}}, account=self.account_eu)
        self.assertEqual(reqs[0]["host"], "api-02.moengage.com")
        self.assertEqual(reqs[0]["path"], "/v1/recommendations?size=5")
        # Push is signed, not Basic, on pushapi of the account's DC.
        st, out, reqs = self.proxy({
            "method": "POST", "path": "/v2/transaction/sendpush",
            "host_kind": "pushapi", "body": test_actions.PUSH_BODY})
        self.assertEqual(reqs[0]["host"], "pushapi-01.moengage.com")
        self.assertNotIn("Authorization", reqs[0]["headers"])
        self.assertEqual(json.loads(reqs[0]["body"])["signature"],
                         test_actions.PUSH_SIG)
        st, out, reqs = self.proxy({
            "method": "GET", "path": "/v1/experiences/metadata",
            "host_kind": "sdk"})
        self.assertEqual(reqs[0]["host"], "sdk-01.moengage.com")

    def test_proxy_relays_moengage_errors_as_given(self):
        st, out, reqs = self.proxy({
            "method": "POST", "path": "/v1/customer/WS_US01",
            "body": {"type": "Customer", "customer_id": "u1"}})
        self.assertEqual(len(reqs), 1)
        self.assertEqual(st, 400)
        self.assertEqual(out["status"], "fail")

    def test_proxy_refuses_every_escape_and_sends_nothing(self):
        bad_paths = [
            "https://evil.example/v1/customer/WS_US01",
            "//evil.example/v1/customer/WS_US01",
            "evil.example/v1/x",
            "/v1/../v1/customer/WS_US01",
            "/v1/customer/..",
            "/v1/./customer/WS_US01",
            "/v1/%2e%2e/admin",
            "/v1/%2E%2E/admin",
            "/v1/customer%2fWS_US01",
            "/v1/customer%2FWS_US01",
            "/v1/%5c..%5cadmin",
            "/v1/%252e%252e/admin",
            "/v1/customer/WS_US01?app_id=X",
            "/v1/customer/WS_US01#x",
            "/v1\\customer",
            "/v1/customer/WS US01",
            "/v1/customer/WS_US01\r\nHost: evil.example",
            "/v1/customer/%0d%0aX: y",
            "/v1//customer",
            "/v1/{workspace_id}",
            "",
            "/nowhere/known",
        ]
        for p in bad_paths:
            with self.subTest(path=p):
                st, out, reqs = self.proxy({"method": "POST", "path": p,
                                            "body": {}})
                self.assertEqual(st, 400, out)
                self.assertEqual(reqs, [])
        bad_calls = [
            {"method": "GET", "path": "/v1/recommendations",
             "host_kind": "evil.example"},
            {"method": "GET", "path": "/v1/recommendations",
             "host_kind": "api-02"},
            {"method": "TRACE", "path": "/v1/recommendations"},
            {"method": "GET", "path": "/v1/recommendations",
             "headers": {"X-Evil": "1\r\nHost: evil.example"}},
            {"method": "GET", "path": "/v1/recommendations",
             "headers": {"X-Forwarded-For": "1.2.3.4\r\nX-Evil: 1"}},
            {"method": "GET", "path": "/v1/recommendations",
             "headers": {"X-Custom": "1"}},
            {"method": "GET", "path": "/v1/recommendations",
             "url": "https://evil.example/"},
        ]
        for call in bad_calls:
            with self.subTest(call=call):
                st, out, reqs = self.proxy(call)
                self.assertEqual(st, 400, out)
                self.assertEqual(reqs, [])

    def test_proxy_drops_hop_by_hop_and_credential_headers(self):
        st, out, reqs = self.proxy({
            "method": "GET", "path": "/v1/recommendations",
            "headers": {"Connection": "close, X-Forwarded-For",
                        "Proxy-Authorization": "Basic eDp5",
                        "Transfer-Encoding": "chunked",
                        "Upgrade": "websocket", "Host": "evil.example",
                        "Authorization": "Basic ZXZpbDpldmls",
                        "MOE-APPKEY": "OTHER_WS",
                        "MOE-PROJECT-CODE": "P1"}})
        self.assertEqual(len(reqs), 1, out)
        h = {k.lower(): v for k, v in reqs[0]["headers"].items()}
        self.assertEqual(reqs[0]["host"], "api-01.moengage.com")
        self.assertEqual(h["host"], "api-01.moengage.com")
        self.assertEqual(h["moe-appkey"], "WS_US01")
        self.assertEqual(h["moe-project-code"], "P1")
        self.assertEqual(reqs[0]["workspace_id"], "WS_US01")
        for k in ("proxy-authorization", "upgrade", "transfer-encoding"):
            self.assertNotIn(k, h)
        self.assertNotEqual(h.get("connection", "").lower(),
                            "close, x-forwarded-for")


if __name__ == "__main__":
    unittest.main()
