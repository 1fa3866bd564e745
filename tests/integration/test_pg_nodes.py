# SPDX-License-Identifier: MIT
"""Two `moelink serve` nodes on one PostgreSQL database (MOELINK_TEST_PG_URL,
from scripts/pg-test) deliver to one simulator: events accepted by either
node arrive exactly once, in the order they were accepted, and an account
linked on one node is usable on the other. Skipped without the variable.
"""
import base64
import os
import unittest

import harness
from test_deliver import FAST_ENV, FAST_LIMITS, event, wait_for, workspaces

PG_URL = os.environ.get("MOELINK_TEST_PG_URL", "")


@unittest.skipUnless(PG_URL, "needs MOELINK_TEST_PG_URL (scripts/pg-test)")
class PgNodesTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ws = workspaces(1, FAST_LIMITS)
        cls.sim = harness.Sim(cls.tmp, workspaces=cls.ws,
                              tls=harness.TLS(cls.tmp))
        cls.nodes = []
        rc, out, err = harness.run_cli(["projects", "create", "nodes",
                                        "--db", PG_URL], cwd=cls.tmp)
        assert rc == 0, (out, err)
        fields = dict(line.split("\t", 1) for line in out.splitlines()
                      if "\t" in line)
        cls.key = fields["api_key"]
        # One master key for both: either node opens what the other sealed.
        env = dict(FAST_ENV)
        env["MOELINK_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
        for name in ("a", "b"):
            workdir = os.path.join(cls.tmp, name)
            os.mkdir(workdir)
            cls.nodes.append(harness.Server(workdir, sim=cls.sim, env=env,
                                            extra=["--db", PG_URL]))
        ws = cls.ws[0]
        st, _, body = cls.nodes[0].request("POST", "/accounts", body={
            "origin_owner_id": "owner-1", "origin_owner_name": "Owner",
            "workspace_id": ws["workspace_id"],
            "data_center": ws["data_center"],
            "data_key": ws["keys"]["data"],
            "general_key": ws["keys"]["general"]}, headers=cls.auth())
        assert st in (200, 201), (st, body)
        cls.account = body["id"]

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes:
            n.stop()
        cls.sim.stop()
        super().tearDownClass()

    @classmethod
    def auth(cls, account=None):
        h = {"Authorization": "Bearer " + cls.key}
        if account:
            h["x-account-id"] = account
        return h

    def sim_events(self):
        _, evs = self.sim.admin("GET", "/_sim/events/%s?limit=5000" %
                                self.ws[0]["workspace_id"])
        return evs["events"]

    def test_account_linked_on_one_node_is_seen_by_the_other(self):
        st, _, body = self.nodes[1].request(
            "GET", "/accounts/" + self.account, headers=self.auth())
        self.assertEqual(st, 200, body)
        self.assertEqual(body["id"], self.account)

    def test_both_nodes_deliver_each_event_once_in_accepted_order(self):
        self.sim.reset()
        total = 0
        # Alternate nodes; each 202 means committed, so seq is global order.
        for batch in range(20):
            els = [event("pg-order", "Step", seq=batch * 25 + i)
                   for i in range(25)]
            node = self.nodes[batch % 2]
            st, _, body = node.request("POST", "/events", body=els,
                                       headers=self.auth(self.account))
            self.assertEqual(st, 202, body)
            total += len(els)
        wait_for("%d events at the sim" % total,
                 lambda: len(self.sim_events()) >= total)

        def drained():
            for n in self.nodes:
                st, _, body = n.request("GET", "/events/stats",
                                        headers=self.auth())
                if st != 200 or any(s["queued"] for s in body["data"]):
                    return None
            return body
        stats = wait_for("an empty outbox", drained)
        seqs = [e["attributes"]["seq"] for e in self.sim_events()
                if e.get("customer_id") == "pg-order"]
        self.assertEqual(seqs, list(range(total)))
        # The counters are shared: either node reports every delivery.
        acc = [s for s in stats["data"] if s["account_id"] == self.account]
        self.assertEqual(acc[0]["delivered"], total)


if __name__ == "__main__":
    unittest.main()
