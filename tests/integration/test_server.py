# SPDX-License-Identifier: MIT
"""`moelink serve` as an operator meets it: the first run on an empty
database, the dashboard's sign-in (one-time link, API key, admin password),
its cookie and CSRF rules, the Hub's embedding setting, static assets, and
a graceful shutdown that finishes a link MoEngage is still answering.
"""
import http.client
import json
import os
import re
import signal
import threading
import time
import unittest
import urllib.parse

import harness
from test_link import LinkCase, LinkEnv


def raw_get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, r, body


def cookie_of(resp):
    """The moelink_dash cookie's value and its attributes."""
    for k, v in resp.getheaders():
        if k.lower() == "set-cookie" and v.startswith("moelink_dash="):
            value = v.split(";", 1)[0].split("=", 1)[1]
            attrs = [a.strip() for a in v.split(";")[1:]]
            return value, attrs
    return None, []


class FirstRunTest(harness.TestCase):
    """An empty database: the server makes a project, prints its key and a
    one-time sign-in link once, and the dashboard works with them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = harness.Server(cls.tmp)
        cls.log = cls.server.p.logtext()

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        super().tearDownClass()
        assert rc == 0, rc

    def key(self):
        return re.search(r"^\s+(mlk_[A-Za-z0-9_-]+)$", self.log, re.M).group(1)

    def signin_link(self):
        return re.search(r"^\s+(http://\S+/dashboard/signin\?token=mds_\S+)$",
                         self.log, re.M).group(1)

    def test_first_run_prints_key_link_and_dashboard(self):
        self.assertIn('created project "default"', self.log)
        self.assertRegex(self.log, r"serving on http://127\.0\.0\.1:%d "
                         r"\(dashboard: http://127\.0\.0\.1:%d/dashboard\)"
                         % (self.server.port, self.server.port))
        st, _, body = self.server.request(
            "GET", "/accounts", headers={"Authorization": "Bearer " + self.key()})
        self.assertEqual((st, body["total"]), (200, 0))
        # The key file was generated with owner-only permissions.
        mode = os.stat(os.path.join(self.tmp, "var", "master.key")).st_mode
        self.assertEqual(mode & 0o077, 0)

    def test_password_signin_before_a_password_is_set(self):
        st, _, body = self.server.request(
            "POST", "/dashboard/api/signin", body={"password": "anything at all"})
        self.assertEqual((st, body["error"]["code"]), (401, "no_admin_password"))
        self.assertIn("moelink admin password", body["error"]["message"])

    def test_restart_does_not_make_another_project(self):
        self.server.stop()
        self.server.start()
        log = self.server.p.logtext()
        self.assertEqual(log.count('created project "default"'), 1)
        self.assertEqual(len(re.findall(r"mlk_", log)), 1)
        st, _, _ = self.server.request(
            "GET", "/accounts", headers={"Authorization": "Bearer " + self.key()})
        self.assertEqual(st, 200)

    def test_one_time_signin_link(self):
        path = urllib.parse.urlsplit(self.signin_link())
        target = path.path + "?" + path.query
        st, resp, _ = raw_get(self.server.port, target)
        self.assertEqual(st, 303)
        self.assertEqual(resp.getheader("Location"), "/dashboard")
        token, attrs = cookie_of(resp)
        self.assertTrue(token)
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Strict", attrs)
        self.assertIn("Path=/", attrs)
        # Used once: the second visit signs nobody in.
        st, resp, _ = raw_get(self.server.port, target)
        self.assertEqual((st, resp.getheader("Location")),
                         (303, "/dashboard#signin=used"))
        self.assertEqual(cookie_of(resp)[0], None)
        # The session it started is an admin session on the default project.
        st, _, me = self.server.request(
            "GET", "/dashboard/api/me", headers={"Cookie": "moelink_dash=" + token})
        self.assertEqual((st, me["subject"], me["project_name"]),
                         (200, "admin", "default"))
        self.assertEqual([p["name"] for p in me["projects"]], ["default"])


class DashboardTest(LinkCase):

    def signin(self, body, content_type="application/json"):
        conn = http.client.HTTPConnection("127.0.0.1", self.env.server.port,
                                          timeout=30)
        data = json.dumps(body) if content_type == "application/json" else \
            urllib.parse.urlencode(body)
        conn.request("POST", "/dashboard/api/signin", body=data,
                     headers={"Content-Type": content_type})
        r = conn.getresponse()
        payload = json.loads(r.read() or b"null")
        conn.close()
        return r.status, cookie_of(r)[0], payload

    def cookie(self, token, csrf=None):
        h = {"Cookie": "moelink_dash=" + token}
        if csrf:
            h["X-CSRF-Token"] = csrf
        return h

    def test_api_key_signin_cookie_and_csrf(self):
        st, token, _ = self.signin({"api_key": self.env.key})
        self.assertEqual(st, 200)
        st, _, me = self.env.request("GET", "/dashboard/api/me", key=False,
                                     headers=self.cookie(token))
        self.assertEqual((st, me["project_name"], me["subject"]),
                         (200, "alpha", "api_key"))
        self.assertNotIn("projects", me)
        csrf = me["csrf_token"]
        # Reading with the cookie works without the CSRF token...
        st, _, body = self.env.request("GET", "/accounts", key=False,
                                       headers=self.cookie(token))
        self.assertEqual(st, 200, body)
        # ...changing anything needs it.
        session = {"origin_owner_id": "d", "origin_owner_name": "D"}
        st, _, body = self.env.request("POST", "/connect_sessions",
                                       body=session, key=False,
                                       headers=self.cookie(token))
        self.assertEqual((st, body["error"]["code"]), (401, "csrf_failed"))
        st, _, body = self.env.request("POST", "/connect_sessions",
                                       body=session, key=False,
                                       headers=self.cookie(token, "x" * 43))
        self.assertEqual((st, body["error"]["code"]), (401, "csrf_failed"))
        st, _, cs = self.env.request("POST", "/connect_sessions", body=session,
                                     key=False, headers=self.cookie(token, csrf))
        self.assertEqual(st, 201, cs)
        self.assertEqual(cs["project_id"], me["project_id"])
        # Signing out ends the session.
        st, _, _ = self.env.request("POST", "/dashboard/api/signout",
                                    key=False, headers=self.cookie(token, csrf))
        self.assertEqual(st, 200)
        st, _, body = self.env.request("GET", "/accounts", key=False,
                                       headers=self.cookie(token))
        self.assertEqual((st, body["error"]["code"]), (401, "session_expired"))

    def test_signin_refusals(self):
        st, token, body = self.signin({"api_key": "mlk_wrong"})
        self.assertEqual((st, token, body["error"]["code"]),
                         (401, None, "invalid_credentials"))
        # A cross-site form cannot sign a browser in.
        st, token, body = self.signin({"api_key": self.env.key},
                                      "application/x-www-form-urlencoded")
        self.assertEqual((st, token), (415, None))

    def test_admin_password_signin_sees_every_project(self):
        rc, out, err = harness.run_cli(
            ["admin", "password", "--db", "sqlite://" + self.env.db_path],
            cwd=self.tmp, input_data="correct horse battery\n")
        self.assertEqual(rc, 0, (out, err))
        st, token, _ = self.signin({"password": "wrong password!!"})
        self.assertEqual((st, token), (401, None))
        st, token, _ = self.signin({"password": "correct horse battery"})
        self.assertEqual(st, 200)
        st, _, me = self.env.request("GET", "/dashboard/api/me", key=False,
                                     headers=self.cookie(token))
        names = sorted(p["name"] for p in me["projects"])
        self.assertEqual(names, ["alpha", "beta"])
        beta = [p["id"] for p in me["projects"] if p["name"] == "beta"][0]
        h = self.cookie(token, me["csrf_token"])
        h["X-Moelink-Project"] = beta
        st, _, cs = self.env.request("POST", "/connect_sessions", key=False,
                                     headers=h, body={"origin_owner_id": "b",
                                                      "origin_owner_name": "B"})
        self.assertEqual((st, cs["project_id"]), (201, beta))

    def test_pages_and_headers(self):
        st, resp, html = raw_get(self.env.server.port, "/dashboard")
        self.assertEqual(st, 200)
        csp = resp.getheader("Content-Security-Policy")
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertEqual(resp.getheader("X-Frame-Options"), "DENY")
        self.assertNotRegex(html.decode(), r"<script(?![^>]*\bsrc=)")
        self.assertNotRegex(html.decode(), r"\son[a-z]+=")
        st, resp, _ = raw_get(self.env.server.port, "/")
        self.assertEqual((st, resp.getheader("Location")), (302, "/dashboard"))

    def test_assets_have_etags(self):
        st, resp, js = raw_get(self.env.server.port, "/hub.js")
        self.assertEqual(st, 200)
        self.assertTrue(resp.getheader("Content-Type").startswith(
            "text/javascript"))
        self.assertIn(b"MoelinkHub", js)
        etag = resp.getheader("ETag")
        st, resp, body = raw_get(self.env.server.port, "/hub.js",
                                 {"If-None-Match": etag})
        self.assertEqual((st, body), (304, b""))
        for name in ("hub.css", "hub-page.js", "dashboard.js", "app.css"):
            st, _, _ = raw_get(self.env.server.port, "/assets/" + name)
            self.assertEqual(st, 200, name)
        st, _, _ = raw_get(self.env.server.port, "/assets/hub.html")
        self.assertEqual(st, 404)
        st, _, _ = raw_get(self.env.server.port, "/assets/../server.c")
        self.assertEqual(st, 404)

    def test_frame_origins_setting(self):
        st, _, body = self.env.request("PUT", "/dashboard/api/settings",
                                       body={"hub_frame_origins":
                                             "https://app.example.com "
                                             "http://localhost:3000"})
        self.assertEqual(st, 200, body)
        cs = self.env.session()
        st, hd, html, _ = self.env.hub_page(cs["token"])
        self.assertIn("frame-ancestors 'self' https://app.example.com "
                      "http://localhost:3000", hd["content-security-policy"])
        self.assertIn('content="https://app.example.com http://localhost:3000"',
                      html)
        # Another project's pages are not affected.
        cs_b = self.env.session(key=self.env.key_b)
        _, hd, _, _ = self.env.hub_page(cs_b["token"])
        self.assertNotIn("app.example.com", hd["content-security-policy"])
        for bad in ("https://app.example.com/path", "javascript:alert(1)",
                    "https://x.com'; script-src *", "*"):
            st, _, body = self.env.request("PUT", "/dashboard/api/settings",
                                           body={"hub_frame_origins": bad})
            self.assertEqual((st, body["error"]["code"]),
                             (400, "invalid_origin"), bad)
        self.env.request("PUT", "/dashboard/api/settings",
                         body={"hub_frame_origins": ""})


class ShutdownTest(harness.TestCase):

    def test_sigterm_finishes_a_link_in_flight(self):
        env = LinkEnv(self.tmp)
        try:
            st, _ = env.sim.admin("POST", "/_sim/faults", {
                "family": "data",
                "path_prefix": "/v1/integrations/authentication",
                "latency_ms": 1500, "count": 1})
            self.assertEqual(st, 201)
            cs = env.session()
            csrf = env.hub_page(cs["token"])[3]
            result = {}

            def link():
                result["res"] = env.hub_link(cs["token"], {
                    "workspace_id": "WS_US01", "data_center": "01",
                    "data_key": "data-key-us01-secret"}, csrf=csrf)

            t = threading.Thread(target=link)
            t.start()
            # Wait until MoEngage (the sim) holds the check: the link is
            # now in flight inside the server.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                reqs = env.sim.requests()["requests"]
                if any(r["path"] == "/v1/integrations/authentication"
                       for r in reqs):
                    break
                time.sleep(0.02)  # progress polling, not timing a result
            rc = env.server.stop(signal.SIGTERM)
            t.join(30)
            self.assertEqual(rc, 0)
            self.assertEqual(result["res"][0], 201, result["res"])
            with open(env.server.p.log_path) as f:
                log = f.read()
            self.assertIn("SIGTERM: shutting down", log)
            self.assertIn('msg="stopped"', log)
            # It was stored before the server stopped.
            env.server.start()
            self.assertEqual(env.accounts()["total"], 1)
        finally:
            env.stop()

    def test_lost_master_key_is_a_clear_error(self):
        workdir = os.path.join(self.tmp, "lost-key")
        os.makedirs(workdir)
        env = LinkEnv(workdir)
        try:
            _, res = env.link_us()
            env.server.stop()
            # The key file is gone and another master key is configured.
            os.rename(os.path.join(workdir, "var", "master.key"),
                      os.path.join(workdir, "master.key.moved"))
            env.server.env["MOELINK_MASTER_KEY"] = \
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
            env.server.start()
            st, _, body = env.request("POST",
                                      "/accounts/%s/verify" % res["account_id"])
            self.assertEqual((st, body["error"]["code"]),
                             (500, "credentials_unreadable"))
            self.assertIn("is that key loaded", body["error"]["message"])
            # Nothing else broke: the account is still listed.
            self.assertEqual(env.accounts()["total"], 1)
        finally:
            env.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
