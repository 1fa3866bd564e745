# SPDX-License-Identifier: MIT
"""A real client nobody here wrote: npm @segment/analytics-node, pointed at
moelink with a write key, delivers identify, track, page and alias calls
that arrive at the simulator as MoEngage users, events and a merge.

Skipped (exit 77) only when node or npm is missing. The package is
installed once into MOELINK_NPM_DIR (default ~/.cache/moelink-tests/segment)
with npm from the registry.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

import harness
from test_deliver import FAST_ENV, FAST_LIMITS, DeliverEnv, wait_for

NODE = shutil.which("node")
NPM = shutil.which("npm")
PKG = "@segment/analytics-node@3"
NPM_DIR = os.environ.get("MOELINK_NPM_DIR", os.path.join(
    os.path.expanduser("~"), ".cache", "moelink-tests", "segment"))

CLIENT_JS = r"""
const { Analytics } = require('@segment/analytics-node')
const a = new Analytics({ writeKey: process.env.WRITE_KEY,
  host: process.env.MOELINK_URL, path: '/v1/batch',
  flushAt: 3, flushInterval: 100, maxRetries: 3 })
let failed = 0
a.on('error', (e) => { failed++; console.error('segment error', e) })
a.identify({ userId: 'node-u1', traits: { email: 'ada@example.com',
  firstName: 'Ada', lastName: 'Lovelace', plan: 'pro' },
  context: { device: { type: 'ios' }, app: { version: '2.0' } } })
a.track({ userId: 'node-u1', event: 'Order Completed',
  properties: { total: 39.5, currency: 'EUR', items: ['a', 'b'] },
  timestamp: new Date('2025-06-01T10:00:00Z') })
a.page({ userId: 'node-u1', name: 'Pricing', properties: { url: 'https://x.test/p' } })
a.track({ anonymousId: 'node-anon', event: 'Browsed' })
a.alias({ userId: 'node-u1', previousId: 'node-anon' })
a.closeAndFlush({ timeout: 20000 }).then(() => {
  console.log(JSON.stringify({ failed }))
  process.exit(failed ? 1 : 0)
})
"""


def ensure_package():
    mod = os.path.join(NPM_DIR, "node_modules", "@segment", "analytics-node")
    if os.path.isdir(mod):
        return
    os.makedirs(NPM_DIR, exist_ok=True)
    pkg = os.path.join(NPM_DIR, "package.json")
    if not os.path.exists(pkg):
        with open(pkg, "w") as f:
            json.dump({"name": "moelink-segment-test", "private": True}, f)
    subprocess.run([NPM, "install", "--no-audit", "--no-fund", PKG],
                   cwd=NPM_DIR, check=True, capture_output=True, timeout=240)


class SegmentNodeTest(harness.TestCase):

    def test_analytics_node_calls_arrive_as_moengage_users_and_events(self):
        ensure_package()
        env = DeliverEnv(self.tmp, limits=FAST_LIMITS, env=FAST_ENV)
        try:
            self._run(env)
        finally:
            env.stop()

    def _run(self, env):
        st, _, body = env.server.request(
            "POST", "/accounts/%s/write_keys" % env.accounts[0],
            headers=env.auth())
        self.assertEqual(st, 201, body)
        script = os.path.join(self.tmp, "client.js")
        with open(script, "w") as f:
            f.write(CLIENT_JS)
        run_env = dict(os.environ, WRITE_KEY=body["write_key"],
                       MOELINK_URL=env.server.base,
                       NODE_PATH=os.path.join(NPM_DIR, "node_modules"))
        r = subprocess.run([NODE, script], env=run_env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        ws = env.ws[0]["workspace_id"]
        wait_for("the merge", lambda: any(
            "/v1/customer/merge" in q.get("path", "")
            for q in (env.sim.requests() or {}).get("requests", [])))
        _, u = env.sim.admin("GET", "/_sim/users/%s/node-u1" % ws)
        self.assertEqual(u["attributes"]["u_em"], "ada@example.com")
        self.assertEqual(u["attributes"]["u_n"], "Ada Lovelace")
        self.assertEqual(u["attributes"]["plan"], "pro")
        _, evs = env.sim.admin("GET", "/_sim/events/%s?limit=100" % ws)
        by_action = {e["action"]: e for e in evs["events"]}
        order = by_action["Order Completed"]
        self.assertEqual(order["customer_id"], "node-u1")
        self.assertEqual(order["attributes"]["total"], 39.5)
        self.assertEqual(order["attributes"]["items"], ["a", "b"])
        self.assertEqual(order["current_time"], 1748772000)
        self.assertIn("Viewed Pricing Page", by_action)
        # The anonymous user's event: merged into node-u1 by the alias.
        self.assertIn(by_action["Browsed"]["customer_id"],
                      ("node-anon", "node-u1"))
        merges = [q for q in env.sim.requests()["requests"]
                  if "/v1/customer/merge" in q.get("path", "")]
        self.assertEqual(len(merges), 1)
        body = merges[0]["body"]
        body = json.loads(body) if isinstance(body, str) else body
        self.assertEqual(body["merge_data"], [
            {"merged_user": "node-anon", "retained_user": "node-u1"}])
        self.assertEqual(env.stats()[env.accounts[0]]["dead_letters"], 0)


if __name__ == "__main__":
    if NODE is None or NPM is None:
        print("node or npm not found: skipping the analytics-node test")
        sys.exit(77)
    unittest.main()
