# SPDX-License-Identifier: MIT
"""moelink sim as a process: keep-alive, TLS, the port file, the listening
log line, clean shutdown on SIGTERM/SIGINT, the demo workspace, and refusal
of a malformed workspaces file."""
import http.client
import json
import os
import signal
import socket
import ssl
import unittest

from harness import Proc, SimCase, TestCase, basic, run_cli

USER = {"type": "customer", "customer_id": "ka"}


HEADERS = {"Host": "api-01.moengage.com",
           "Authorization": basic("WS_US01", "data-key-us01"),
           "Content-Type": "application/json"}


class SimKeepAliveTest(SimCase):

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.sim.port,
                                          timeout=30)

    def test_two_requests_share_one_connection(self):
        conn = self.connect()
        socks = []
        for cid in ("ka1", "ka2"):
            conn.request("POST", "/v1/customer/WS_US01",
                         body=json.dumps({"type": "customer",
                                          "customer_id": cid}),
                         headers=HEADERS)
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            self.assertNotEqual((r.getheader("Connection") or "").lower(),
                                "close")
            socks.append(conn.sock)
        self.assertIsNotNone(socks[0])
        self.assertIs(socks[0], socks[1])   # http.client reused it
        conn.close()

    def test_connection_survives_a_413(self):
        conn = self.connect()
        conn.request("POST", "/v1/customer/WS_US01", body=b"x" * 200000,
                     headers=HEADERS)
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 413)
        sock = conn.sock
        conn.request("POST", "/v1/customer/WS_US01",
                     body=json.dumps(USER), headers=HEADERS)
        r = conn.getresponse()
        r.read()
        self.assertEqual((r.status, conn.sock), (200, sock))
        conn.close()


class SimTLSTest(SimCase):
    TLS = True

    def test_https_with_the_harness_ca(self):
        self.assertAccepted(self.sim.api("/v1/customer/WS_US01", USER))

    def test_sni_and_hostname_check_for_a_moengage_host(self):
        ctx = ssl.create_default_context(cafile=self.tls.ca)
        conn = http.client.HTTPSConnection("127.0.0.1", self.sim.port,
                                           context=ctx, timeout=30)
        # Verify the certificate against the real MoEngage name.
        conn.sock = ctx.wrap_socket(
            socket.create_connection(("127.0.0.1", self.sim.port)),
            server_hostname="api-01.moengage.com")
        conn.request("POST", "/v1/customer/WS_US01", body=json.dumps(USER),
                     headers=HEADERS)
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        conn.close()

    def test_listening_log_says_https(self):
        self.assertRegex(self.sim.p.logtext(),
                         r'msg="listening" url=https://127\.0\.0\.1:%d'
                         % self.sim.port)


class SimProcessTest(TestCase):

    def start(self, *args, name="sim"):
        return Proc(["sim", "--listen", "127.0.0.1:0"] + list(args),
                    self.tmp, name=name)

    def test_port_file_and_listening_line(self):
        p = self.start(name="plain")
        try:
            log = p.logtext()
            self.assertRegex(log, r'msg="listening" url=http://127\.0\.0\.1:'
                             r'%d\b' % p.port)
        finally:
            self.assertEqual(p.stop(), 0)

    def test_sigint_also_exits_cleanly(self):
        p = self.start(name="int")
        self.assertEqual(p.stop(signal.SIGINT), 0)

    def test_demo_workspace_is_printed_and_served(self):
        p = self.start(name="demo")
        try:
            log = p.logtext()
            self.assertIn('"workspace_id":"DEMO_WORKSPACE_01"', log)
            self.assertIn('"data":"demo-data-key"', log)
            conn = http.client.HTTPConnection("127.0.0.1", p.port, timeout=30)
            conn.request("POST", "/v1/customer/DEMO_WORKSPACE_01",
                         body=json.dumps(USER),
                         headers={"Host": "api-01.moengage.com",
                                  "Authorization": basic("DEMO_WORKSPACE_01",
                                                         "demo-data-key"),
                                  "Content-Type": "application/json"})
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
        finally:
            self.assertEqual(p.stop(), 0)

    def test_malformed_workspaces_files_are_refused(self):
        cases = [
            ('[{"workspace_id": "W", ', "incomplete JSON"),
            ('[{"workspace_id": "W", "data_center": "01",}]',
             "invalid JSON"),
            ('{"workspace_id": "W"}', "JSON array"),
            ('[{"workspace_id": "W", "data_center": "07"}]',
             "data_center"),
            ('[{"workspace_id": "W", "data_center": "01", "kyes": {}}]',
             'unknown member "kyes"'),
            ('[{"workspace_id": "W", "data_center": "01"},'
             ' {"workspace_id": "W", "data_center": "02"}]', "duplicate"),
            ('[{"workspace_id": "W", "data_center": "01",'
             ' "limits": {"bulk_userz_per_min": 5}}]', "unknown limit"),
            ('[{"workspace_id": "W", "data_center": "01",'
             ' "keys": {"dta": "k"}}]', 'unknown key slot "dta"'),
        ]
        for i, (text, why) in enumerate(cases):
            path = os.path.join(self.tmp, "bad%d.json" % i)
            with open(path, "w") as f:
                f.write(text)
            code, out, err = run_cli(["sim", "--listen", "127.0.0.1:0",
                                      "--workspaces", path])
            self.assertEqual(code, 1, (text, out, err))
            self.assertIn(why, err, text)
            self.assertIn(path, err)

    def test_missing_workspaces_file(self):
        code, _, err = run_cli(["sim", "--listen", "127.0.0.1:0",
                                "--workspaces",
                                os.path.join(self.tmp, "nope.json")])
        self.assertEqual(code, 1)
        self.assertIn("No such file", err)

    def test_usage_errors_and_help(self):
        code, out, _ = run_cli(["sim", "--help"])
        self.assertEqual(code, 0)
        for opt in ("--listen", "--port-file", "--tls-cert", "--tls-key",
                    "--workspaces", "--log-level"):
            self.assertIn(opt, out)
        self.assertEqual(run_cli(["sim", "--bogus"])[0], 2)
        self.assertEqual(run_cli(["sim", "--log-level", "loud"])[0], 2)
        code, _, err = run_cli(["sim", "--listen", "127.0.0.1:0",
                                "--tls-cert", "x.pem"])
        self.assertEqual(code, 1)
        self.assertIn("--tls-key", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
