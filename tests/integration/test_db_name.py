# SPDX-License-Identifier: MIT
"""An account's db_name (MOE-DBNAME, needed by MoEngage's file segments):
given when linking (REST, Hub and `moelink link --db-name`), shown in the
account JSON, changed with PATCH, and sent by /actions/rpc and /proxy as the
MOE-DBNAME header of the file-segment calls (checked in the sim's journal,
which hides credentials but not this name)."""
import json
import unittest

import harness
from test_link import LinkCase

KEYS = {"workspace_id": "WS_US01", "data_center": "01",
        "data_key": "data-key-us01-secret",
        "general_key": "gen-key-us01-secret"}
OWNER = {"origin_owner_id": "o-db", "origin_owner_name": "DB Owner"}
FILE_SEGMENT = {"name": "vip-list", "attribute_name": "uid",
                "attribute_type": "string",
                "file_url": "https://files.example.com/vip.csv",
                "expiry_time": 30}


class DbNameTest(LinkCase):

    def setUp(self):
        self.assertEqual(self.env.sim.reset()[0], 200)

    def link(self, **extra):
        st, _, acc = self.env.request("POST", "/accounts",
                                      body=dict(OWNER, **KEYS, **extra))
        self.assertEqual(st, 201, acc)
        return acc

    def file_segment_call(self, account):
        """Create a file segment through /actions/rpc; returns (status,
        answer, the one request the sim received or None)."""
        self.env.sim.reset()
        st, _, out = self.env.request(
            "POST", "/actions/rpc", headers={"x-account-id": account},
            body={"action": "moengage_create_file_segment",
                  "body": FILE_SEGMENT})
        reqs = self.env.sim.requests()["requests"]
        self.assertLessEqual(len(reqs), 1, reqs)
        return st, out, reqs[0] if reqs else None

    def test_linked_db_name_goes_out_as_moe_dbname(self):
        acc = self.link(db_name="acme_prod")
        self.assertEqual(acc["db_name"], "acme_prod")
        self.assertNotIn("db_name", acc["credential_hints"])
        _, out, got = self.file_segment_call(acc["id"])
        self.assertIsNotNone(got, out)
        self.assertEqual((got["method"], got["host"], got["path"]),
                         ("POST", "api-01.moengage.com",
                          "/v2/custom-segments/file-segment"))
        self.assertEqual(got["headers"].get("MOE-DBNAME"), "acme_prod")
        # The journal hides credentials, not the database name.
        self.assertEqual(got["headers"].get("Authorization"),
                         "Basic [redacted]")
        # The same header through the raw proxy.
        self.env.sim.reset()
        st, _, out = self.env.request(
            "POST", "/proxy", headers={"x-account-id": acc["id"]},
            body={"method": "PATCH", "path": "/v2/custom-segments/archive",
                  "body": {"name": "vip-list"}})
        reqs = self.env.sim.requests()["requests"]
        self.assertEqual(len(reqs), 1, (st, out))
        self.assertEqual(reqs[0]["headers"].get("MOE-DBNAME"), "acme_prod")

    def test_without_db_name_file_segments_are_refused_locally(self):
        acc = self.link()
        self.assertEqual(acc["db_name"], "")
        st, out, got = self.file_segment_call(acc["id"])
        self.assertIsNone(got)
        self.assertEqual(st, 400, out)
        self.assertEqual(out["error"]["field"], "db_name")

    def test_patch_sets_keeps_and_clears_db_name(self):
        acc = self.link()
        # db_name alone: no new keys needed, the status stays.
        st, _, out = self.env.request("PATCH", "/accounts/" + acc["id"],
                                      body={"db_name": "acme_eu"})
        self.assertEqual(st, 200, out)
        self.assertEqual((out["db_name"], out["status"]),
                         ("acme_eu", "active"))
        self.assertEqual(out["credential_hints"], acc["credential_hints"])
        self.assertEqual(self.file_segment_call(acc["id"])[2]["headers"]
                         .get("MOE-DBNAME"), "acme_eu")
        # New credentials without db_name keep it.
        st, _, out = self.env.request(
            "PATCH", "/accounts/" + acc["id"],
            body={"credentials": {"data_key": "data-key-us01-secret",
                                  "general_key": "gen-key-us01-secret"}})
        self.assertEqual((st, out["db_name"]), (200, "acme_eu"), out)
        self.assertEqual(self.file_segment_call(acc["id"])[2]["headers"]
                         .get("MOE-DBNAME"), "acme_eu")
        # Inside credentials it replaces it; "" clears it.
        st, _, out = self.env.request(
            "PATCH", "/accounts/" + acc["id"],
            body={"credentials": dict(KEYS, db_name="acme_new")})
        self.assertEqual((st, out["db_name"]), (200, "acme_new"), out)
        st, _, out = self.env.request("PATCH", "/accounts/" + acc["id"],
                                      body={"db_name": ""})
        self.assertEqual((st, out["db_name"]), (200, ""), out)
        self.assertIsNone(self.file_segment_call(acc["id"])[2])

    def test_bad_db_name_is_refused_beside_its_field(self):
        for bad in ("acme prod", "acme\r\nX-Evil: 1", "x" * 200, 7):
            with self.subTest(bad=bad):
                st, _, out = self.env.request(
                    "POST", "/accounts", body=dict(OWNER, **KEYS,
                                                   db_name=bad))
                self.assertEqual(st, 400, out)
                self.assertEqual(out["error"]["field"], "db_name")
        self.assertEqual(self.env.sim.requests()["requests"], [])

    def test_hub_and_cli_take_db_name(self):
        cs = self.env.session()
        st, _, res = self.env.hub_link(cs["token"],
                                       dict(KEYS, db_name="acme_hub"))
        self.assertEqual(st, 201, res)
        st, _, acc = self.env.request("GET",
                                      "/accounts/" + res["account_id"])
        self.assertEqual(acc["db_name"], "acme_hub")
        rc, out, err = harness.run_cli(
            ["link", "--workspace-id", "WS_US01", "--data-center", "01",
             "--db-name", "acme_cli"],
            env={"MOELINK_SERVER": self.env.server.base,
                 "MOELINK_API_KEY": self.env.key,
                 "MOELINK_DATA_KEY": "data-key-us01-secret"},
            cwd=self.tmp)
        self.assertEqual(rc, 0, err)
        acc = json.loads(out)
        self.assertEqual(acc["db_name"], "acme_cli")
        self.assertEqual(self.file_segment_call(acc["id"])[2]["headers"]
                         .get("MOE-DBNAME"), "acme_cli")


if __name__ == "__main__":
    unittest.main()
