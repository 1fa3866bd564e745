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

import test_actions
import test_link
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

    # ---- v5 preference update: Idempotency-Key -------------------------

    V5 = "/v5/subscription-preferences"

    def patch_v5(self, unsubscribed, extra=None):
        return self.call("moengage_update_subscription_preferences_v5", {
            "user_identifier_type": "email",
            "user_identifier_value": "jane@example.com",
            "is_globally_unsubscribed": unsubscribed}, extra=extra)

    def unsubscribed(self):
        st, _, body, _ = self.sim.api(
            self.V5 + "?user_identifier_type=email"
            "&user_identifier_value=jane@example.com", method="GET")
        self.assertEqual(st, 200, body)
        return body["data"]["is_globally_unsubscribed"]

    def test_v5_update_key_is_kept_across_retries_and_replays(self):
        # The first attempt gets a 503; the retry carries the same key.
        self.fault(family="subscription", status=503, path_prefix=self.V5)
        rc, out, err = self.patch_v5(True)
        self.assertEqual(rc, 0, err)
        first = json.loads(out)
        self.assertEqual(first["type"], "subscription_preference")
        sent = self.journal(self.V5)
        self.assertEqual([r["status"] for r in sent], [503, 202])
        keys = {header(r, "Idempotency-Key") for r in sent}
        self.assertEqual(len(keys), 1)
        key = keys.pop()
        self.assertRegex(key, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                              r"[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertTrue(self.unsubscribed())
        # Another logical call: another key, and it applies.
        rc, out, err = self.patch_v5(False)
        self.assertEqual(rc, 0, err)
        self.assertNotEqual(header(self.journal(self.V5)[-1],
                                   "Idempotency-Key"), key)
        self.assertFalse(self.unsubscribed())
        # The first key replayed with its body: the original answer, and
        # the update is not applied again (data.yaml's words).
        st, _, body, _ = self.sim.api(self.V5, {
            "user_identifier_type": "email",
            "user_identifier_value": "jane@example.com",
            "is_globally_unsubscribed": True}, method="PATCH",
            headers={"Idempotency-Key": key, "MOE-APPKEY": WS})
        self.assertEqual((st, body), (202, first))
        self.assertFalse(self.unsubscribed())


    # ---- Live Activities ----------------------------------------------

    LA = "/v1.0/live-activity/broadcast/"

    def live(self, what, la_id, instance=None, attempts=None):
        ios = {"content_state": {"score": "1-0"},
               "alert": {"title": "Goal", "body": "1-0"}}
        if what == "start":
            ios.update(attribute_type="MatchAttributes",
                       attribute_info={"home": "A", "away": "B"})
        body = {"broadcast_live_activity_id": la_id, "ios": ios}
        if instance:
            body["instance_id"] = instance
        extra = ["--retry-attempts", str(attempts)] if attempts else None
        return self.call("moengage_%s_live_activity" % what, body,
                         extra=extra)

    def test_live_activity_start_update_end(self):
        rc, out, err = self.live("start", "la_1")
        self.assertEqual(rc, 0, err)
        inst = json.loads(out)["data"]["instance_id"]
        self.assertRegex(inst, r"^\d{13}-[0-9a-f]{8}$")
        sent = self.journal(self.LA)[-1]
        self.assertEqual(sent["host"], "api-01.moengage.com")
        self.assertEqual(header(sent, "X-MOE-APPKEY"), WS)
        self.assertTrue(header(sent, "Authorization").startswith("Basic "))
        # The same instance again: the documented duplicate.
        rc, out, err = self.live("start", "la_1", instance=inst)
        self.assertEqual(rc, 1, out)
        self.assertIn("Duplicate Request", self.error(err)["message"])
        rc, out, err = self.live("update", "la_1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["data"],
                         {"instance_id": inst, "message": "success"})
        rc, out, err = self.live("end", "la_1", instance=inst)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.live("update", "la_1", instance=inst)
        self.assertEqual(rc, 1, out)
        self.assertEqual(self.error(err)["http_status"], 403)

    def test_live_activity_update_window_is_per_id(self):
        for la_id in ("la_a", "la_b"):
            rc, _, err = self.live("start", la_id)
            self.assertEqual(rc, 0, err)
        for _ in range(5):
            rc, _, err = self.live("update", "la_a")
            self.assertEqual(rc, 0, err)
        rc, out, err = self.live("update", "la_a", attempts=1)
        self.assertEqual(rc, 1, out)
        e = self.error(err)
        self.assertEqual((e["http_status"], e["code"]),
                         (429, "moengage_rate_limited"))
        # Another live activity of the workspace is not held back.
        rc, _, err = self.live("update", "la_b")
        self.assertEqual(rc, 0, err)

    def test_live_activity_body_is_checked_before_sending(self):
        before = len(self.journal(self.LA))
        rc, out, err = self.call("moengage_start_live_activity", {
            "broadcast_live_activity_id": "la_x",
            "ios": {"attribute_type": "T", "attribute_info": {},
                    "content_state": {}, "alert": {
                        "title": "t", "body": "b", "metrics": 1}}})
        self.assertEqual(rc, 1, out)
        self.assertEqual(self.error(err)["field"], "ios.alert.metrics")
        self.assertEqual(len(self.journal(self.LA)), before)

    # ---- Cards --------------------------------------------------------

    def cards(self, action, body, query=None):
        extra = ["--query", json.dumps(query)] if query else None
        return self.call("moengage_%s_cards" % action, body, extra=extra)

    def test_cards_fetch_page_delete_and_sync(self):
        rc, _, err = self.call("moengage_track_user", {
            "type": "customer", "customer_id": "card-user"})
        self.assertEqual(rc, 0, err)
        rc, out, err = self.cards("fetch", {"uid": "card-user"})
        self.assertEqual(rc, 0, err)
        body = json.loads(out)
        self.assertIs(body["status"], True)
        cards = body["data"]["cards"]
        self.assertEqual(sorted(c["platform"] for c in cards),
                         ["android", "ios", "web"])
        sent = self.journal("/v1/cards/")[-1]
        self.assertTrue(header(sent, "Authorization").startswith("Basic "))
        self.assertEqual(header(sent, "MOE-APPKEY"), WS)
        # Filters and paging: page 2 of 1 card each.
        rc, out, err = self.cards("fetch", {"uid": "card-user",
                                            "platforms": ["WEB", "IOS"]},
                                  {"page": 2, "limit": 1})
        self.assertEqual(rc, 0, err)
        self.assertEqual([c["platform"] for c in
                          json.loads(out)["data"]["cards"]], ["web"])
        # Delete the android card's campaign; a later sync names it gone.
        android = [c for c in cards if c["platform"] == "android"][0]
        cid = android["meta_data"]["moe_campaign_id"]
        rc, out, err = self.cards("delete", {
            "uid": "card-user", "campaign_ids": [cid, "nope"],
            "platforms": ["android"]})
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["data"], {"android": {
            "success": [cid], "failed": [], "invalid": ["nope"]}})
        self.assertEqual(self.journal("/v1/cards/")[-1]["method"], "DELETE")
        rc, out, err = self.cards("fetch", {
            "uid": "card-user", "prev_sync_card_ids": [android["id"]],
            "last_updated_time": android["updated_at"]})
        self.assertEqual(rc, 0, err)
        data = json.loads(out)["data"]
        self.assertEqual(data["deleted_card_ids"], [android["id"]])
        self.assertEqual(len(data["cards"]), 2)

    def test_cards_unknown_user_is_moengages_sentence(self):
        rc, out, err = self.cards("fetch", {"uid": "nobody"})
        self.assertEqual(rc, 1, out)
        e = self.error(err)
        self.assertEqual(e["http_status"], 400)
        self.assertIn("User not found for this uid/ unique_id", e["message"])
        # Neither uid nor unique_id: refused before sending.
        rc, out, err = self.cards("delete", {"campaign_ids": ["c"]})
        self.assertEqual(rc, 1, out)
        self.assertEqual(self.error(err)["field"], "uid")


class RpcHeaders(test_link.LinkedCase):
    """POST /actions/rpc: the caller's own Idempotency-Key in "headers"."""

    WORKSPACES = test_actions.WS
    LINK = test_actions.LINK
    KEY = "3f2b8c1e-9d4a-4b6e-8f10-2a3b4c5d6e7f"

    def rpc(self, unsubscribed, key):
        return self.env.request("POST", "/actions/rpc", body={
            "action": "moengage_update_subscription_preferences_v5",
            "body": {"user_identifier_type": "email",
                     "user_identifier_value": "jane@example.com",
                     "is_globally_unsubscribed": unsubscribed},
            "headers": {"Idempotency-Key": key}},
            headers={"x-account-id": self.account})

    def test_callers_key_passes_through_and_a_reuse_is_moengages_409(self):
        st, _, out = self.rpc(True, self.KEY)
        self.assertEqual((st, out["type"]), (200, "subscription_preference"))
        sent = [r for r in self.env.sim.requests()["requests"]
                if r["path"] == CallDocumented.V5]
        self.assertEqual(header(sent[-1], "Idempotency-Key"), self.KEY)
        # The same key with another body: MoEngage's documented 409.
        st, _, out = self.rpc(False, self.KEY)
        self.assertEqual(st, 409, out)
        self.assertIn("Idempotency-Key was already used",
                      json.dumps(out))
        # Not a UUID: refused before anything is sent.
        before = len(self.env.sim.requests()["requests"])
        st, _, out = self.rpc(False, "retry-1")
        self.assertEqual(st, 400, out)
        self.assertIn("Idempotency-Key", json.dumps(out))
        self.assertEqual(len(self.env.sim.requests()["requests"]), before)


if __name__ == "__main__":
    unittest.main()
