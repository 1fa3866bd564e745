# SPDX-License-Identifier: MIT
"""A fault storm from /_sim/faults (5xx, 429 with a reset, latency past the
request timeout, dropped connections): everything arrives, nothing that
could be retried is dead-lettered. And pacing: a backlog above the
workspace's per-minute limit is delivered without a single 429.
"""
import unittest

import harness
from test_deliver import FAST_ENV, FAST_LIMITS, DeliverEnv, event, user, wait_for

STORM = [
    {"status": 500, "count": 3},
    {"status": 503, "count": 2},
    {"status": 429, "count": 2},
    {"latency_ms": 1500, "count": 2},
    {"drop": True, "count": 3},
    {"status": 502, "count": 2},
]


class FaultStormTest(harness.TestCase):

    def test_everything_arrives_through_a_fault_storm(self):
        env_vars = dict(FAST_ENV, MOELINK_DELIVER_BATCH_BYTES="16384",
                        MOELINK_DELIVER_BACKOFF_BASE_MS="50",
                        MOELINK_DELIVER_BACKOFF_MAX_MS="400",
                        MOELINK_DELIVER_TIMEOUT_MS="1000")
        env = DeliverEnv(self.tmp, limits=FAST_LIMITS, env=env_vars)
        try:
            for f in STORM:
                spec = dict(f, family="data", path_prefix="/v1/transition")
                st, body = env.sim.admin("POST", "/_sim/faults", spec)
                self.assertIn(st, (200, 201), body)
            n = 2500
            els = [user("storm-u%d" % i) for i in range(n)]
            els += [event("storm-u%d" % i, "Stormed") for i in range(n)]
            st, _, body = env.post_events(els)
            self.assertEqual(st, 202, body)
            ws = wait_for("everything", lambda: (
                lambda w: w if w["users"] >= n and w["events"] >= n
                else None)(env.sim_ws()), 120)
            self.assertEqual(ws["users"], n)
            stats = wait_for("an empty outbox", lambda: (
                lambda s: s if s["queued"] == 0 else None)(
                env.stats()[env.accounts[0]]))
            self.assertEqual(stats["dead_letters"], 0)
            self.assertEqual(stats["dead_lettered"], 0)
            self.assertGreater(stats["retried"], 0)
            self.assertTrue(stats["last_error"])
            # Every fault was consumed, so each one was met and survived.
            _, live = env.sim.admin("GET", "/_sim/faults")
            self.assertEqual(live["faults"], [])
            # Only the two injected 429s: the pause after them held.
            self.assertEqual(env.sim.stats()["totals"]["429"], 2)
        finally:
            env.stop()


class PacingTest(harness.TestCase):
    """A backlog above the limit: the sim counts in fixed 60 s windows from
    the first request, so this takes a little over a minute."""

    LIMIT = 600

    def test_backlog_above_the_limit_never_meets_a_429(self):
        limits = {"bulk_users_per_min": self.LIMIT,
                  "bulk_events_per_min": self.LIMIT}
        env_vars = {"MOELINK_DELIVER_USERS_PER_MIN": str(self.LIMIT),
                    "MOELINK_DELIVER_EVENTS_PER_MIN": str(self.LIMIT)}
        env = DeliverEnv(self.tmp, limits=limits, env=env_vars)
        try:
            n = self.LIMIT + 50
            st, _, body = env.post_events([user("pace-%d" % i)
                                           for i in range(n)])
            self.assertEqual(st, 202, body)
            wait_for("the backlog", lambda: env.sim_ws()["users"] >= n, 150)
            ws = env.sim_ws()
            self.assertEqual(ws["users"], n)
            self.assertEqual(env.sim.stats()["totals"]["429"], 0)
            self.assertEqual(env.stats()[env.accounts[0]]["retried"], 0)
        finally:
            env.stop()


if __name__ == "__main__":
    unittest.main()
