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


FI_HOST = "fileimports-data-api-01.moengage.com"
FI = "/v1.0/data/fileimports"


class FileImportsTest(SimCase):
    """data.yaml's File Imports on fileimports-data-api-<dc>: Data key,
    MOE-APPKEY, their own error bodies."""

    WORKSPACES = [
        {"workspace_id": "WS_US01", "data_center": "01",
         "keys": {"data": "data-key-us01", "general": "gen-key-us01"},
         "limits": {"file_import_status_per_min": 5}},
    ]

    def fi(self, path, body=None, key="data-key-us01", appkey="WS_US01",
           headers=None):
        h = {"MOE-APPKEY": appkey} if appkey else {}
        h.update(headers or {})
        return self.sim.api(FI + path, body, key=key, host=FI_HOST,
                            headers=h)

    def imports(self, **filters):
        st, _, body, _ = self.fi("/import/status", filters)
        self.assertEqual(st, 200, body)
        return body

    def test_status_lists_and_filters_the_imports(self):
        body = self.imports()
        self.assertEqual((body["status"], body["total_count"],
                          body["offset"], body["more_files"]),
                         ("success", 4, 1, False))
        self.assertEqual(len(set(i["import_id"] for i in body["data"])), 4)
        self.assertNotIn("files", body["data"][0])
        # A value, or an array of values as in data.yaml's example.
        self.assertEqual([i["import_name"] for i in self.imports(
            import_type="AUX_DATA")["data"]], ["Store locations"])
        self.assertEqual({i["import_name"] for i in self.imports(
            import_type=["USERS", "EVENTS"], schedule_type="PERIODIC")[
                "data"]}, {"Daily users", "Old price list"})
        self.assertEqual(self.imports(import_name="Daily users")[
            "total_count"], 1)

    def test_status_documented_400s(self):
        st, _, body, _ = self.fi("/import/status", {"import_type": "users"})
        self.assertEqual((st, body), (400, {
            "success": False, "status_code": "400 Bad Request",
            "data": "Unable to process the request"}))
        st, _, body, _ = self.fi("/import/status", {"offset": 2})
        self.assertEqual((st, body["error_type"]),
                         (400, "Invalid Offset Value"))
        st, _, body, _ = self.fi("/import/status", {"date": {
            "start_date": "01/01/2024", "end_date": "15/02/2024",
            "format": "DD/MM/YYYY"}})
        self.assertEqual((st, body["error_type"]),
                         (400, "Difference exceeds 30 days"))
        st, _, body, _ = self.fi("/import/status", {"date": {
            "start_date": "2024-01-01", "end_date": "2024-01-02",
            "format": "DD/MM/YYYY"}})
        self.assertEqual((st, body["error_type"]),
                         (400, "Invalid Date format"))

    def test_history_by_id_or_name(self):
        daily = self.imports(import_name="Daily users")["data"][0]
        st, _, body, _ = self.fi("/import/run/history",
                                 {"import_id": daily["import_id"]})
        self.assertEqual((st, body["total_count"]), (200, 2), body)
        self.assertTrue(all(f["type"] == "USERS" for f in body["data"]))
        st, _, body, _ = self.fi("/import/run/history", {
            "import_name": "Store locations", "file_status": ["FAILED"]})
        self.assertEqual((st, [f["file_status"] for f in body["data"]]),
                         (200, ["FAILED"]))
        st, _, body, _ = self.fi("/import/run/history",
                                 {"import_name": "No such import"})
        self.assertEqual((st, body["error_type"]),
                         (400, "Import Doesn't Exist"))

    def test_trigger_once_per_five_minutes(self):
        daily = self.imports(import_name="Daily users")["data"][0]
        path = "/trigger/" + daily["import_id"]
        st, _, body, _ = self.fi(path)
        self.assertEqual((st, body), (200, {
            "status": "success", "message": "Triggered Import Successfully"}))
        st, _, body, _ = self.fi(path)
        self.assertEqual((st, body["error_type"], body["message"]),
                         (400, "ALREADY_EXISTS",
                          "Import has run in the last 5 min."))
        old = self.imports(schedule_status="ARCHIVED")["data"][0]
        for sid in (old["import_id"], "0" * 24):
            st, _, body, _ = self.fi("/trigger/" + sid)
            self.assertEqual((st, body["error_type"]), (400, "NOT_FOUND"))

    def test_documented_auth_and_media_bodies(self):
        st, _, body, _ = self.fi("/import/status", {}, appkey=None)
        self.assertEqual((st, body), (401, {
            "title": "HeaderMissing",
            "description": "MOE-APPKEY is missing in Header"}))
        st, _, body, _ = self.fi("/import/status", {}, appkey="WS_OTHER")
        self.assertEqual((st, body["title"]), (401, "HeaderMismatch"))
        st, _, body, _ = self.fi("/import/status", {}, key="gen-key-us01")
        self.assertEqual((st, body["title"]), (401, "AuthenticationInvalid"))
        ct = {"Content-Type": "text/plain"}
        st, _, body, _ = self.sim.api(
            FI + "/import/run/history", raw=b"{}", host=FI_HOST,
            headers=dict(ct, **{"MOE-APPKEY": "WS_US01"}))
        self.assertEqual((st, body), (415, {
            "title": "Unsupported media type",
            "error_description": "Content type is not supported"}))

    def test_status_rate_limit_body(self):
        for _ in range(5):
            self.imports()
        st, hd, body, _ = self.fi("/import/status", {})
        self.assertEqual((st, body["status"], body["error"]["type"]),
                         (429, "fail", "Rate Limits Exceeded"))
        self.assertEqual(hd["x-ratelimit-remaining"], "0")

    def test_only_on_the_fileimports_host(self):
        st, _, _, _ = self.sim.api(FI + "/import/status", {},
                                   headers={"MOE-APPKEY": "WS_US01"})
        self.assertEqual(st, 404)


class BusinessEventsV5LimitsTest(SimCase):
    """business-events-v5.yaml: GET /v5/business-events 60/min and
    1,000/hour, POST /v5/business-events/search 30/min and 500/hour."""

    WORKSPACES = [
        {"workspace_id": "WS_US01", "data_center": "01",
         "keys": {"data": "data-key-us01", "general": "gen-key-us01"},
         "limits": {"business_events_v5_list_per_min": 2,
                    "business_events_v5_search_per_hour": 1}},
    ]

    def be(self, path, body=None, method="POST"):
        return self.sim.api(path, body, key="gen-key-us01", method=method)

    def test_list_and_search_windows(self):
        for _ in range(2):
            st, hd, body, _ = self.be("/v5/business-events", method="GET")
            self.assertEqual(st, 200, body)
        self.assertEqual(hd["x-ratelimit-limit"], "2")
        st, _, body, _ = self.be("/v5/business-events", method="GET")
        self.assertEqual((st, body["error"]["code"]), (429, "RATE_LIMITED"))
        self.assertEqual(self.be("/v5/business-events/search", {
            "filters": {"names": ["x"]}})[0], 200)
        st, _, body, _ = self.be("/v5/business-events/search", {
            "filters": {"names": ["x"]}})
        self.assertEqual((st, body["error"]["code"]), (429, "RATE_LIMITED"))

    def test_a_refused_request_spends_nothing(self):
        for _ in range(3):
            st, _, body, _ = self.be("/v5/business-events?limit=99",
                                     method="GET")
            self.assertEqual((st, body["error"]["code"]),
                             (400, "INVALID_REQUEST"))
        self.assertEqual(self.be("/v5/business-events", method="GET")[0],
                         200)


V5_PREFS = "/v5/subscription-preferences"


class SubscriptionV5Test(SimCase):
    """subscription-categories-v5.yaml / email-subscription-v5.yaml: the
    v5 reads and PATCH, sharing the v1 preferences."""

    def v5(self, path, body=None, method="GET", headers=None):
        h = {"MOE-APPKEY": "WS_US01"}
        h.update(headers or {})
        return self.sim.api(path, body, method=method, headers=h)

    def patch(self, body, key="k-1"):
        return self.v5(V5_PREFS, body, "PATCH", {"Idempotency-Key": key})

    def test_categories(self):
        st, _, body, _ = self.v5("/v5/subscription-categories")
        self.assertEqual((st, body["type"]), (200, "subscription_category"))
        self.assertTrue(body["response_id"].startswith("resp_"))
        self.assertIn({"name": "promotional", "display_name": "Promotional",
                       "description": "Promotional", "channel": "email",
                       "group": "Marketing", "status": "active"},
                      body["data"])
        self.assertEqual(self.v5("/v5/subscription-categories?channel=sms")[
            2]["data"], [])
        st, _, body, _ = self.v5("/v5/subscription-categories?channel=push")
        self.assertEqual((st, body), (400, {"error": {
            "code": "BadArgument",
            "message": "channel must be one of: email, sms",
            "target": "channel"}}))

    def test_patch_then_read_in_v5_and_v1(self):
        self.assertAccepted(self.sim.api("/v1/customer/WS_US01", {
            "type": "customer", "customer_id": "u1"}))
        st, _, body, _ = self.patch({
            "user_identifier_type": "uid", "user_identifier_value": "u1",
            "is_globally_unsubscribed": False,
            "categories": {"promotional": False, "newsletter": True},
            "event_attributes": {"source": "preference_center"}})
        self.assertEqual((st, body["data"]["message"]), (202, "Your request "
                         "has been accepted and is being processed."))
        st, _, body, _ = self.v5(V5_PREFS + "?user_identifier_type=uid"
                                 "&user_identifier_value=u1")
        self.assertEqual(st, 200, body)
        state = {c["name"]: c["status"] for c in body["data"]["categories"]}
        self.assertEqual((state["promotional"], state["newsletter"],
                          body["data"]["is_globally_unsubscribed"]),
                         ("unsubscribed", "subscribed", False))
        self.assertRegex(body["data"]["user_id"], r"^usr_[0-9a-f]{24}$")
        # The same user by its MoEngage id, with or without usr_.
        moe = body["data"]["user_id"]
        for v in (moe, moe[4:]):
            st, _, again, _ = self.v5(
                V5_PREFS + "?user_identifier_type=moe_user_id"
                "&user_identifier_value=" + v)
            self.assertEqual((st, again["data"]["categories"]),
                             (200, body["data"]["categories"]))
        # v1 bulk keeps preferences by customer_id: the same record.
        st, _, v1, _ = self.sim.api(
            "/v1/category-subscription/user-preferences?user_id=u1&cid=c1",
            method="GET", headers={"MOE-APPKEY": "WS_US01"})
        self.assertEqual((st, v1["categories"]["Promotional"]),
                         (200, False))

    def test_unknown_user_and_bad_identifier(self):
        st, _, body, _ = self.v5(V5_PREFS + "?user_identifier_type=uid"
                                 "&user_identifier_value=nobody")
        self.assertEqual((st, body["error"]["code"]), (404, "NotFound"))
        st, _, body, _ = self.v5(V5_PREFS + "?user_identifier_type=phone"
                                 "&user_identifier_value=1")
        self.assertEqual((st, body["error"]["message"]), (
            400, "user_identifier_type must be one of: moe_user_id, uid, "
            "email"))
        st, _, body, _ = self.v5(V5_PREFS + "?user_identifier_type=email")
        self.assertEqual((st, body["error"]["message"]),
                         (400, "user_identifier_value is required"))

    def test_idempotency_key(self):
        one = {"user_identifier_type": "email",
               "user_identifier_value": "jane@example.com",
               "is_globally_unsubscribed": True}
        self.assertEqual(self.patch(one)[0], 202)
        self.assertEqual(self.patch(one)[0], 202)
        st, _, body, _ = self.patch(dict(one, is_globally_unsubscribed=False))
        self.assertEqual((st, body["error"]["target"]),
                         (409, "Idempotency-Key"))
        st, _, body, _ = self.v5(V5_PREFS, one, "PATCH")
        self.assertEqual((st, body["error"]["target"]),
                         (400, "Idempotency-Key"))

    def test_documented_body_errors(self):
        base = {"user_identifier_type": "email",
                "user_identifier_value": "jane@example.com",
                "is_globally_unsubscribed": False}
        for extra, msg in (
                ({"categories": {"vip": True}}, "Unknown category name(s)"),
                ({"event_attributes": {"a%d" % i: "v" for i in range(6)}},
                 "A maximum of 5 event_attributes is allowed"),
                ({"event_attributes": {"a" * 51: "v"}},
                 "Invalid event_attributes")):
            st, _, body, _ = self.patch(dict(base, **extra))
            self.assertEqual((st, body["error"]["message"]), (400, msg))
        st, _, body, _ = self.patch({"user_identifier_type": "email",
                                     "user_identifier_value": "j@e.com"})
        self.assertEqual((st, body["error"]["target"]),
                         (400, "is_globally_unsubscribed"))

    def test_credentials(self):
        st, _, body, _ = self.sim.api("/v5/subscription-categories",
                                      method="GET", key="gen-key-us01")
        self.assertEqual((st, body), (401, {"error": {
            "code": "Unauthorized",
            "message": "Invalid or missing credentials",
            "target": "Authorization"}}))
        # The reads take the call without MOE-APPKEY (one draft makes it
        # optional); the PATCH needs it.
        self.assertEqual(self.sim.api("/v5/subscription-categories",
                                      method="GET")[0], 200)
        st, _, _, _ = self.sim.api(V5_PREFS, {
            "user_identifier_type": "email", "user_identifier_value": "j@e",
            "is_globally_unsubscribed": False}, method="PATCH",
            headers={"Idempotency-Key": "k"})
        self.assertEqual(st, 401)


class DocumentedWordingTest(SimCase):
    """Bodies the simulator worded differently from the OpenAPI files."""

    def test_merge_without_authorization_details(self):
        body = {"merge_data": [{"merged_user": "a", "retained_user": "b"}]}
        path = "/v1/customer/merge?app_id=WS_US01"
        self.assertFail(self.sim.api(path, body, ws=None), 401,
                        "Authorization details are missing",
                        "Authentication required")
        self.assertFail(self.sim.api(path, body, ws=None, headers={
            "Authorization": ""}), 401, "Authorization details are missing",
            "Authentication required")

    def test_file_segment_not_found_names_the_segment(self):
        db = {"MOE-DBNAME": "WS_US01"}
        st, _, body, _ = self.sim.api("/v2/custom-segments/archive",
                                      {"name": "nosuch"}, method="PATCH",
                                      headers=db)
        self.assertEqual((st, body), (404, {
            "title": "Entity Not Found",
            "description": "Segment not found with the given name: nosuch"}))

    def personalize(self, path, body):
        return self.sim.api(path, body, key="pers-key-us01",
                            host="sdk-01.moengage.com",
                            headers={"MOE-APPKEY": "WS_US01"})

    def test_personalize_field_errors(self):
        st, _, body, _ = self.personalize("/v1/experiences/fetch",
                                          {"DAY_OF_THE_WEEK": "funday"})
        self.assertEqual((st, body["title"], body["description"]), (
            400, "Invalid Field Value", "DAY_OF_THE_WEEK - Enum doesnt "
            "allow value: funday, allowed values: [Sunday, Monday, "
            "Tuesday, Wednesday, Thursday, Friday, Saturday]"))
        st, _, body, _ = self.personalize("/v1/experiences/events", {
            "elements": [{"customer_id": "u1", "actions": []}]})
        self.assertEqual((st, body["description"]), (
            400, "elements - Validators Failed : Validator: Element, "
            "Errored Field: actions"))

    def test_bulk_resubscribe_has_its_own_405(self):
        st, hd, body, _ = self.sim.api("/emails/v1.0/bulk-resubscribe",
                                       method="GET",
                                       headers={"MOE-APPKEY": "WS_US01"})
        self.assertEqual((st, body), (405, {
            "response_id": hd["x-request-id"], "error": {
                "message": "This API only supports the POST method. Kindly "
                           "update the method and retry again."}}))
        # Elsewhere: data.yaml's file-import 405.
        st, _, body, _ = self.sim.api("/v1/customer/merge", method="GET")
        self.assertEqual((st, body), (405, {"status": "fail",
                                            "message": "Method not allowed"}))


if __name__ == "__main__":
    unittest.main()
