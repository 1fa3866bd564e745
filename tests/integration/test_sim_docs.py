# SPDX-License-Identifier: MIT
"""moelink sim: the operations added after auditing MoEngage's OpenAPI files
against the catalog and the simulator (docs/sim.md, docs/actions.md). Each
is called straight at the simulator with its documented bodies; the
conformance test (test_conformance.py) calls each through /actions/rpc."""
import unittest

from harness import SimCase

MISSING = "MissingAttributeError"
GDPR = "/v1/opengdpr_requests/WS_US01"


def gdpr(**kw):
    body = {"request_type": "erasure",
            "submitted_time": "2018-10-05T15:00:00Z",
            "identities": [{"identity_type": "ID", "identity_value": "u1"}],
            "api_version": "1.0"}
    body.update(kw)
    return {k: v for k, v in body.items() if v is not None}


class GdprTest(SimCase):
    """gdpr-ccpa.yaml: POST /v1/opengdpr_requests/{appId}, Data key."""

    def user(self, cid):
        return self.sim.admin("GET", "/_sim/users/WS_US01/" + cid)[0]

    def test_erasure_by_id_removes_the_user(self):
        self.assertAccepted(self.sim.api("/v1/customer/WS_US01", {
            "type": "customer", "customer_id": "u1",
            "attributes": {"email": "ann@example.com"}}))
        self.assertEqual(self.user("u1"), 200)
        self.assertAccepted(self.sim.api(GDPR, gdpr()))
        self.assertEqual(self.user("u1"), 404)
        # Asynchronous at MoEngage: an unknown user is accepted too.
        self.assertAccepted(self.sim.api(GDPR, gdpr()))

    def test_documented_missing_fields(self):
        self.assertFail(self.sim.api(GDPR, gdpr(request_type=None)), 400,
                        "request_type is not found in the payload", MISSING,
                        "request_type")
        self.assertFail(self.sim.api(GDPR, gdpr(identities=None)), 400,
                        "identities is not found in the payload", MISSING,
                        "identities")

    def test_identity_type_outside_the_enum(self):
        st, _, body, _ = self.sim.api(GDPR, gdpr(identities=[
            {"identity_type": "customer_id", "identity_value": "u1"}]))
        self.assertEqual((st, body["error"]["type"],
                          body["error"]["attribute"]),
                         (400, "ValueError", "identity_type"))

    def test_path_app_id_must_be_the_workspace(self):
        st, _, body, _ = self.sim.api("/v1/opengdpr_requests/WS_OTHER",
                                      gdpr())
        self.assertEqual((st, body["error"]["message"]),
                         (409, "App key mismatch in params and "
                          "authentication"))

    def test_other_key_slot_is_refused(self):
        st, _, body, _ = self.sim.api(GDPR, gdpr(), key="gen-key-us01")
        self.assertEqual((st, body["error"]["type"]),
                         (401, "Authentication required"))

    def test_documented_413_and_415_bodies(self):
        self.assertFail(self.sim.api(
            GDPR, raw=b"{" + b" " * 140000 + b"}",
            headers={"Content-Type": "application/json"}), 413,
            "Payload can not exceed 128KB.", "Payload too large")
        self.assertFail(self.sim.api(GDPR, raw=b"{}",
                                     headers={"Content-Type": "text/xml"}),
                        415, "Content type is not supported",
                        "Unsupported media type")


class InstallTest(SimCase):
    """data.yaml: GET /v1/installInfo, no authentication (security: [])."""

    def install(self, **q):
        query = {"appId": "WS_US01", "src": "adjust",
                 "appAttributionKey": "k1"}
        query.update(q)
        qs = "&".join("%s=%s" % kv for kv in query.items() if kv[1])
        return self.sim.api("/v1/installInfo?" + qs, ws=None, method="GET")

    def test_install_needs_no_key(self):
        self.assertAccepted(self.install())
        self.assertAccepted(self.install(idfv="v1", campaign_name="c"))

    def test_required_query_parameters(self):
        for name in ("appId", "src", "appAttributionKey"):
            st, _, body, _ = self.install(**{name: None})
            self.assertEqual((st, body["error"]["message"]),
                             (400, "%s is required in path/query params."
                              % name), name)

    def test_workspace_of_another_data_center_is_unknown(self):
        st, _, body, _ = self.install(appId="WS_EU02")
        self.assertEqual((st, body["error"]["type"]), (400, "InvalidParams"))


ARCHIVAL = "/v1/archival/view"


def archival(**kw):
    body = {"user_id": "USER_ID_123", "delivery_type": "ONE_TIME",
            "campaign_type": "sms", "campaign_channel": "SMS",
            "sent_epoch_time": 1716972486, "campaign_id": "CAMPAIGN_ID_XYZ",
            "event_name": "SMS Sent", "platform": "SMS"}
    body.update(kw)
    return {k: v for k, v in body.items() if v is not None}


class ArchivalTest(SimCase):
    """message-archival.yaml: POST /v1/archival/view, Data key,
    MOE-APPKEY, 1000 RPM, its own error bodies."""

    WORKSPACES = [
        {"workspace_id": "WS_US01", "data_center": "01",
         "keys": {"data": "data-key-us01", "general": "gen-key-us01"},
         "limits": {"archival_view_per_min": 2}},
    ]

    def view(self, body, key="data-key-us01", appkey="WS_US01"):
        h = {"MOE-APPKEY": appkey} if appkey else {}
        return self.sim.api(ARCHIVAL, body, key=key, headers=h)

    def test_view_returns_the_message_copy(self):
        st, hd, body, _ = self.view(archival(event_id="ev1"))
        self.assertEqual(st, 200, body)
        self.assertIs(body["status"], True)
        d = body["data"]["message_details"]
        self.assertEqual((d["message_id"], d["channel"], d["platform"],
                          d["delivery_type"], d["moe_event_id"]),
                         ("CAMPAIGN_ID_XYZ", "sms", "sms", "ONE_TIME", "ev1"))
        self.assertIn("CAMPAIGN_ID_XYZ", body["data"]["file_info"][
            "file_name"])
        self.assertEqual(hd["x-ratelimit-limit"], "2")

    def test_documented_unsupported_event(self):
        st, _, body, _ = self.view(archival(event_name="SMS Clicked"))
        self.assertEqual((st, body["status"]), (400, False))
        self.assertTrue(body["error_message"].startswith(
            "This event is unsupported to view message copy."))

    def test_documented_401_for_any_credential_problem(self):
        want = {"status": False, "error": "Invalid data key"}
        for key, appkey in (("gen-key-us01", "WS_US01"),
                            ("data-key-us01", None),
                            ("data-key-us01", "WS_OTHER")):
            st, _, body, _ = self.view(archival(), key=key, appkey=appkey)
            self.assertEqual((st, body), (401, want), (key, appkey))

    def test_429_has_headers_and_no_body(self):
        for _ in range(2):
            self.assertEqual(self.view(archival())[0], 200)
        st, hd, body, raw = self.view(archival())
        self.assertEqual((st, raw, hd["x-ratelimit-remaining"]),
                         (429, b"", "0"))

    def test_fault_500_is_the_documented_title_body(self):
        st, _ = self.sim.add_fault(family="data", status=500,
                                   path_prefix=ARCHIVAL)
        self.assertEqual(st, 201)
        st, _, body, _ = self.view(archival())
        self.assertEqual((st, body["title"]), (500, "Server Error"))


if __name__ == "__main__":
    unittest.main()
