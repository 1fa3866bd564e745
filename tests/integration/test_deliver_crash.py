# SPDX-License-Identifier: MIT
"""kill -9 of `moelink serve` while the outbox is being delivered, then a
restart: the simulator ends up with every element (counted by id), and
duplicates stay within one batch per crash.

20,000 elements (10,000 users, 10,000 events each for its own user id) so
the simulator's distinct-user count is a count by id of everything that
arrived; its event total shows the duplicates. A latency fault and a small
batch size keep delivery going long enough to be killed mid-way.
"""
import json
import signal
import unittest

import harness
from test_deliver import FAST_ENV, FAST_LIMITS, DeliverEnv, event, user, wait_for

N = 10000
BATCH_BYTES = 16384


class DeliverCrashTest(harness.TestCase):

    def test_kill_9_while_delivering_loses_nothing(self):
        env_vars = dict(FAST_ENV, MOELINK_DELIVER_BATCH_BYTES=str(BATCH_BYTES))
        env = DeliverEnv(self.tmp, limits=FAST_LIMITS, env=env_vars)
        try:
            self._run(env)
        finally:
            env.stop()

    def _run(self, env):
        env.sim.admin("POST", "/_sim/faults", {
            "family": "data", "path_prefix": "/v1/transition",
            "latency_ms": 40, "count": 0})
        els = [user("cu-%d" % i, n=i) for i in range(N)]
        els += [event("ev-%d" % i, "Crashed", n=i) for i in range(N)]
        for i in range(0, len(els), 5000):
            st, _, body = env.post_events(els[i:i + 5000])
            self.assertEqual(st, 202, body)
            self.assertEqual(body["accepted"], 5000)
        # Everything is committed. Kill the server mid-delivery.
        wait_for("delivery under way", lambda: env.sim_ws()["users"] >= 2000)
        before = env.sim_ws()
        env.server.stop(signal.SIGKILL)
        self.assertLess(before["users"], 2 * N,
                        "delivery finished before the kill")
        env.server.start()
        ws = wait_for("every element", lambda: (
            lambda w: w if w["users"] >= 2 * N and w["events"] >= N
            else None)(env.sim_ws()), 240)
        wait_for("an empty outbox", lambda: env.queued() == 0)
        # Count by id: every user id and every event's user id arrived.
        self.assertEqual(ws["users"], 2 * N)
        # Duplicates: at most one batch (the one in flight at the kill).
        smallest = len(json.dumps(event("ev-0", "Crashed", n=0),
                                  separators=(",", ":")))
        per_batch = BATCH_BYTES // smallest
        dups = env.sim_ws()["events"] - N
        self.assertGreaterEqual(dups, 0)
        self.assertLessEqual(dups, per_batch)
        stats = env.stats()[env.accounts[0]]
        self.assertEqual(stats["dead_letters"], 0)


if __name__ == "__main__":
    unittest.main()
