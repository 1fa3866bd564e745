# SPDX-License-Identifier: MIT
"""The delivery commands of the CLI against a running server:
`moelink accounts write-key ID` (the key printed once, accepted by the
Segment API) and `moelink deadletters list|replay` (MoEngage's reason on
each line, paging, replay by id and by account, delivered after the fix)."""
import unittest

import harness
from test_deliver import DeliverCase, user, wait_for
from test_segment import basic_key


class DeliverCliTest(DeliverCase):

    def cli(self, *args):
        return harness.run_cli(list(args), env={
            "MOELINK_SERVER": self.env.server.base,
            "MOELINK_API_KEY": self.env.key})

    def setUp(self):
        self.env.sim.admin("DELETE", "/_sim/faults")
        self.env.sim.reset()
        wait_for("an empty outbox", lambda: self.env.queued() == 0)

    def test_write_key_is_printed_once_and_opens_the_segment_api(self):
        acc = self.env.accounts[0]
        rc, out, err = self.cli("accounts", "write-key", acc)
        self.assertEqual(rc, 0, err)
        fields = dict(line.split("\t", 1) for line in out.splitlines())
        key = fields["write_key"]
        self.assertTrue(key.startswith("mlw_"), out)
        self.assertTrue(key.startswith(fields["prefix"]))
        self.assertIn("shown ONCE", err)
        # The key works as Segment's Basic-auth username ...
        st, _, body = self.env.server.request(
            "POST", "/v1/identify", body={"userId": "cli-wk",
                                          "traits": {"plan": "pro"}},
            headers={"Authorization": basic_key(key)})
        self.assertEqual(st, 200, body)
        wait_for("the identified user", lambda: self.env.sim_ws()["users"] >= 1)
        # ... and is never shown again: the list has its id and prefix only.
        st, _, body = self.env.server.request(
            "GET", "/accounts/%s/write_keys" % acc, headers=self.env.auth())
        self.assertEqual(st, 200)
        mine = [k for k in body["data"] if k["id"] == fields["key_id"]]
        self.assertEqual(len(mine), 1)
        self.assertNotIn(key, repr(body))
        # A second key is a new key.
        rc, out2, _ = self.cli("accounts", "write-key", acc)
        self.assertEqual(rc, 0)
        self.assertNotIn(key, out2)

    def test_write_key_for_an_unknown_account_fails(self):
        rc, out, err = self.cli("accounts", "write-key", "acc_nope")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertIn('"not_found"', err)
        rc, _, _ = self.cli("accounts", "write-key")
        self.assertEqual(rc, 2)

    def test_deadletters_list_and_replay(self):
        msg = "attribute plan\tis not allowed"
        self.env.refuse_bulk(message=msg, request_id="cli-dl",
                             err_type="InvalidAttributeError")
        cids = ["cli-dead-%d" % i for i in range(3)]
        st, _, body = self.env.post_events([user(c) for c in cids])
        self.assertEqual(st, 202, body)
        wait_for("3 dead letters", lambda: self.env.stats()[
            self.env.accounts[0]]["dead_letters"] == 3, 90)
        self.env.sim.admin("DELETE", "/_sim/faults")

        rc, out, err = self.cli("deadletters", "list")
        self.assertEqual(rc, 0, err)
        rows = [line.split("\t") for line in out.splitlines()]
        self.assertEqual(sorted(r[3] for r in rows), cids)
        for r in rows:
            self.assertEqual(len(r), 6, r)  # the reason's tab is a space
            self.assertEqual(r[1], self.env.accounts[0])
            self.assertEqual(r[2], "customer")
            self.assertIn("attribute plan is not allowed", r[5])
        ids = [int(r[0]) for r in rows]
        self.assertEqual(ids, sorted(ids))

        # Paging: two, then the rest after the second id.
        rc, out, err = self.cli("deadletters", "list", "--limit", "2")
        self.assertEqual([int(line.split("\t")[0])
                          for line in out.splitlines()], ids[:2])
        self.assertIn("(more: --after %d)" % ids[1], err)
        rc, out, _ = self.cli("deadletters", "list", "--after", str(ids[1]))
        self.assertEqual([int(line.split("\t")[0])
                          for line in out.splitlines()], ids[2:])

        # Replay needs ids, --account or --all; a bad id is a usage error.
        self.assertEqual(self.cli("deadletters", "replay")[0], 2)
        self.assertEqual(self.cli("deadletters", "replay", "x1")[0], 2)
        self.assertEqual(self.cli("deadletters", "replay", str(ids[0]),
                                  "--all")[0], 2)

        rc, out, err = self.cli("deadletters", "replay", str(ids[0]))
        self.assertEqual((rc, out), (0, "replayed\t1\n"), err)
        wait_for("the replayed user", lambda: self.env.sim_ws()["users"] >= 1)
        rc, out, err = self.cli("deadletters", "replay", "--account",
                                self.env.accounts[0])
        self.assertEqual((rc, out), (0, "replayed\t2\n"), err)
        wait_for("all three users", lambda: self.env.sim_ws()["users"] >= 3)
        self.assertEqual(self.env.sim_ws()["users"], 3)
        rc, out, _ = self.cli("deadletters", "list")
        self.assertEqual((rc, out), (0, ""))
        rc, out, _ = self.cli("deadletters", "replay", "--all")
        self.assertEqual((rc, out), (0, "replayed\t0\n"))

    def test_deadletters_needs_an_api_key(self):
        rc, _, err = harness.run_cli(["deadletters", "list"], env={
            "MOELINK_SERVER": self.env.server.base, "MOELINK_API_KEY": ""})
        self.assertEqual(rc, 2)
        self.assertIn("MOELINK_API_KEY", err)


if __name__ == "__main__":
    unittest.main()
