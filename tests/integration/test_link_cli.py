# SPDX-License-Identifier: MIT
"""`moelink link` and `moelink accounts list|show|verify|delete` against a
running server: the terminal way to do what the Hub and dashboard do."""
import json
import unittest

import harness
from test_link import LinkCase


class LinkCliTest(LinkCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cli_env = {"MOELINK_SERVER": cls.env.server.base,
                       "MOELINK_API_KEY": cls.env.key}

    def cli(self, *args, env=None):
        e = dict(self.cli_env)
        e.update(env or {})
        return harness.run_cli(list(args), env=e, cwd=self.tmp)

    def test_link_then_manage_from_the_terminal(self):
        rc, out, err = self.cli("link", "--workspace-id", "WS_EU02",
                                "--data-center", "02", "--owner-id", "c-9",
                                env={"MOELINK_DATA_KEY":
                                     "multi-key-eu02-secret"})
        self.assertEqual(rc, 0, err)
        acc = json.loads(out)
        self.assertEqual((acc["workspace_id"], acc["label"], acc["status"],
                          acc["origin_owner_id"]),
                         ("WS_EU02", "Acme EU", "active", "c-9"))
        self.assertNotIn("multi-key-eu02-secret", out + err)

        rc, out, err = self.cli("accounts", "list")
        self.assertEqual(rc, 0, err)
        line = [l for l in out.splitlines() if l.startswith(acc["id"])]
        self.assertEqual(line, ["%s\tactive\t02\tWS_EU02\tAcme EU" % acc["id"]])
        rc, out, _ = self.cli("accounts", "list", "--owner", "someone-else")
        self.assertEqual((rc, out), (0, ""))

        rc, out, err = self.cli("accounts", "show", acc["id"])
        self.assertEqual((rc, json.loads(out)["id"]), (0, acc["id"]))

        rc, out, err = self.cli("accounts", "verify", acc["id"])
        self.assertEqual((rc, json.loads(out)["status"]), (0, "active"))

        rc, out, err = self.cli("accounts", "delete", acc["id"])
        self.assertEqual((rc, out.strip()), (0, "deleted " + acc["id"]))
        rc, out, err = self.cli("accounts", "show", acc["id"])
        self.assertEqual(rc, 1)
        self.assertEqual(json.loads(err)["error"]["code"], "account_not_found")

    def test_refused_link_names_the_field(self):
        rc, out, err = self.cli("link", "--workspace-id", "WS_US01",
                                "--data-center", "01", "--data-key", "nope")
        self.assertEqual((rc, out), (1, ""))
        e = json.loads(err)["error"]
        self.assertEqual((e["code"], e["field"]), ("invalid_api_key",
                                                   "data_key"))
        rc, out, err = self.cli("link", "--workspace-id", "WS_US01",
                                "--data-center", "7", "--data-key", "nope")
        self.assertEqual(rc, 1)
        self.assertEqual(json.loads(err)["error"]["field"], "data_center")

    def test_usage_and_connection_errors(self):
        rc, _, err = self.cli("accounts", "list", env={"MOELINK_API_KEY": ""})
        self.assertEqual(rc, 2)
        self.assertIn("MOELINK_API_KEY", err)
        rc, _, _ = self.cli("accounts", "frobnicate", "x")
        self.assertEqual(rc, 2)
        rc, _, _ = self.cli("link", "--workspace-id", "WS_US01")
        self.assertEqual(rc, 2)
        rc, _, err = self.cli("accounts", "list",
                              env={"MOELINK_API_KEY": "mlk_wrong"})
        self.assertEqual(rc, 1)
        self.assertEqual(json.loads(err)["error"]["code"], "invalid_api_key")
        rc, _, err = self.cli("accounts", "list", "--server",
                              "http://127.0.0.1:1")
        self.assertEqual(rc, 1)
        self.assertEqual(json.loads(err)["error"]["code"],
                         "server_unreachable")


if __name__ == "__main__":
    unittest.main(verbosity=2)
