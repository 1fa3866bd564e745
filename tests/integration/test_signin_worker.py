# SPDX-License-Identifier: MIT
"""The admin password's Argon2id check runs on a worker, not on an MHD
thread. With a single MHD thread (--threads 1), an API request sent after
several password sign-ins is answered while none of them has been answered
yet (on the MHD thread it would wait for at least one check); every
sign-in still gets its right answer, also when the server is stopped
(SIGTERM) while they are queued, and the server exits cleanly."""
import json
import os
import select
import socket
import unittest

import harness
from test_link import create_project

PASSWORD = "correct horse battery"
SIGNINS = 6


def send_signin(port, password):
    """A sign-in written in full on its own connection; returns the
    socket (the answer is read later)."""
    body = json.dumps({"password": password}).encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(b"POST /dashboard/api/signin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Type: application/json\r\nConnection: close\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return s


def read_status(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return int(data.split(b" ", 2)[1])


class SigninWorkerTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        db = "sqlite://" + os.path.join(cls.tmp, "moelink.db")
        cls.key = create_project(db, "alpha", cls.tmp)
        rc, out, err = harness.run_cli(["admin", "password", "--db", db],
                                       cwd=cls.tmp,
                                       input_data=PASSWORD + "\n")
        assert rc == 0, (out, err)

    def test_api_is_answered_while_passwords_are_checked(self):
        server = harness.Server(self.tmp, extra=["--threads", "1"])
        pws = [PASSWORD if i % 2 else "wrong password %d" % i
               for i in range(SIGNINS)]
        try:
            socks = [send_signin(server.port, pw) for pw in pws]
            st, _, out = server.request("GET", "/accounts", headers={
                "Authorization": "Bearer " + self.key})
            self.assertEqual(st, 200, out)
            ready, _, _ = select.select(socks, [], [], 0)
            self.assertEqual(ready, [], "a sign-in was answered before the "
                             "API request: the check ran on the MHD thread")
            # Stop while checks are still queued: each is still answered.
            rc = server.stop()
            got = [read_status(s) for s in socks]
        finally:
            server.stop()
        self.assertEqual(rc, 0)
        self.assertEqual(got, [200 if pw == PASSWORD else 401 for pw in pws])
        with open(server.p.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        self.assertNotIn("Sanitizer", log)
        self.assertNotIn("runtime error:", log)


if __name__ == "__main__":
    unittest.main()
