# SPDX-License-Identifier: MIT
"""MoEngage traffic through an outbound HTTP proxy, and only when asked.

A tiny CONNECT proxy (stdlib, 127.0.0.1) tunnels every *.moengage.com target to
the simulator and records what it was asked for. `moelink call` with
--moengage-proxy must tunnel through it (TLS stays end to end: SNI and
certificate are the production host's); with only the usual *_proxy
environment variables set it must NOT use them, because libmoelink reads no
environment (docs/internals/client.md).
"""
import os
import select
import socket
import socketserver
import threading
import unittest

from harness import Sim, TLS, TestCase, run_cli

WS, DC, KEY = "WS_US01", "01", "data-key-us01"
BODY = '{"type":"customer","customer_id":"proxy-user","attributes":{"name":"P"}}'


class ConnectProxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.seen = []
        super().__init__(("127.0.0.1", 0), ConnectHandler)


class ConnectHandler(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 8192:
            chunk = self.request.recv(1024)
            if not chunk:
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        self.server.seen.append(line)
        method, target = line.split(" ")[:2]
        host = target.rsplit(":", 1)[0]
        if method != "CONNECT" or not host.endswith(".moengage.com"):
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            return
        up = socket.create_connection(("127.0.0.1", self.server.upstream_port))
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        socks = [self.request, up]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 30)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (up if s is self.request else self.request).sendall(data)
        finally:
            up.close()


class ProxyTest(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tls = TLS(cls.tmp)
        cls.sim = Sim(cls.tmp, tls=cls.tls)
        cls.proxy = ConnectProxy(cls.sim.port)
        cls.thread = threading.Thread(target=cls.proxy.serve_forever,
                                      daemon=True)
        cls.thread.start()
        cls.purl = "http://127.0.0.1:%d" % cls.proxy.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.proxy.shutdown()
        cls.proxy.server_close()
        cls.sim.stop()
        super().tearDownClass()

    def call(self, extra_env):
        env = {"MOELINK_CA_FILE": self.tls.ca, "MOELINK_DATA_KEY": KEY,
               "MOELINK_RETRY_MAX_ATTEMPTS": "1"}
        env.update(extra_env)
        return run_cli(["call", "moengage_track_user", "--workspace-id", WS,
                        "--data-center", DC, "--data", BODY], env=env)

    def test_configured_proxy_carries_the_call(self):
        before = len(self.proxy.seen)
        rc, out, err = self.call({"MOELINK_MOENGAGE_PROXY": self.purl})
        self.assertEqual(rc, 0, err)
        self.assertIn('"success"', out)
        self.assertEqual(self.proxy.seen[before:],
                         ["CONNECT api-01.moengage.com:443 HTTP/1.1"])

    def test_environment_proxy_variables_are_not_read(self):
        before = len(self.proxy.seen)
        rc, out, err = self.call({
            "HTTPS_PROXY": self.purl, "https_proxy": self.purl,
            "ALL_PROXY": self.purl, "all_proxy": self.purl,
            "MOELINK_MOENGAGE_CONNECT_TO": self.sim.connect_to()})
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.proxy.seen[before:], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
