# SPDX-License-Identifier: MIT
"""Linking MoEngage accounts end to end: connect sessions, the Hub's API
exactly as hub-page.js calls it, the Accounts API, and what must never
happen (a key stored or echoed in plaintext, another project's account
visible, a refused link stored, a form post without the CSRF token).

The real `moelink serve` runs against `moelink sim` over TLS; the server
reaches the sim through MOELINK_MOENGAGE_CONNECT_TO with production URLs.
"""
import glob
import http.client
import json
import os
import re
import sqlite3
import time
import unittest
import urllib.parse
from unittest import mock

import harness

WORKSPACES = [
    {"workspace_id": "WS_US01", "data_center": "01", "name": "Acme US",
     "keys": {"data": "data-key-us01-secret", "general": "gen-key-us01-secret"}},
    {"workspace_id": "WS_EU02", "data_center": "02", "name": "Acme EU",
     "keys": {"multi": "multi-key-eu02-secret"}},
    {"workspace_id": "WS_IN03", "data_center": "03", "name": "Acme India",
     "keys": {"data": "data-key-in03-secret", "general": "gen-key-in03-secret"}},
]
SECRETS = ["data-key-us01-secret", "gen-key-us01-secret",
           "multi-key-eu02-secret", "data-key-in03-secret",
           "gen-key-in03-secret"]


def create_project(db, name, cwd):
    rc, out, err = harness.run_cli(["projects", "create", name, "--db", db],
                                   cwd=cwd)
    if rc != 0:
        raise RuntimeError("projects create: %s %s" % (out, err))
    fields = dict(line.split("\t", 1) for line in out.splitlines()
                  if "\t" in line)
    return fields["api_key"]


class LinkEnv:
    """A TLS sim, two projects (alpha, beta) and a server in workdir.
    Every response body the tests see is kept in self.seen, to prove that
    none carries a key."""

    def __init__(self, workdir, workspaces=None):
        self.workdir = workdir
        self.seen = []
        self.sim = harness.Sim(workdir, workspaces=workspaces or WORKSPACES,
                               tls=harness.TLS(workdir))
        self.db_path = os.path.join(workdir, "moelink.db")
        db = "sqlite://" + self.db_path
        try:
            self.key = create_project(db, "alpha", workdir)
            self.key_b = create_project(db, "beta", workdir)
            self.server = harness.Server(workdir, sim=self.sim)
        except Exception:
            self.sim.stop()
            raise

    def stop(self):
        rc = self.server.stop()
        self.sim.stop()
        return rc

    def stop_checked(self):
        """Stop both; fail unless the server exited cleanly (SIGTERM, exit
        0) with nothing from the sanitizers in its log."""
        rc = self.stop()
        with open(self.server.p.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        if rc != 0 or "Sanitizer" in log or "runtime error:" in log:
            raise AssertionError("server exited %s:\n%s" % (rc, log[-4000:]))

    def request(self, method, path, body=None, headers=None, raw=None,
                key=None):
        h = dict(headers or {})
        if key is not False:
            h.setdefault("Authorization", "Bearer " + (key or self.key))
        st, hd, parsed = self.server.request(method, path, body=body,
                                             headers=h, raw=raw)
        self.seen.append(json.dumps(parsed) if not isinstance(
            parsed, bytes) else parsed.decode("utf-8", "replace"))
        return st, hd, parsed

    def link_account(self, body):
        """POST /accounts, which must answer 201; the new account's id."""
        st, _, acc = self.request("POST", "/accounts", body=body)
        assert st == 201, acc
        return acc["id"]

    def session(self, key=None, **fields):
        body = {"origin_owner_id": "cust-1", "origin_owner_name": "Customer One"}
        body.update(fields)
        st, _, cs = self.request("POST", "/connect_sessions", body=body,
                                 key=key)
        assert st == 201, (st, cs)
        return cs

    def hub_page(self, token):
        """GET the page as a browser would; returns (status, headers, html,
        csrf token from the page)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port,
                                          timeout=30)
        conn.request("GET", "/hub?token=" + urllib.parse.quote(token))
        r = conn.getresponse()
        html = r.read().decode()
        conn.close()
        m = re.search(r'<meta name="moelink-csrf" content="([^"]*)">', html)
        return (r.status, {k.lower(): v for k, v in r.getheaders()}, html,
                m.group(1) if m else None)

    def hub_link(self, token, fields, csrf=None, content_type=None, raw=None):
        """POST /hub/api/link exactly as hub-page.js does."""
        if csrf is None:
            csrf = self.hub_page(token)[3]
        h = {"X-Hub-Session-Token": token, "X-CSRF-Token": csrf,
             "Content-Type": content_type or "application/json"}
        data = raw if raw is not None else json.dumps(fields).encode()
        return self.request("POST", "/hub/api/link", raw=data, headers=h,
                            key=False)

    def link_us(self, **session_fields):
        cs = self.session(**session_fields)
        st, _, res = self.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "data-key-us01-secret",
            "general_key": "gen-key-us01-secret"})
        assert st == 201, (st, res)
        return cs, res

    def accounts(self, key=None, query=""):
        st, _, body = self.request("GET", "/accounts" + query, key=key)
        assert st == 200, (st, body)
        return body

    def expire(self, session_id):
        """Move a session's expiry into the past (the store's clock is
        epoch seconds), instead of waiting for it."""
        con = sqlite3.connect(self.db_path, timeout=10)
        con.execute("UPDATE connect_sessions SET expires_at = ? WHERE id = ?",
                    (int(time.time()) - 10, session_id))
        con.commit()
        con.close()


class LinkCase(harness.TestCase):
    """One LinkEnv per test class (the sim's WORKSPACES, default the ones
    above; ENV set while the server starts), checked for a clean exit at
    the end."""

    WORKSPACES = None
    ENV = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with mock.patch.dict(os.environ, cls.ENV):
            cls.env = LinkEnv(cls.tmp, workspaces=cls.WORKSPACES)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.env.stop_checked()
        finally:
            super().tearDownClass()


class LinkedCase(LinkCase):
    """LinkCase with one account linked through POST /accounts with LINK
    (cls.account); the sim is reset before every test."""

    LINK = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st, _, acc = cls.env.request("POST", "/accounts", body=cls.LINK)
        if st != 201:
            cls.tearDownClass()
            raise AssertionError("link failed: %s %r" % (st, acc))
        cls.account = acc["id"]

    def setUp(self):
        self.assertEqual(self.env.sim.reset()[0], 200)


class LinkTest(LinkCase):

    def setUp(self):
        self.assertEqual(self.env.sim.reset()[0], 200)
        # Each test starts with no accounts in either project.
        for key in (self.env.key, self.env.key_b):
            for a in self.env.accounts(key=key, query="?page_size=1000")["data"]:
                self.env.request("DELETE", "/accounts/" + a["id"], key=key)

    def assertError(self, res, status, code, fields=None):
        st, hd, body = res
        self.assertEqual(st, status, body)
        self.assertEqual(body["error"]["code"], code, body)
        self.assertEqual(body["error"]["request_id"], hd["x-request-id"])
        self.assertTrue(body["error"]["message"])
        if fields is not None:
            self.assertEqual(body["error"].get("fields"), fields, body)
            self.assertEqual(body["error"].get("field"), fields[0], body)
        return body["error"]

    def assertNothingStored(self):
        self.assertEqual(self.env.accounts()["total"], 0)

    # ---- the happy path ------------------------------------------------

    def test_link_list_verify_delete(self):
        cs = self.env.session(origin_username="ops@example.com",
                              metadata={"plan": "gold"})
        for k in ("id", "token", "auth_link_url", "expires_at",
                  "origin_owner_id", "origin_owner_name", "created_at"):
            self.assertIn(k, cs)
        self.assertTrue(cs["auth_link_url"].endswith(
            "/hub?token=" + cs["token"]))
        st, hd, html, csrf = self.env.hub_page(cs["token"])
        self.assertEqual(st, 200)
        self.assertIn("frame-ancestors 'self'", hd["content-security-policy"])
        self.assertIn("script-src 'self'", hd["content-security-policy"])
        self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)")
        self.assertEqual(hd["x-content-type-options"], "nosniff")
        self.assertEqual(hd["referrer-policy"], "no-referrer")
        self.assertTrue(csrf)
        for guidance in ("Settings → Account → APIs", "App ID",
                         "dashboard-<b>0X</b>.moengage.com",
                         "Per-API keys (legacy workspaces)",
                         "Campaign Report / Business Events / Templates / "
                         "Catalog / Inform API Key"):
            self.assertIn(guidance, html)

        st, _, res = self.env.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "data-key-us01-secret",
            "general_key": "gen-key-us01-secret"}, csrf=csrf)
        self.assertEqual(st, 201, res)
        # The workspace's app_name from Test Connection is the label.
        self.assertEqual(res["label"], "Acme US")
        self.assertEqual((res["workspace_id"], res["data_center"],
                          res["region"]), ("WS_US01", "01", "US"))
        acc_id = res["account_id"]
        # MoEngage was asked with the Data key on the chosen data center.
        reqs = [r for r in self.env.sim.requests()["requests"]
                if r.get("path") == "/v1/integrations/authentication"]
        self.assertTrue(reqs)
        self.assertTrue(reqs[-1].get("host", "").startswith("api-01."),
                        reqs[-1])

        listed = self.env.accounts()
        self.assertEqual(listed["total"], 1)
        a = listed["data"][0]
        self.assertEqual(a["id"], acc_id)
        self.assertEqual(a["provider"], "moengage")
        self.assertEqual(a["status"], "active")
        self.assertEqual(a["status_reasons"], [])
        self.assertEqual(a["origin_owner_id"], "cust-1")
        self.assertEqual(a["origin_username"], "ops@example.com")
        self.assertEqual(a["metadata"], {"plan": "gold"})
        self.assertEqual(a["credential_hints"],
                         {"data": "cret", "general": "cret"})
        self.assertTrue(a["last_verified_at"])

        st, _, sess = self.env.request("GET", "/connect_sessions/" + cs["id"])
        self.assertEqual((st, sess["status"], sess["account_id"]),
                         (200, "spent", acc_id))
        self.assertNotIn("token", sess)

        st, _, v = self.env.request("POST", "/accounts/%s/verify" % acc_id)
        self.assertEqual((st, v["status"]), (200, "active"), v)

        st, _, d = self.env.request("DELETE", "/accounts/" + acc_id)
        self.assertEqual((st, d["id"]), (200, acc_id))
        self.assertError(self.env.request("GET", "/accounts/" + acc_id),
                         404, "account_not_found")
        self.assertNothingStored()

    def test_single_key_is_used_for_every_api(self):
        cs = self.env.session()
        st, _, res = self.env.hub_link(cs["token"], {
            "workspace_id": "WS_EU02", "data_center": "02",
            "data_key": "multi-key-eu02-secret"})
        self.assertEqual(st, 201, res)
        st, _, a = self.env.request("GET", "/accounts/" + res["account_id"])
        self.assertEqual(a["credential_hints"], {"multi": "cret"})
        self.assertEqual(a["label"], "Acme EU")

    def test_session_label_wins_over_app_name(self):
        _, res = self.env.link_us(label="Marketing (prod)")
        self.assertEqual(res["label"], "Marketing (prod)")

    # ---- refusals: the right message beside the right field ------------

    def test_wrong_key_is_refused_beside_the_key_field(self):
        cs = self.env.session()
        err = self.assertError(self.env.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "not-the-key-at-all"}), 422, "invalid_api_key",
            ["data_key"])
        self.assertIn("Secret key mismatch", err["message"])
        self.assertEqual(err["moengage"]["status"], 401)
        self.assertNothingStored()
        # The session is still usable: the user can fix the key.
        st, _, _ = self.env.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "data-key-us01-secret"})
        self.assertEqual(st, 201)

    def test_wrong_general_key_is_refused_beside_its_field(self):
        cs = self.env.session()
        st, _, body = self.env.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "data-key-us01-secret",
            "general_key": "not-the-general-key"})
        probes = [r for r in self.env.sim.requests()["requests"]
                  if r.get("path") == "/v1.0/business_event/search"]
        if probes and probes[-1].get("status") == 404:
            self.skipTest("this simulator has no Business Events API")
        self.assertTrue(probes, "the general key was not checked")
        self.assertEqual(st, 422, body)
        self.assertEqual((body["error"]["code"], body["error"]["fields"]),
                         ("invalid_api_key", ["general_key"]))
        self.assertIn("Campaign Report / Business Events", body["error"]["message"])
        self.assertNothingStored()

    def test_wrong_data_center_points_at_the_data_center(self):
        cs = self.env.session()
        err = self.assertError(self.env.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "02",
            "data_key": "data-key-us01-secret"}), 422, "workspace_not_found",
            ["workspace_id", "data_center"])
        self.assertIn("not found on data center 02", err["message"])
        self.assertIn("check the data center and Workspace ID",
                      err["message"])
        self.assertNothingStored()

    def test_unknown_workspace_points_at_the_workspace_id(self):
        cs = self.env.session()
        err = self.assertError(self.env.hub_link(cs["token"], {
            "workspace_id": "WS_NOPE", "data_center": "01",
            "data_key": "data-key-us01-secret"}), 422, "workspace_not_found",
            ["workspace_id", "data_center"])
        self.assertIn("WS_NOPE", err["message"])
        self.assertNothingStored()

    def test_invalid_input_is_refused_before_moengage(self):
        cs = self.env.session()
        before = len(self.env.sim.requests()["requests"])
        cases = [
            ({"data_center": "01", "data_key": "k"}, "workspace_id"),
            ({"workspace_id": "WS_US01", "data_key": "k"}, "data_center"),
            ({"workspace_id": "WS_US01", "data_center": "7",
              "data_key": "k"}, "data_center"),
            ({"workspace_id": "WS US01", "data_center": "01",
              "data_key": "k"}, "workspace_id"),
            ({"workspace_id": "WS_US01", "data_center": "01"}, "data_key"),
            ({"workspace_id": "WS_US01", "data_center": "01",
              "push_key": "only-push"}, "data_key"),
        ]
        for fields, field in cases:
            st, _, body = self.env.hub_link(cs["token"], fields)
            self.assertEqual(st, 400, (fields, body))
            self.assertEqual(body["error"]["field"], field, (fields, body))
        self.assertEqual(len(self.env.sim.requests()["requests"]), before)
        self.assertNothingStored()

    # ---- tokens ----------------------------------------------------------

    def test_spent_token_is_refused(self):
        cs, _ = self.env.link_us()
        self.assertError(self.env.hub_link(cs["token"], {
            "workspace_id": "WS_IN03", "data_center": "03",
            "data_key": "data-key-in03-secret"}, csrf="x" * 43), 409,
            "session_spent")
        st, _, html, csrf = self.env.hub_page(cs["token"])
        self.assertEqual(st, 409)
        self.assertIn('content="session_spent"', html)
        self.assertEqual(csrf, "")
        self.assertEqual(self.env.accounts()["total"], 1)

    def test_expired_token_is_refused(self):
        cs = self.env.session()
        st, _, _, csrf = self.env.hub_page(cs["token"])
        self.assertEqual(st, 200)
        self.env.expire(cs["id"])
        self.assertError(self.env.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "data-key-us01-secret"}, csrf=csrf), 410,
            "session_expired")
        st, _, html, _ = self.env.hub_page(cs["token"])
        self.assertEqual(st, 410)
        self.assertIn('content="session_expired"', html)
        self.assertNothingStored()

    def test_unknown_token_is_refused(self):
        self.assertError(self.env.hub_link("cst_" + "A" * 43, {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "data-key-us01-secret"}, csrf="x"), 404,
            "invalid_token")
        st, _, _, _ = self.env.hub_page("cst_nope")
        self.assertEqual(st, 404)

    def test_post_without_csrf_token_is_refused(self):
        cs = self.env.session()
        fields = {"workspace_id": "WS_US01", "data_center": "01",
                  "data_key": "data-key-us01-secret"}
        # A classic cross-site form post: urlencoded, no CSRF header.
        form = urllib.parse.urlencode(fields).encode()
        st, _, body = self.env.request(
            "POST", "/hub/api/link", raw=form, key=False, headers={
                "X-Hub-Session-Token": cs["token"],
                "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((st, body["error"]["code"]), (403, "csrf_failed"))
        # JSON, but no or a wrong CSRF token.
        for csrf in ("", "A" * 43):
            self.assertError(self.env.hub_link(cs["token"], fields,
                                               csrf=csrf), 403, "csrf_failed")
        # No session token at all.
        st, _, body = self.env.request(
            "POST", "/hub/api/link", body=fields, key=False)
        self.assertEqual((st, body["error"]["code"]), (401, "missing_token"))
        self.assertNothingStored()

    # ---- projects --------------------------------------------------------

    def test_other_projects_account_is_404(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        kb = self.env.key_b
        for method, path, body in (
                ("GET", "/accounts/" + acc, None),
                ("PATCH", "/accounts/" + acc, {"label": "mine now"}),
                ("POST", "/accounts/%s/verify" % acc, None),
                ("DELETE", "/accounts/" + acc, None)):
            st, _, b = self.env.request(method, path, body=body, key=kb)
            self.assertEqual(st, 404, (method, b))
        self.assertEqual(self.env.accounts(key=kb)["total"], 0)
        st, _, a = self.env.request("GET", "/accounts/" + acc)
        self.assertEqual((st, a["label"]), (200, "Acme US"))
        # Sessions are scoped too.
        cs = self.env.session()
        st, _, _ = self.env.request("GET", "/connect_sessions/" + cs["id"],
                                    key=kb)
        self.assertEqual(st, 404)

    def test_callers_must_authenticate(self):
        st, hd, body = self.env.request("GET", "/accounts", key=False)
        self.assertEqual((st, body["error"]["code"]), (401, "unauthorized"))
        self.assertIn("Bearer", hd["www-authenticate"])
        st, _, body = self.env.request(
            "GET", "/accounts", key=False,
            headers={"Authorization": "Bearer mlk_not_a_key"})
        self.assertEqual((st, body["error"]["code"]), (401, "invalid_api_key"))
        # StackOne style: Basic auth with the key as the username.
        st, _, body = self.env.request(
            "GET", "/accounts", key=False,
            headers={"Authorization": harness.basic(self.env.key, "")})
        self.assertEqual(st, 200, body)

    # ---- PATCH -----------------------------------------------------------

    def test_patch_with_bad_credentials_keeps_the_old_ones(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        self.assertError(self.env.request("PATCH", "/accounts/" + acc, body={
            "credentials": {"data_key": "wrong-new-key"}}), 422,
            "invalid_api_key", ["data_key"])
        st, _, v = self.env.request("POST", "/accounts/%s/verify" % acc)
        self.assertEqual((st, v["status"]), (200, "active"), v)
        self.assertEqual(v["credential_hints"]["data"], "cret")
        # Good new credentials (moving the account to another workspace)
        # replace the old ones, after MoEngage accepted them.
        st, _, p = self.env.request("PATCH", "/accounts/" + acc, body={
            "label": "India now", "credentials": {
                "workspace_id": "WS_IN03", "data_center": "03",
                "data_key": "data-key-in03-secret"}})
        self.assertEqual(st, 200, p)
        self.assertEqual((p["workspace_id"], p["data_center"], p["region"],
                          p["label"]), ("WS_IN03", "03", "India", "India now"))
        st, _, v = self.env.request("POST", "/accounts/%s/verify" % acc)
        self.assertEqual(v["status"], "active")

    def test_patch_label_and_metadata(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        st, _, p = self.env.request("PATCH", "/accounts/" + acc, body={
            "label": "Renamed", "metadata": {"tier": 2}})
        self.assertEqual((st, p["label"], p["metadata"]),
                         (200, "Renamed", {"tier": 2}))
        self.assertError(self.env.request("PATCH", "/accounts/" + acc,
                                          body={"created_at": "2020-01-01"}),
                         400, "invalid_field", ["created_at"])
        self.assertError(self.env.request("PATCH", "/accounts/" + acc,
                                          body={}), 400, "nothing_to_update")

    def test_verify_marks_an_account_whose_key_was_revoked(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        # MoEngage side: the Data key was regenerated, so it is refused.
        st, _ = self.env.sim.admin("POST", "/_sim/faults", {
            "family": "data", "path_prefix": "/v1/integrations/authentication",
            "status": 401, "count": 1, "body": harness.moe_fail(
                "App Secret key mismatch. Please login to the dashboard to "
                "verify key", "Authentication required", "ABCDEFGH")})
        self.assertIn(st, (200, 201))
        st, _, v = self.env.request("POST", "/accounts/%s/verify" % acc)
        self.assertEqual((st, v["status"]), (200, "error"), v)
        self.assertEqual(v["status_reasons"][0]["code"], "invalid_api_key")
        self.assertIn("mismatch", v["status_reasons"][0]["description"])
        self.assertTrue(v["status_reasons"][0]["timestamp"])
        # Once MoEngage accepts the key again, verify clears the error.
        st, _, v = self.env.request("POST", "/accounts/%s/verify" % acc)
        self.assertEqual((st, v["status"], v["status_reasons"]),
                         (200, "active", []))

    def test_moengage_unreachable_stores_nothing(self):
        st, _ = self.env.sim.admin("POST", "/_sim/faults", {
            "family": "data", "path_prefix": "/v1/integrations/authentication",
            "drop": True, "count": 0})
        self.assertIn(st, (200, 201))
        cs = self.env.session()
        err = self.assertError(self.env.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "data-key-us01-secret"}), 502, "moengage_unavailable")
        self.assertIn("Nothing was saved", err["message"])
        self.assertNothingStored()

    # ---- request handling ------------------------------------------------

    def test_bad_bodies_get_clear_4xx(self):
        st, _, body = self.env.request("POST", "/connect_sessions",
                                       raw=b'{"origin_owner_id": "x",',
                                       headers={"Content-Type":
                                                "application/json"})
        self.assertEqual((st, body["error"]["code"]), (400, "malformed_json"))
        self.assertError(self.env.request("POST", "/connect_sessions",
                                          body={"origin_owner_id": "x"}),
                         400, "missing_field", ["origin_owner_name"])
        self.assertError(self.env.request("POST", "/connect_sessions",
                                          body={"origin_owner_id": "x",
                                                "origin_owner_name": "y",
                                                "expires_in": 5}),
                         400, "invalid_field", ["expires_in"])
        st, _, body = self.env.request("POST", "/connect_sessions",
                                       body=[1, 2])
        self.assertEqual((st, body["error"]["code"]), (400, "invalid_request"))
        big = b'{"origin_owner_id":"' + b"x" * (80 * 1024) + b'"}'
        st, _, body = self.env.request("POST", "/connect_sessions", raw=big,
                                       headers={"Content-Type":
                                                "application/json"})
        self.assertEqual((st, body["error"]["code"]), (413, "payload_too_large"))
        st, hd, body = self.env.request("PUT", "/accounts")
        self.assertEqual((st, body["error"]["code"]), (405, "method_not_allowed"))
        self.assertIn("GET", hd["allow"])
        st, _, body = self.env.request("GET", "/no/such/thing")
        self.assertEqual((st, body["error"]["code"]), (404, "not_found"))
        st, _, body = self.env.request("GET", "/accounts?page_size=0")
        self.assertEqual((st, body["error"]["code"]), (400, "invalid_query"))

    def test_oversized_body_without_length_is_not_buffered(self):
        # Chunked upload over the 64 KiB cap of /connect_sessions.
        conn = http.client.HTTPConnection("127.0.0.1", self.env.server.port,
                                          timeout=30)
        conn.putrequest("POST", "/connect_sessions")
        conn.putheader("Authorization", "Bearer " + self.env.key)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        chunk = b"x" * 16384
        for _ in range(8):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        r = conn.getresponse()
        body = json.loads(r.read())
        conn.close()
        self.assertEqual((r.status, body["error"]["code"]),
                         (413, "payload_too_large"))

    def test_keep_alive_holds(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.env.server.port,
                                          timeout=30)
        socks = []
        for method, path, body in (("GET", "/healthz", None),
                                   ("GET", "/accounts", None),
                                   ("POST", "/connect_sessions",
                                    {"origin_owner_id": "k",
                                     "origin_owner_name": "K"})):
            conn.request(method, path, body=json.dumps(body) if body else None,
                         headers={"Authorization": "Bearer " + self.env.key,
                                  "Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            self.assertIn(r.status, (200, 201))
            self.assertNotEqual((r.getheader("Connection") or "").lower(),
                                "close")
            socks.append(conn.sock)
        conn.close()
        self.assertIsNotNone(socks[0])
        self.assertTrue(all(s is socks[0] for s in socks))

    def test_healthz_and_request_ids(self):
        st, hd, body = self.env.request("GET", "/healthz", key=False)
        self.assertEqual((st, body["status"], body["store"]), (200, "ok", "ok"))
        rid = hd["x-request-id"]
        self.assertRegex(rid, r"^req_[0-9a-f]{16}$")
        st, hd2, _ = self.env.request("GET", "/healthz", key=False)
        self.assertNotEqual(hd2["x-request-id"], rid)
        # Access lines are buffered: on disk within 0.1 s. Wait for it.
        deadline = time.monotonic() + 10
        line = []
        while not line and time.monotonic() < deadline:
            log = self.env.server.p.logtext()
            line = [l for l in log.splitlines() if "request_id=" + rid in l]
            if not line:
                time.sleep(0.02)  # polling for the line, not timing it
        self.assertEqual(len(line), 1, line)
        self.assertRegex(line[0], r"method=GET path=/healthz status=200 "
                         r"bytes=\d+ duration_ms=[0-9.]+")

    def test_query_secrets_stay_out_of_the_log(self):
        cs = self.env.session()
        self.env.hub_page(cs["token"])
        self.assertNotIn(cs["token"], self.env.server.p.logtext())

    # ---- XSS and secrets -------------------------------------------------

    def test_markup_in_names_comes_back_as_data(self):
        payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
        cs = self.env.session(origin_owner_name=payload, label=payload)
        st, hd, s = self.env.request("GET", "/hub/api/session", key=False,
                                     headers={"X-Hub-Session-Token":
                                              cs["token"]})
        self.assertEqual((st, s["origin_owner_name"]), (200, payload))
        self.assertTrue(hd["content-type"].startswith("application/json"))
        self.assertEqual(hd["x-content-type-options"], "nosniff")
        self.assertIn("default-src 'none'", hd["content-security-policy"])
        st, _, res = self.env.hub_link(cs["token"], {
            "workspace_id": "WS_US01", "data_center": "01",
            "data_key": "data-key-us01-secret"})
        self.assertEqual((st, res["label"]), (201, payload))
        a = self.env.accounts()["data"][0]
        self.assertEqual((a["label"], a["origin_owner_name"]),
                         (payload, payload))
        # The page never puts names into its HTML; the script does, with
        # textContent.
        _, _, html, _ = self.env.hub_page(cs["token"])
        self.assertNotIn("alert(", html)

    def test_no_key_in_plaintext_anywhere(self):
        self.env.link_us()
        cs = self.env.session()
        self.env.hub_link(cs["token"], {"workspace_id": "WS_EU02",
                                        "data_center": "02",
                                        "api_key": "multi-key-eu02-secret"})
        self.env.hub_link(self.env.session()["token"], {
            "workspace_id": "WS_IN03", "data_center": "03",
            "data_key": "data-key-in03-secret",
            "general_key": "wrong-general-key-secret"})
        self.env.request("POST", "/accounts", body={
            "origin_owner_id": "api", "origin_owner_name": "API",
            "workspace_id": "WS_IN03", "data_center": "03",
            "data_key": "data-key-in03-secret",
            "general_key": "gen-key-in03-secret"})
        for a in self.env.accounts()["data"]:
            self.env.request("GET", "/accounts/" + a["id"])
            self.env.request("POST", "/accounts/%s/verify" % a["id"])
        self.assertGreaterEqual(self.env.accounts()["total"], 3)
        files = glob.glob(self.env.db_path + "*")
        self.assertTrue(files)
        blobs = []
        for path in files:
            with open(path, "rb") as f:
                blobs.append(f.read())
        blobs.append(self.env.server.p.logtext().encode())
        blobs.append("\n".join(self.env.seen).encode())
        for secret in SECRETS + ["wrong-general-key-secret"]:
            for blob in blobs:
                self.assertNotIn(secret.encode(), blob)


if __name__ == "__main__":
    unittest.main(verbosity=2)
