# SPDX-License-Identifier: MIT
"""The server's account cache (src/server/acache.c) and API-key cache never
hide a write (and, last, GET /accounts paged by cursor): an account changed or deleted through the server is seen by
the very next request, GET and /actions/rpc alike, however often it was
read before; a project's account is never answered to another project; an
API key revoked by another process (`moelink projects keys revoke`) stops
working within the cache's 1 s bound.

Each test first reads the account several times, so that what follows the
write would come from the cache if the write did not void it.
"""
import time
import unittest

import harness
import test_link

TRACK = {"action": "moengage_track_user",
         "body": {"type": "customer", "customer_id": "u1"}}


class AccountCacheTest(test_link.LinkCase):

    def get(self, acc, key=None):
        return self.env.request("GET", "/accounts/" + acc, key=key)

    def rpc(self, acc):
        return self.env.request("POST", "/actions/rpc", body=TRACK,
                                headers={"x-account-id": acc})

    def warm(self, acc, calls=True):
        for _ in range(3):
            st, _, a = self.get(acc)
            self.assertEqual(st, 200, a)
            if calls:
                st, _, out = self.rpc(acc)
                self.assertEqual(st, 200, out)
        return a

    def test_patched_label_and_metadata_are_seen_by_the_next_get(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        before = self.warm(acc)
        st, _, p = self.env.request("PATCH", "/accounts/" + acc, body={
            "label": before["label"] + " renamed", "metadata": {"n": 1}})
        self.assertEqual(st, 200, p)
        st, _, a = self.get(acc)
        self.assertEqual((st, a["label"], a["metadata"]),
                         (200, before["label"] + " renamed", {"n": 1}))
        st, _, p = self.env.request("PATCH", "/accounts/" + acc,
                                    body={"label": "third"})
        self.assertEqual(self.get(acc)[2]["label"], "third")

    def test_new_credentials_are_used_by_the_next_call(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        self.warm(acc)
        # Another workspace altogether: another host, path and key.
        st, _, p = self.env.request("PATCH", "/accounts/" + acc, body={
            "credentials": {"workspace_id": "WS_IN03", "data_center": "03",
                            "data_key": "data-key-in03-secret",
                            "general_key": "gen-key-in03-secret"}})
        self.assertEqual((st, p.get("workspace_id")), (200, "WS_IN03"), p)
        self.env.sim.reset()
        st, _, out = self.rpc(acc)
        self.assertEqual(st, 200, out)
        reqs = self.env.sim.requests()["requests"]
        self.assertEqual([(r["host"], r["path"]) for r in reqs],
                         [("api-03.moengage.com", "/v1/customer/WS_IN03")])
        st, _, a = self.get(acc)
        self.assertEqual((a["workspace_id"], a["data_center"]),
                         ("WS_IN03", "03"))

    def test_deleted_account_is_gone_for_the_next_request(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        self.warm(acc)
        st, _, _ = self.env.request("DELETE", "/accounts/" + acc)
        self.assertEqual(st, 200)
        self.env.sim.reset()
        st, _, out = self.get(acc)
        self.assertEqual((st, out["error"]["code"]),
                         (404, "account_not_found"))
        st, _, out = self.rpc(acc)
        self.assertEqual((st, out["error"]["code"]),
                         (404, "account_not_found"))
        # Nothing was sent with the deleted account's keys.
        self.assertEqual(self.env.sim.requests()["requests"], [])

    def test_verify_result_is_seen_by_the_next_get(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        self.assertEqual(self.warm(acc, calls=False)["status"], "active")
        st, _ = self.env.sim.admin("POST", "/_sim/faults", {
            "family": "data",
            "path_prefix": "/v1/integrations/authentication",
            "status": 401, "count": 1, "body": harness.moe_fail(
                "App Secret key mismatch.", "Authentication required",
                "ABCDEFGH")})
        self.assertIn(st, (200, 201))
        st, _, v = self.env.request("POST", "/accounts/%s/verify" % acc)
        self.assertEqual((st, v["status"]), (200, "error"), v)
        self.assertEqual(self.get(acc)[2]["status"], "error")

    def test_cached_account_is_not_shown_to_another_project(self):
        _, res = self.env.link_us()
        acc = res["account_id"]
        self.warm(acc)
        st, _, out = self.get(acc, key=self.env.key_b)
        self.assertEqual((st, out["error"]["code"]),
                         (404, "account_not_found"))
        st, _, out = self.env.request(
            "POST", "/actions/rpc", body=TRACK, key=self.env.key_b,
            headers={"x-account-id": acc})
        self.assertEqual(st, 404, out)

    def test_key_revoked_by_another_process_stops_within_the_bound(self):
        db = "sqlite://" + self.env.db_path
        rc, out, err = harness.run_cli(["projects", "create", "gamma",
                                        "--db", db], cwd=self.tmp)
        self.assertEqual(rc, 0, err)
        f = dict(l.split("\t", 1) for l in out.splitlines() if "\t" in l)
        for _ in range(3):
            self.assertEqual(self.env.request("GET", "/accounts",
                                              key=f["api_key"])[0], 200)
        rc, out, err = harness.run_cli(["projects", "keys", "revoke",
                                        f["project_id"], f["key_id"],
                                        "--db", db], cwd=self.tmp)
        self.assertEqual(rc, 0, err)
        # Another process: the server learns it when its 1 s entry ends.
        # Wait for the refusal (bounded far above 1 s for a loaded box).
        deadline = time.monotonic() + 20
        st = 200
        while st == 200 and time.monotonic() < deadline:
            st, _, body = self.env.request("GET", "/accounts",
                                           key=f["api_key"])
            if st == 200:
                time.sleep(0.05)  # polling for the refusal, not timing it
        self.assertEqual(st, 401, body)
        self.assertEqual(body["error"]["code"], "invalid_api_key")


class AccountListTest(test_link.LinkCase):
    """GET /accounts by cursor: every account once, in order, at the cost of
    one page; the CLI follows the same cursor."""

    def test_cursor_walk_and_cli(self):
        ids = [self.env.link_us(origin_owner_id="pager")[1]["account_id"]
               for _ in range(5)]
        q = "?origin_owner_id=pager&page_size=2"
        first = self.env.accounts(query=q)
        self.assertEqual((first["total"], first["total_capped"],
                          first["next_page"]), (5, False, 2))
        seen, body = [], first
        while True:
            seen += [a["id"] for a in body["data"]]
            if body["next_cursor"] is None:
                break
            body = self.env.accounts(query=q + "&cursor=" +
                                     body["next_cursor"])
            self.assertIsNone(body["next_page"])
        # The same pages by number; every account exactly once.
        byno = [a["id"] for n in (1, 2, 3) for a in self.env.accounts(
            query=q + "&page=%d" % n)["data"]]
        self.assertEqual(seen, byno)
        self.assertEqual(sorted(seen), sorted(ids))
        st, _, err = self.env.request("GET", "/accounts" + q + "&page=2&"
                                      "cursor=" + first["next_cursor"])
        self.assertEqual((st, err["error"]["field"]), (400, "page"))
        st, _, err = self.env.request("GET", "/accounts?cursor=nope")
        self.assertEqual((st, err["error"]["field"]), (400, "cursor"))
        self.assertEqual(self.env.accounts(query=q + "&total=exact")["total"],
                         5)
        env = {"MOELINK_SERVER": self.env.server.base,
               "MOELINK_API_KEY": self.env.key}
        rc, out, err = harness.run_cli(
            ["accounts", "list", "--owner", "pager", "--page-size", "2",
             "--cursor", first["next_cursor"]], env=env, cwd=self.tmp)
        self.assertEqual(rc, 0, err)
        self.assertEqual([l.split("\t")[0] for l in out.splitlines()],
                         byno[2:4])
        self.assertIn("(more: --cursor %s)" % body_cursor(self.env, q),
                      err)


def body_cursor(env, q):
    """The cursor after the second page of q."""
    first = env.accounts(query=q)
    return env.accounts(query=q + "&cursor=" +
                        first["next_cursor"])["next_cursor"]


if __name__ == "__main__":
    unittest.main()
