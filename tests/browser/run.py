# SPDX-License-Identifier: MIT
"""Browser tests of the Hub and the dashboard in real headless Chromium.

Starts `moelink sim` (TLS) and `moelink serve` with the integration-test
harness, creates a project and a connect session, then runs hub.spec.mjs
(node + playwright-core driving Debian's /usr/bin/chromium) against them.
Exit 77 (meson: skipped) only when chromium or node is missing.
Screenshots go to tests/browser/screenshots/ (not committed).
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
from test_link import LinkEnv  # noqa: E402

CHROMIUM = os.environ.get("MOELINK_CHROMIUM", "/usr/bin/chromium")


def main():
    node = shutil.which("node")
    if node is None or not os.access(CHROMIUM, os.X_OK):
        print("browser tests skipped: need node and %s" % CHROMIUM)
        return 77
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE)
        if r.returncode != 0:
            print("cannot install playwright-core: run 'npm ci' in "
                  "tests/browser")
            return 1
    tmp = tempfile.mkdtemp(prefix="moelink-browser-")
    env = None
    try:
        env = LinkEnv(tmp)
        shots = os.path.join(HERE, "screenshots")
        os.makedirs(shots, exist_ok=True)
        run_env = dict(os.environ)
        run_env.update({
            "MOELINK_BASE": env.server.base,
            "MOELINK_API_KEY": env.key,
            "MOELINK_CHROMIUM": CHROMIUM,
            "MOELINK_SCREENSHOTS": shots,
            "MOELINK_PROFILE": os.path.join(tmp, "chromium-profile"),
        })
        r = subprocess.run([node, os.path.join(HERE, "hub.spec.mjs")],
                           cwd=HERE, env=run_env, timeout=240)
        rc = r.returncode
    finally:
        if env is not None:
            try:
                env.stop_checked()
            except AssertionError as e:
                print(e)
                rc = 1
        shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
