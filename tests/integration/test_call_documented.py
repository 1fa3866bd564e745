# SPDX-License-Identifier: MIT
"""`moelink call` against `moelink sim` for what docs/actions.md once listed
under "Not yet": Message Archival's 400 sentence, File Imports paging, the
Idempotency-Key of the v5 preference update, Live Activities and Cards.

Direct mode over TLS: every *.moengage.com host goes to the simulator
(MOELINK_MOENGAGE_CONNECT_TO) and its journal (GET /_sim/requests) shows
what went over the wire.
"""
import json
import unittest

from harness import SimCase, run_cli

WS = "WS_US01"
KEYS = {"data": "data-key-us01", "general": "gen-key-us01",
        "push": "push-key-us01"}
KEY_VARS = ("MOELINK_DATA_KEY", "MOELINK_GENERAL_KEY", "MOELINK_PUSH_KEY",
            "MOELINK_INFORM_KEY", "MOELINK_PERSONALIZE_KEY", "MOELINK_API_KEY")
IMPORTS = 120   # three pages of 50


def header(entry, name):
    for k, v in entry.get("headers", {}).items():
        if k.lower() == name.lower():
            return v
    return None


class CallDocumented(SimCase):

    TLS = True
    WORKSPACES = [{"workspace_id": WS, "data_center": "01", "keys": KEYS,
                   "file_imports": IMPORTS}]

    def call(self, action, data=None, extra=None):
        env = {"MOELINK_MOENGAGE_CONNECT_TO": self.sim.connect_to(),
               "MOELINK_CA_FILE": self.tls.ca,
               "MOELINK_RETRY_BASE_MS": "20",
               "MOELINK_RETRY_MAX_WAIT_MS": "200"}
        for k in KEY_VARS:
            env[k] = ""
        args = ["call", action, "--workspace-id", WS, "--data-center", "01",
                "--data-key", KEYS["data"], "--general-key", KEYS["general"],
                "--push-key", KEYS["push"]]
        if data is not None:
            args += ["--data", json.dumps(data)]
        return run_cli(args + (extra or []), env=env)

    def error(self, stderr):
        return json.loads(stderr.strip().splitlines()[-1])["error"]

    def journal(self, prefix):
        return [r for r in self.sim.requests()["requests"]
                if r["path"].startswith(prefix)]

    def fault(self, **f):
        st, body = self.sim.admin("POST", "/_sim/faults", f)
        self.assertIn(st, (200, 201), body)

    # ---- Message Archival's 400 ---------------------------------------

    def test_archival_400_gives_moengages_sentence(self):
        self.fault(family="data", status=400, path_prefix="/v1/archival/")
        rc, out, err = self.call("moengage_view_archived_message", {
            "user_id": "u1", "delivery_type": "ONE_TIME",
            "campaign_type": "sms", "campaign_channel": "SMS",
            "sent_epoch_time": 1716972486, "campaign_id": "c1",
            "event_name": "SMS Sent", "platform": "SMS"})
        self.assertEqual(rc, 1, out)
        e = self.error(err)
        self.assertEqual(e["http_status"], 400)
        # The simulator's documented {"status":false,"error_message"}.
        self.assertIn("Invalid request body", e["message"])
        self.assertNotIn("without an error message", e["message"])

    # ---- File Imports paging ------------------------------------------

    def test_file_imports_all_gathers_every_page_once(self):
        rc, out, err = self.call("moengage_get_file_imports", {},
                                 extra=["--all"])
        self.assertEqual(rc, 0, err)
        body = json.loads(out)
        ids = [d["import_id"] for d in body["data"]]
        self.assertEqual(len(ids), IMPORTS)
        self.assertEqual(len(set(ids)), IMPORTS)
        self.assertEqual(body["total_count"], IMPORTS)
        sent = self.journal("/v1.0/data/fileimports/import/status")
        self.assertEqual([json.loads(r["body"])["offset"] for r in sent],
                         [1, 2, 3])
        # Without --all: one page of 50, more_files true.
        rc, out, err = self.call("moengage_get_file_imports", {})
        self.assertEqual(rc, 0, err)
        page = json.loads(out)
        self.assertEqual((len(page["data"]), page["more_files"]),
                         (50, True))


if __name__ == "__main__":
    unittest.main()
