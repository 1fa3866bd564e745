# SPDX-License-Identifier: MIT
"""Integration-test harness: start the real `moelink` binary (the simulator
and the server) on 127.0.0.1, on free ports, and talk to them over HTTP(S).

Contracts relied on (see README "Interfaces"):
  moelink sim   --listen 127.0.0.1:0 --port-file F [--workspaces F]
                [--tls-cert F --tls-key F]
  moelink serve --listen 127.0.0.1:0 --port-file F --db sqlite://PATH
Each process writes its bound port to --port-file once it accepts
connections. The harness kills only the processes it started.

Environment: MOELINK_BIN (path to the binary, set by meson).
"""
import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("MOELINK_BIN", "build/moelink")
START_TIMEOUT = 20.0

# A small set of workspaces the simulator serves in tests.
DEFAULT_WORKSPACES = [
    {"workspace_id": "WS_US01", "data_center": "01", "name": "Acme US",
     "keys": {"data": "data-key-us01", "general": "gen-key-us01",
              "push": "push-key-us01", "inform": "inform-key-us01",
              "personalize": "pers-key-us01"}},
    {"workspace_id": "WS_EU02", "data_center": "02", "name": "Acme EU",
     "keys": {"multi": "multi-key-eu02"}},
    {"workspace_id": "WS_IN03", "data_center": "03", "name": "Acme India",
     "keys": {"data": "data-key-in03", "general": "gen-key-in03"}},
]


def basic(user, password):
    raw = ("%s:%s" % (user, password)).encode()
    return "Basic " + base64.b64encode(raw).decode()


class Proc:
    """One started moelink process with its port and log file."""

    def __init__(self, args, workdir, env=None, name="moelink"):
        self.workdir = workdir
        self.port_file = os.path.join(workdir, name + ".port")
        self.log_path = os.path.join(workdir, name + ".log")
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        self.args = [BIN] + args + ["--port-file", self.port_file]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, cwd=workdir, env=full_env,
                                     stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        self.port = self._wait_port()

    def _wait_port(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s:\n%s" % (
                    " ".join(self.args), self.proc.returncode, self.logtext()))
            try:
                with open(self.port_file) as f:
                    txt = f.read().strip()
                if txt:
                    return int(txt)
            except FileNotFoundError:
                pass
            time.sleep(0.02)  # polling for start-up, not timing a result
        raise RuntimeError("%s did not start:\n%s" % (" ".join(self.args),
                                                      self.logtext()))

    def logtext(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class TLS:
    """A throwaway CA and a server certificate for *.moengage.com."""

    def __init__(self, workdir):
        self.ca_key = os.path.join(workdir, "ca.key")
        self.ca = os.path.join(workdir, "ca.pem")
        self.key = os.path.join(workdir, "server.key")
        self.cert = os.path.join(workdir, "server.pem")
        csr = os.path.join(workdir, "server.csr")
        ext = os.path.join(workdir, "ext.cnf")
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", self.ca_key, "-out", self.ca, "-days", "2",
            "-subj", "/CN=moelink test CA")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
            self.key, "-out", csr, "-subj", "/CN=*.moengage.com")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:*.moengage.com,DNS:localhost,"
                    "IP:127.0.0.1\n")
        run("openssl", "x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey",
            self.ca_key, "-CAcreateserial", "-out", self.cert, "-days", "2",
            "-extfile", ext)


class Sim:
    """`moelink sim` with a workspaces file, optionally over TLS."""

    def __init__(self, workdir, workspaces=None, tls=None, extra=None):
        self.workdir = workdir
        self.workspaces = workspaces or DEFAULT_WORKSPACES
        path = os.path.join(workdir, "workspaces.json")
        with open(path, "w") as f:
            json.dump(self.workspaces, f)
        args = ["sim", "--listen", "127.0.0.1:0", "--workspaces", path]
        self.tls = tls
        if tls:
            args += ["--tls-cert", tls.cert, "--tls-key", tls.key]
        args += extra or []
        self.p = Proc(args, workdir, name="sim")
        self.port = self.p.port

    def connect_to(self):
        return "127.0.0.1:%d" % self.port

    def request(self, method, host, path, body=None, headers=None, raw=None):
        """Send to the sim with the given Host header; returns (status, headers, body bytes)."""
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.tls.ca)
            ctx.check_hostname = False
            conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                               context=ctx, timeout=30)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                              timeout=30)
        h = {"Host": host}
        if headers:
            h.update(headers)
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        conn.close()
        return out

    def admin(self, method, path, body=None):
        st, _, data = self.request(method, "127.0.0.1", path, body=body)
        return st, (json.loads(data) if data else None)

    def reset(self):
        return self.admin("POST", "/_sim/reset")

    def requests(self):
        return self.admin("GET", "/_sim/requests")[1]

    def stats(self):
        return self.admin("GET", "/_sim/stats")[1]

    def api(self, path, body=None, ws="WS_US01", key="data-key-us01",
            host="api-01.moengage.com", method="POST", headers=None,
            raw=None):
        """Call a MoEngage API on the sim with Basic ws:key (ws=None: no
        Authorization). Returns (status, headers, JSON or raw bytes, raw)."""
        h = {}
        if ws is not None:
            h["Authorization"] = basic(ws, key)
        h.update(headers or {})
        st, hd, data = self.request(method, host, path, body=body,
                                    headers=h, raw=raw)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data
        return st, hd, parsed, data

    def add_fault(self, **fault):
        """POST /_sim/faults; returns (status, answer)."""
        return self.admin("POST", "/_sim/faults", body=fault)

    def stop(self):
        return self.p.stop()


class Server:
    """`moelink serve` on SQLite in its own directory, pointed at a Sim."""

    def __init__(self, workdir, sim=None, env=None, extra=None):
        self.workdir = workdir
        e = {}
        if sim is not None:
            e["MOELINK_MOENGAGE_CONNECT_TO"] = sim.connect_to()
            if sim.tls:
                e["MOELINK_CA_FILE"] = sim.tls.ca
        if env:
            e.update(env)
        self.env = e
        self.extra = extra or []
        self.start()

    def start(self):
        args = ["serve", "--listen", "127.0.0.1:0", "--db",
                "sqlite://" + os.path.join(self.workdir, "moelink.db")]
        self.p = Proc(args + self.extra, self.workdir, env=self.env,
                      name="serve")
        self.port = self.p.port
        self.base = "http://127.0.0.1:%d" % self.port

    def request(self, method, path, body=None, headers=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        payload = r.read()
        conn.close()
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload
        return r.status, {k.lower(): v for k, v in r.getheaders()}, parsed

    def stop(self, sig=signal.SIGTERM):
        return self.p.stop(sig)


def run_cli(args, env=None, cwd=None, input_data=None, timeout=60):
    """Run `moelink ARGS`; returns (exit code, stdout, stderr) as text."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    r = subprocess.run([BIN] + args, env=full_env, cwd=cwd,
                       input=input_data, capture_output=True, text=True,
                       timeout=timeout)
    return r.returncode, r.stdout, r.stderr


class TestCase(unittest.TestCase):
    """Gives each test class a private temporary directory."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="moelink-it-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)


def moe_fail(message, type_, request_id, attribute=None):
    """A Data API error body exactly as MoEngage documents it:
    {"status":"fail","error":{["attribute"],"message","type","request_id"}},
    serialised the way the simulator sends it (no spaces)."""
    err = {}
    if attribute is not None:
        err["attribute"] = attribute
    err["message"] = message
    err["type"] = type_
    err["request_id"] = request_id
    return json.dumps({"status": "fail", "error": err},
                      separators=(",", ":"))


class SimCase(TestCase):
    """One simulator per test class (workspaces from WORKSPACES), reset
    before every test."""

    WORKSPACES = None
    TLS = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tls = TLS(cls.tmp) if cls.TLS else None
        cls.sim = Sim(cls.tmp, workspaces=cls.WORKSPACES, tls=cls.tls)

    @classmethod
    def tearDownClass(cls):
        rc = cls.sim.stop()
        with open(cls.sim.p.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        super().tearDownClass()
        # A clean SIGTERM exit, and nothing from the sanitizers.
        if rc != 0 or "Sanitizer" in log or "runtime error:" in log:
            raise AssertionError("sim exited %s:\n%s" % (rc, log[-4000:]))

    def setUp(self):
        st, _ = self.sim.reset()
        self.assertEqual(st, 200)

    def assertFail(self, res, status, message, type_, attribute=None):
        """res from Sim.api: status and the exact documented body, whose
        request_id is 8 letters and equals the X-Request-Id header."""
        st, hd, _, raw = res
        rid = hd.get("x-request-id", "")
        self.assertRegex(rid, r"^[A-Za-z]{8}$")
        self.assertEqual((st, raw.decode()),
                         (status, moe_fail(message, type_, rid, attribute)))

    def assertAccepted(self, res):
        """The documented generic success, with the request's id."""
        st, hd, body, _ = res
        self.assertEqual(st, 200, body)
        self.assertEqual(body, {
            "status": "success",
            "message": "Your request has been accepted and will be "
                       "processed soon.",
            "request_id": hd.get("x-request-id")})
