# SPDX-License-Identifier: MIT
"""PostgreSQL outbox, several nodes: rows accepted by a node that died
before it could deliver them are delivered by a node that was never told
about them, through its periodic rescan (MOELINK_DELIVER_RESCAN_S).
Skipped without MOELINK_TEST_PG_URL (scripts/pg-test provides one).
"""
import base64
import os
import signal
import socket
import unittest

import harness
from test_deliver import FAST_ENV, FAST_LIMITS, event, wait_for, workspaces

PG_URL = os.environ.get("MOELINK_TEST_PG_URL", "")


def closed_port():
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@unittest.skipUnless(PG_URL, "needs MOELINK_TEST_PG_URL (scripts/pg-test)")
class PgRescanTest(harness.TestCase):

    def test_rows_of_a_dead_node_are_delivered_by_a_survivor(self):
        ws = workspaces(1, FAST_LIMITS)
        sim = harness.Sim(self.tmp, workspaces=ws, tls=harness.TLS(self.tmp))
        self.addCleanup(sim.stop)
        rc, out, err = harness.run_cli(["projects", "create", "rescan",
                                        "--db", PG_URL], cwd=self.tmp)
        self.assertEqual(rc, 0, (out, err))
        fields = dict(line.split("\t", 1) for line in out.splitlines()
                      if "\t" in line)
        auth = {"Authorization": "Bearer " + fields["api_key"]}
        env = dict(FAST_ENV)
        env["MOELINK_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
        env["MOELINK_DELIVER_RESCAN_S"] = "1"
        env["MOELINK_DELIVER_BACKOFF_BASE_MS"] = "50"

        def node(name, extra_env):
            workdir = os.path.join(self.tmp, name)
            os.mkdir(workdir)
            e = dict(env)
            e.update(extra_env)
            n = harness.Server(workdir, sim=sim, env=e,
                               extra=["--db", PG_URL])
            self.addCleanup(n.stop)
            return n

        # The survivor starts first: its start-up scan finds nothing.
        survivor = node("survivor", {})
        # The doomed node cannot reach MoEngage: its rows stay queued.
        doomed = node("doomed", {"MOELINK_MOENGAGE_CONNECT_TO":
                                 "127.0.0.1:%d" % closed_port()})
        w = ws[0]
        st, _, body = survivor.request("POST", "/accounts", body={
            "origin_owner_id": "owner-rescan", "origin_owner_name": "Owner",
            "workspace_id": w["workspace_id"],
            "data_center": w["data_center"], "data_key": w["keys"]["data"],
            "general_key": w["keys"]["general"]}, headers=auth)
        self.assertIn(st, (200, 201), body)
        account = body["id"]
        els = [event("pg-orphan", "Step", seq=i) for i in range(30)]
        h = dict(auth)
        h["x-account-id"] = account
        st, _, body = doomed.request("POST", "/events", body=els, headers=h)
        self.assertEqual(st, 202, body)
        doomed.stop(signal.SIGKILL)

        def arrived():
            _, evs = sim.admin("GET", "/_sim/events/%s?limit=5000" %
                               w["workspace_id"])
            got = [e["attributes"]["seq"] for e in evs["events"]
                   if e.get("customer_id") == "pg-orphan"]
            return got if len(got) >= len(els) else None
        self.assertEqual(wait_for("the dead node's events at the sim",
                                  arrived), list(range(len(els))))
        st, _, body = survivor.request("GET", "/events/stats", headers=h)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["data"][0]["queued"], 0)


if __name__ == "__main__":
    unittest.main()
