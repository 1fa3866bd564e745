# SPDX-License-Identifier: MIT
"""moelink sim, the families beyond Data: for each one its host and key slot
(a wrong key and a key of another slot get the family's own 401 body), the
required MOE-APPKEY, a success, documented validation errors, paging over
what the simulator stores (every item exactly once), the family's 429 with
a small configured limit, and its fault body. Push's 200-with-Fail and
Inform's duplicate 409 are checked byte for byte against the OpenAPI
examples."""
import datetime
import gzip
import hashlib
import re
import unittest

from harness import SimCase

US = "api-01.moengage.com"
EU = "api-02.moengage.com"
PUSH_US = "pushapi-01.moengage.com"
SDK_US = "sdk-01.moengage.com"

GEN = "gen-key-us01"
DATA = "data-key-us01"

LIMITED = {
    "inform_per_min": 2, "push_user_per_min": 2, "campaign_stats_per_min": 2,
    "business_event_search_per_min": 2, "business_event_triggers_per_hour": 2,
    "templates_sms_create_per_min": 2, "catalog_per_min": 2,
    "segments_list_per_min": 2, "file_segment_ops_per_hour": 2,
    "cohort_sync_per_min": 2, "subscription_get_per_min": 2,
    "bulk_resubscribe_per_min": 2, "opt_in_per_min": 2,
    "personalize_fetch_per_min": 2, "recommendations_list_per_min": 2,
}

WORKSPACES = [
    {"workspace_id": "WS_US01", "data_center": "01", "name": "Acme US",
     "db_name": "acme_us",
     "keys": {"data": DATA, "general": GEN, "push": "push-key-us01",
              "inform": "inform-key-us01", "personalize": "pers-key-us01"}},
    {"workspace_id": "WS_EU02", "data_center": "02", "name": "Acme EU",
     "keys": {"multi": "multi-key-eu02"}},
    {"workspace_id": "WS_LIM", "data_center": "01", "name": "Limited",
     "keys": {"data": "data-lim", "general": "gen-lim", "push": "push-lim",
              "inform": "inform-lim", "personalize": "pers-lim"},
     "limits": LIMITED},
]


def sha(*parts):
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class FamilyCase(SimCase):
    """Calls with the family's key and MOE-APPKEY by default."""

    WORKSPACES = WORKSPACES
    KEY = GEN
    HOST = US

    def call(self, path, body=None, key=None, ws="WS_US01", host=None,
             method="POST", appkey=True, headers=None, raw=None):
        h = {}
        if appkey:
            h["MOE-APPKEY"] = ws if appkey is True else appkey
        h.update(headers or {})
        if raw is not None:
            h.setdefault("Content-Type", "application/json")
        return self.sim.api(path, body, ws=ws, key=key or self.KEY,
                            host=host or self.HOST, method=method,
                            headers=h, raw=raw)

    def limited(self, path, body=None, key=None, method="POST",
                headers=None):
        """Call as WS_LIM with its key for this family's slot."""
        slot = {GEN: "gen-lim", DATA: "data-lim", "inform-key-us01":
                "inform-lim", "pers-key-us01": "pers-lim"}[self.KEY]
        return self.call(path, body, key=key or slot, ws="WS_LIM",
                         method=method, headers=headers)

    def assertStatus(self, res, status, body=None):
        st, _, parsed, raw = res
        self.assertEqual(st, status, raw)
        if body is not None:
            self.assertEqual(parsed, body)

    def assertFault(self, family, path, status, body, **kw):
        """An injected status answers with the family's documented body."""
        st, _ = self.sim.add_fault(family=family, status=status)
        self.assertEqual(st, 201)
        res = self.call(path, kw.pop("send", {}), **kw)
        self.assertStatus(res, status)
        if callable(body):
            body(res[2])
        else:
            self.assertEqual(res[2], body)


class SimInformTest(FamilyCase):
    KEY = "inform-key-us01"
    PATH = "/v1.0/alerts/send"

    def alert(self, tx="TXN_1", **kw):
        b = {"alert_id": "636b77e6e2cf83277195fb60", "user_id": "U1",
             "transaction_id": tx, "payloads": {"SMS": {"recipient": "123"}}}
        b.update(kw)
        return b

    def test_send_and_duplicate_within_five_minutes(self):
        st, hd, body, _ = self.call(self.PATH, self.alert())
        self.assertEqual(st, 200)
        self.assertEqual(body, {"message": "Successfully Received",
                                "request_id": hd["x-request-id"]})
        self.assertStatus(self.call(self.PATH, self.alert()), 409, {
            "message": "Duplicate Transaction ID",
            "err_code": "DUPLICATE_REQUEST_RECEIVED", "status_code": 120105})
        # Another transaction, and the sandbox keep their own history.
        self.assertStatus(self.call(self.PATH, self.alert("TXN_2")), 200)
        self.assertStatus(self.call(self.PATH, self.alert(),
                                    host="sandbox-api-01.moengage.com"), 200)

    def test_wrong_key_and_other_slot_are_401(self):
        want = {"message": "Invalid App Key or Basic Auth",
                "err_code": "UNAUTHORIZED", "status_code": 120001}
        for key in ("nope", GEN, "pers-key-us01"):
            self.assertStatus(self.call(self.PATH, self.alert(), key=key),
                              401, want)
        self.assertStatus(self.call(self.PATH, self.alert(), appkey=False),
                          401, want)
        # The workspace lives in 01: on 02 it is unknown.
        self.assertStatus(self.call(self.PATH, self.alert(), host=EU), 401,
                          want)

    def test_validation(self):
        bad = {"err_code": "BAD_REQUEST", "status_code": 120002}
        st, _, body, _ = self.call(self.PATH, self.alert(alert_id="x1"))
        self.assertEqual((st, body), (400, dict(bad,
                                                message="Invalid Alert ID")))
        st, _, body, _ = self.call(self.PATH, self.alert(tx="T" * 51))
        self.assertEqual((st, body["err_code"]), (400, "BAD_REQUEST"))
        b = self.alert()
        del b["transaction_id"]
        self.assertEqual(self.call(self.PATH, b)[0], 400)
        # Nothing was recorded: the same id still goes through once.
        self.assertStatus(self.call(self.PATH, self.alert()), 200)

    def test_multi_key_works(self):
        self.assertStatus(self.call(self.PATH, self.alert(), ws="WS_EU02",
                                    key="multi-key-eu02", host=EU), 200)

    def test_rate_limit(self):
        for i in range(2):
            self.assertStatus(self.limited(self.PATH, self.alert("T%d" % i)),
                              200)
        st, hd, body, _ = self.limited(self.PATH, self.alert("T9"))
        self.assertEqual((st, body), (429, {
            "message": "Too many requests", "err_code": "Rate Limit",
            "status_code": 140110}))
        self.assertEqual(hd["x-ratelimit-remaining"], "0")

    def test_fault_500(self):
        self.assertFault("inform", self.PATH, 500, {
            "message": "Unexpected error occurred",
            "err_code": "Internal Server Error", "status_code": 140109},
            send=self.alert())


class SimPushTest(FamilyCase):
    HOST = PUSH_US

    def push(self, name="Order Updates", app="WS_US01", key="push-key-us01",
             audience="User", **kw):
        b = {"appId": app, "campaignName": name,
             "signature": sha(app, name, key), "requestType": "push",
             "targetPlatform": ["ANDROID"], "targetAudience": audience,
             "payload": {"ANDROID": {"title": "t", "message": "m"}},
             "campaignDelivery": {"type": "soon"}}
        if audience == "User":
            b["targetUserAttributes"] = {
                "attribute": "USER_ATTRIBUTE_UNIQUE_ID",
                "comparisonParameter": "is", "attributeValue": "123"}
        b.update(kw)
        return b

    def send(self, body, v21=False, headers=None, host=PUSH_US):
        path = "/v2.1/transaction/sendpush" if v21 else \
            "/v2/transaction/sendpush"
        return self.sim.api(path, body, ws=None, host=host,
                            headers=headers)

    def v21_headers(self, b, query="user"):
        return {"X-MOE-APPKEY": b["appId"],
                "X-MOE-PushAPI-Signature": b["signature"],
                "X-MOE-Query-Type": query}

    def assertPushFail(self, res, message):
        st, _, body, _ = res
        self.assertEqual(st, 200)
        self.assertEqual(set(body), {"status", "Error_Message", "responseId",
                                     "requestId"})
        self.assertEqual((body["status"], body["Error_Message"],
                          body["requestId"]), ("Fail", message, ""))

    def test_success_v2_and_v21_reuse_user_campaign(self):
        st, _, a, _ = self.send(self.push())
        self.assertEqual((st, a["status"]), (200, "Success"))
        self.assertRegex(a["cid"], r"^[0-9a-f]{24}$")
        self.assertEqual(a["requestId"], a["responseId"])
        b = self.push()
        st, _, c, _ = self.send(b, v21=True, headers=self.v21_headers(b))
        # User campaigns of one name are one campaign.
        self.assertEqual((st, c["status"], c["cid"]),
                         (200, "Success", a["cid"]))

    def test_wrong_signature_is_200_fail(self):
        b = self.push()
        b["signature"] = sha("WS_US01", "Order Updates", "another-key")
        self.assertPushFail(self.send(b), "Signature is not verified")
        # The general key is not the push key either.
        self.assertPushFail(self.send(self.push(key=GEN)),
                            "Signature is not verified")
        # v2.1: the header must mirror the body's signature.
        b = self.push()
        h = self.v21_headers(b)
        h["X-MOE-PushAPI-Signature"] = "0" * 64
        self.assertPushFail(self.send(b, True, h), "Signature is not verified")

    def test_401_is_an_empty_list(self):
        b = self.push()
        for res in (self.send(b, v21=True),   # v2.1 without its headers
                    self.send(b, host="pushapi-02.moengage.com"),
                    self.sim.api("/v2/transaction/sendpush", raw=b"{x",
                                 ws=None, host=PUSH_US,
                                 headers={"Content-Type":
                                          "application/json"})):
            st, _, _, raw = res
            self.assertEqual((st, raw), (401, b"[]"))

    def test_documented_200_failures(self):
        self.assertPushFail(self.send(self.push(app="NOPE")), "Invalid appId")
        self.assertPushFail(self.send(self.push(name="Shrt")),
                            "Campaign Name too short")
        self.assertPushFail(self.send(self.push(requestType="sms")),
                            "Invalid Request Type")
        b = self.push()
        b["targetPlatform"] = ["BLACKBERRY"]
        self.assertPushFail(self.send(b),
                            "Key not of Type List or Value not allowed")
        # All Users campaigns need a unique name.
        self.assertEqual(self.send(self.push(
            "Weekly digest", audience="All Users"))[2]["status"], "Success")
        self.assertPushFail(self.send(self.push("Weekly digest",
                                                audience="All Users")),
                            "Duplicate campaign name")

    def test_multi_key_and_debug_app(self):
        b = self.push(app="WS_EU02", key="multi-key-eu02")
        st, _, body, _ = self.send(b, host="pushapi-02.moengage.com")
        self.assertEqual((st, body["status"]), (200, "Success"))
        b = self.push(app="WS_US01_DEBUG")
        self.assertEqual(self.send(b)[2]["status"], "Success")

    def test_rate_limit_is_empty_with_envoy_header(self):
        for i in range(2):
            self.assertEqual(self.send(self.push(
                "Order %d" % i, app="WS_LIM", key="push-lim"))[2]["status"],
                "Success")
        st, hd, _, raw = self.send(self.push("Order 9", app="WS_LIM",
                                             key="push-lim"))
        self.assertEqual((st, raw), (429, b""))
        self.assertEqual(hd["x-envoy-ratelimited"], "true")
        self.assertEqual(hd["x-ratelimit-limit"], "2, 2;w=60")

    def test_fault_500(self):
        st, _ = self.sim.add_fault(family="push", status=500)
        st, hd, body, _ = self.send(self.push())
        self.assertEqual(st, 500)
        self.assertEqual(body, {
            "code": 500, "status": "error", "reason": "There seems to be an "
            "error. We are working to fix this.",
            "reference": hd["x-request-id"]})


class SimCampaignReportTest(FamilyCase):
    PATH = "/core-services/v1/campaign-stats"

    def stats(self, **kw):
        b = {"request_id": "req-1", "start_date": "2024-12-01",
             "end_date": "2024-12-03", "attribution_type": "VIEW_THROUGH",
             "metric_type": "TOTAL"}
        b.update(kw)
        return b

    def test_paging_returns_every_campaign_once(self):
        seen, page = [], 1
        offset = 0
        while True:
            st, _, body, _ = self.call(self.PATH, self.stats(offset=offset,
                                                            limit=10))
            self.assertEqual(st, 200, body)
            self.assertEqual(body["response_id"], "req-1")
            self.assertEqual(body["current_page"], page)
            seen += list(body["data"])
            if page >= body["total_pages"]:
                break
            page += 1
            offset += 10
        self.assertEqual(body["total_campaigns"], 23)
        self.assertEqual(len(seen), 23)
        self.assertEqual(len(set(seen)), 23)
        one = body["data"][seen[-1]][0]
        perf = one["platforms"]["android"]["locales"]["all_locales"][
            "variations"]["all_variations"]["performance_stats"]
        self.assertEqual(perf["attempted"], perf["sent"] + perf["failed"])

    def test_pushed_campaign_is_listed(self):
        body = {"appId": "WS_US01", "campaignName": "Flash sale",
                "signature": sha("WS_US01", "Flash sale", "push-key-us01"),
                "targetPlatform": ["IOS"], "targetAudience": "All Users",
                "payload": {"IOS": {"title": "t", "message": "m"}},
                "campaignDelivery": {"type": "soon"}}
        cid = self.sim.api("/v2/transaction/sendpush", body, ws=None,
                           host=PUSH_US)[2]["cid"]
        st, _, res, _ = self.call(self.PATH, self.stats(campaign_ids=[
            cid, "000000000000000000000000"]))
        self.assertEqual((st, list(res["data"]), res["total_campaigns"]),
                         (200, [cid], 1))

    def test_auth_bodies(self):
        want = {"title": "Authentication required",
                "description": "Invalid identity information found."}
        for key in ("nope", DATA):
            st, _, body, _ = self.call(self.PATH, self.stats(), key=key)
            code = body.pop("code")
            self.assertEqual((st, body), (401, want))
            self.assertRegex(code, r"^[A-Za-z]{8}$")
        st, _, body, _ = self.call(self.PATH, self.stats(), appkey=False)
        body.pop("code")
        self.assertEqual((st, body), (400, {
            "title": "Invalid Field Value", "description": "app_key - Some of "
            "the field values are invalid: app_key : None"}))

    def test_validation(self):
        for kw in ({"campaign_ids": ["a"] * 11}, {"limit": 11},
                   {"end_date": "2025-01-15"}, {"metric_type": "ALL"},
                   {"start_date": "2024-13-01"}):
            st, _, body, _ = self.call(self.PATH, self.stats(**kw))
            self.assertEqual((st, body["title"]),
                             (400, "Invalid Field Value"), kw)

    def test_report_download_signature(self):
        name = "Report_-_test_%s.zip" % \
            datetime.datetime.utcnow().strftime("%Y%m%d")
        path = "/campaign_reports/rest_api/WS_US01/" + name
        st, hd, _, raw = self.sim.api(path, method="GET", ws=None, headers={
            "Signature": sha("WS_US01", name, GEN)})
        self.assertEqual((st, hd["content-type"]), (200, "application/gzip"))
        self.assertIn(b"Campaign Name", gzip.decompress(raw))
        st, _, _, raw = self.sim.api(path, method="GET", ws=None, headers={
            "Signature": sha("WS_US01", name, DATA)})
        self.assertEqual((st, raw), (401, b""))
        old = "Report_-_test_20200101.zip"
        st, _, body, _ = self.sim.api(
            "/campaign_reports/rest_api/WS_US01/" + old, method="GET",
            ws=None, headers={"Signature": sha("WS_US01", old, GEN)})
        self.assertEqual((st, body["error"]["type"]), (400, "BAD REQUEST"))

    def test_rate_limit(self):
        for _ in range(2):
            self.assertStatus(self.limited(self.PATH, self.stats()), 200)
        st, hd, body, _ = self.limited(self.PATH, self.stats())
        self.assertEqual((st, body["title"]), (429, "Too Many Requests"))
        self.assertEqual(hd["x-ratelimit-limit"], "2")


class SimBusinessEventsTest(FamilyCase):
    def create(self, name, attrs=None, key=None):
        return self.call("/v1.0/business_event", {
            "event_name": name, "created_by": "a@b.com",
            "event_attributes": attrs if attrs is not None else
            [{"attribute_name": "season", "attribute_data_type": "string"},
             {"attribute_name": "episodes", "attribute_data_type": "int"}]},
            key=key)

    def detail(self, res):
        st, _, body, _ = res
        return st, body["error"]["message"], body["error"]["details"][0]

    def test_create_trigger_search(self):
        st, _, body, _ = self.create("NewSeries")
        self.assertEqual((st, body["message"]),
                         (200, "The business event has been created"))
        eid = body["event_id"]
        self.assertStatus(self.call("/v1.0/business_event/trigger", {
            "event_name": "NewSeries", "event_attributes": {
                "season": "S1", "episodes": 12}}), 200,
            {"message": "The business event has been triggered"})
        st, _, body, _ = self.call("/v1.0/business_event/search",
                                   {"event_ids": [eid]})
        self.assertEqual((st, len(body["data"])), (200, 1))
        self.assertEqual((body["data"][0]["event_name"],
                          body["data"][0]["total_trigger"]), ("NewSeries", 1))

    def test_trigger_errors(self):
        self.create("NewSeries")
        self.create("nocampaign_event")
        st, msg, d = self.detail(self.call("/v1.0/business_event/trigger", {
            "event_name": "Unknown", "event_attributes": {}}))
        self.assertEqual((st, msg, d["target"]),
                         (400, "Business event does not exists", "event_name"))
        st, msg, d = self.detail(self.call("/v1.0/business_event/trigger", {
            "event_name": "NewSeries", "event_attributes": {"rating": 1}}))
        self.assertEqual((st, msg, d["target"]), (400, "Wrong business event "
                         "attribute passed in api request", "rating"))
        st, msg, d = self.detail(self.call("/v1.0/business_event/trigger", {
            "event_name": "nocampaign_event", "event_attributes": {}}))
        self.assertEqual((st, msg), (400, "No active campaign found for "
                                          "business event name"))

    def test_create_validation(self):
        st, msg, d = self.detail(self.call("/v1.0/business_event", {
            "event_name": "X", "event_attributes": []}))
        self.assertEqual((st, d), (400, {
            "code": "MissingValue", "target": "created_by",
            "message": "created_by - Field is required but value is None : "
                       "None"}))
        st, msg, d = self.detail(self.create("Y", [{
            "attribute_name": "brand", "attribute_data_type": "String"}]))
        self.assertEqual((st, d["target"], d["message"]), (
            400, ["brand"],
            "['brand'] - Wrong Attribute data type is passed : 'String'"))

    def test_auth_bodies(self):
        for key in ("nope", DATA):
            st, _, body, _ = self.create("Z", key=key)
            err = body["error"]
            self.assertEqual((st, err["code"], err["message"]),
                             (401, "401 Authentication error",
                              "Authentication required"))
            self.assertEqual(err["details"][0]["message"][0]["message"],
                             "Invalid APP_SECRET_KEY is provided.")
        st, _, body, _ = self.call("/v5/business-events", method="GET",
                                   key=DATA)
        self.assertEqual((st, body["error"]["code"]), (401, "UNAUTHORIZED"))

    def test_v5_cursor_paging_returns_every_event_once(self):
        names = ["ev_%d" % i for i in range(8)]
        for n in names:
            self.create(n)
        seen, cursor = [], None
        while True:
            q = "?limit=3" + ("&cursor=" + cursor if cursor else "")
            st, _, body, _ = self.call("/v5/business-events" + q,
                                       method="GET")
            self.assertEqual((st, body["type"]), (200, "business-events"))
            seen += [e["name"] for e in body["data"]]
            if not body["pagination"]["has_more"]:
                self.assertIsNone(body["pagination"]["next_cursor"])
                break
            cursor = body["pagination"]["next_cursor"]
        self.assertEqual(seen, names)
        st, _, body, _ = self.call("/v5/business-events/search", {
            "filters": {"names": ["ev_1", "ev_5"]}, "limit": 20})
        self.assertEqual([e["name"] for e in body["data"]], ["ev_1", "ev_5"])
        st, _, body, _ = self.call("/v5/business-events?name=a&id=b",
                                   method="GET")
        self.assertEqual((st, body["error"]["code"]),
                         (400, "INVALID_REQUEST"))

    def test_v5_trigger(self):
        self.create("price_drop", [{"attribute_name": "new_price",
                                    "attribute_data_type": "float"}])
        self.create("nocampaign_x", [])
        st, _, body, _ = self.call("/v5/business-events/triggers", {
            "event_name": "price_drop", "triggered_by": "ops@acme.com",
            "event_attributes": {"new_price": 349.5},
            "moe_request_id": "550e8400-e29b-41d4-a716-446655440000"})
        self.assertEqual((st, body["response_id"], body["type"]), (
            200, "550e8400-e29b-41d4-a716-446655440000", "business-event"))
        data = body["data"]
        self.assertEqual((data["triggered_status"], data["summary"]),
                         ("SUCCESS", {"total": 1, "triggered": 1,
                                      "failed": 0}))
        self.assertRegex(data["triggered_campaign_ids"][0], r"^[0-9a-f]{24}$")
        st, _, body, _ = self.call("/v5/business-events/triggers", {
            "event_name": "nocampaign_x", "triggered_by": "ops@acme.com"})
        self.assertEqual((st, body["data"]["triggered_status"]),
                         (200, "FAILURE"))
        st, _, body, _ = self.call("/v5/business-events/triggers", {
            "event_name": "gone", "triggered_by": "ops@acme.com"})
        self.assertEqual((st, body["error"]["code"],
                          body["error"]["details"][0]["field"]),
                         (400, "VALIDATION_FAILED", "event_name"))
        st, _, body, _ = self.call("/v5/business-events/triggers", {
            "event_name": "price_drop"})
        self.assertEqual((st, body["error"]["details"][0]["field"]),
                         (400, "triggered_by"))
        st, _, body, _ = self.call("/v5/business-events/triggers", {
            "event_name": "price_drop", "triggered_by": "o@a.com"}, key=DATA)
        self.assertEqual((st, body["error"]["code"]),
                         (401, "AUTHENTICATION_REQUIRED"))

    def test_at_most_50_events(self):
        for i in range(50):
            self.assertStatus(self.create("e%d" % i, []), 200)
        self.assertEqual(self.create("e50", [])[0], 400)

    def test_rate_limits(self):
        for _ in range(2):
            self.assertStatus(self.limited("/v1.0/business_event/search",
                                           {"event_names": ["x"]}), 200)
        self.assertStatus(self.limited("/v1.0/business_event/search",
                                       {"event_names": ["x"]}), 429, {
            "status": "error", "data": {
                "code": 429, "title": "rate limiter exception",
                "description": "Exceeded rate limit for this app"}})
        # Triggers: 50 an hour by default, 2 here, legacy and v5 together.
        self.limited("/v1.0/business_event", {
            "event_name": "t", "created_by": "a@b.com",
            "event_attributes": []})
        for st in (200, 200, 429):
            self.assertEqual(self.limited("/v1.0/business_event/trigger", {
                "event_name": "t", "event_attributes": {}})[0], st)
        st, hd, body, _ = self.limited("/v5/business-events/triggers", {
            "event_name": "t", "triggered_by": "o@a.com"})
        self.assertEqual((st, body["error"]["code"]),
                         (429, "RATE_LIMIT_EXCEEDED"))
        self.assertIn("retry-after", hd)


class SimTemplatesTest(FamilyCase):
    def sms(self, i, version="1"):
        return {"basic_details": {"message": "Hello %d" % i},
                "meta_info": {"created_by": "a@b.com", "template_id":
                              "tpl_%d" % i, "template_name": "Ship %d" % i,
                              "template_version": version}}

    def test_create_update_and_page_every_template_once(self):
        ids = [self.call("/v1.0/custom-templates/sms", self.sms(i))[2][
            "external_template_id"] for i in range(7)]
        for i in ids:
            self.assertRegex(i, r"^[0-9a-f-]{36}$")
        st, _, body, _ = self.call("/v1.0/custom-templates/sms", {
            "external_template_id": ids[0], "basic_details": {"message": "v2"},
            "meta_info": {"template_name": "Ship v2",
                          "updated_by": "b@c.com"}}, method="PUT")
        self.assertEqual((st, body), (200, {"external_template_id": ids[0]}))
        seen = []
        for page in (1, 2, 3, 4):
            st, _, body, _ = self.call("/v1.0/custom-templates/sms/search",
                                       {"page": page, "entries": 3})
            self.assertEqual(st, 200)
            seen += [t["external_template_id"] for t in body["data"]]
        self.assertEqual(seen, ids)
        st, _, body, _ = self.call("/v1.0/custom-templates/sms/search", {
            "page": 1, "entries": 15, "template_ids": [
                {"external_template_id": ids[0], "version": 1}]})
        self.assertEqual([(t["version"], t["basic_details"]["message"])
                          for t in body["data"]], [(1, "Hello 0")])

    def test_duplicate_and_validation(self):
        self.call("/v1.0/custom-templates/sms", self.sms(1))
        st, _, body, _ = self.call("/v1.0/custom-templates/sms", self.sms(1))
        err = body["error"]
        self.assertEqual((st, err["message"], err["details"][0]["message"]), (
            400, "Duplicate - template_id and template_version",
            "template_id:tpl_1 template_version:1 is already present."))
        b = self.sms(2)
        b["meta_info"]["template_name"] = ""
        b["basic_details"]["summary"] = "x"
        st, _, body, _ = self.call("/v1.0/custom-templates/sms", b)
        self.assertEqual(body["error"]["details"], [
            {"code": "MissingValue", "target": "template_name",
             "message": "template_name value is required but value is passed "
                        "empty."},
            {"code": "NotSupported", "target": "['summary']",
             "message": "['summary'] are not expected in this request."}])
        st, _, body, _ = self.call("/v1.0/custom-templates/sms/search",
                                   {"page": 1, "entries": 16})
        self.assertEqual((st, body["title"]), (400, "Invalid Field Value"))
        st, _, body, _ = self.call("/v1.0/custom-templates/sms/search",
                                   {"entries": 5})
        self.assertEqual(st, 400)

    def test_push_bodies_follow_meta_info(self):
        b = {"ANDROID": {"basic_details": {
            "title": "t", "message": "m", "default_click_action": "DEEPLINKING",
            "default_click_action_value": "https://x"}},
            "meta_info": {"platform": ["ANDROID", "IOS"],
                          "template_style": "BASIC", "template_id": 1234567890,
                          "template_name": "P", "template_version": "1",
                          "created_by": "u"}}
        st, _, body, _ = self.call("/v1.0/custom-templates/push", b)
        self.assertEqual((st, body["error"]["details"][0]["message"]),
                         (400, "Template Body is missing for IOS."))
        b["meta_info"]["platform"] = ["ANDROID"]
        self.assertEqual(self.call("/v1.0/custom-templates/push", b)[0], 200)
        st, _, body, _ = self.call("/v1.0/custom-templates/push/search",
                                   {"page": 1, "entries": 10})
        meta = body["data"][0]["meta_info"]
        self.assertEqual((meta["template_id"], meta["channel"]),
                         ("1234567890", "PUSH"))

    def test_auth_bodies(self):
        for key in ("nope", DATA):
            st, _, body, _ = self.call("/v1.0/custom-templates/sms",
                                       self.sms(1), key=key)
            self.assertEqual((st, body["error"]["code"],
                              body["error"]["details"][0]["target"]),
                             (403, "403 Forbidden", "APP_SECRET_KEY"))
        st, _, body, _ = self.call("/v1.0/custom-templates/sms", self.sms(1),
                                   appkey=False)
        self.assertEqual((st, body), (401, {
            "title": "Authentication required",
            "description": "MOE-APPKEY missing in Authentication Header"}))
        st, _, body, _ = self.call("/v1.0/custom-templates/sms", raw=b"{}",
                                   headers={"Content-Type": "text/plain"})
        self.assertEqual((st, body), (415, {
            "title": "Unsupported media type",
            "description": "Content type is not supported"}))

    def test_rate_limit_per_endpoint(self):
        for i in range(2):
            self.assertStatus(self.limited("/v1.0/custom-templates/sms",
                                           self.sms(i)), 200)
        st, _, body, _ = self.limited("/v1.0/custom-templates/sms",
                                      self.sms(9))
        self.assertEqual((st, body["type"], body["error"]), (429,
                         "custom_template", {
                             "code": "Too Many Requests",
                             "message": "API rate limit breached. Current "
                                        "limit: 2/1 mins"}))
        # Search is another endpoint with its own window.
        self.assertEqual(self.limited("/v1.0/custom-templates/sms/search",
                                      {"page": 1, "entries": 5})[0], 200)


class SimContentBlocksTest(FamilyCase):
    BASE = "/v1/external/campaigns/content-blocks"

    def block(self, label, **kw):
        b = {"name": "Block " + label, "label": label, "content_type": "HTML",
             "raw_content": "<h1>%s</h1>" % label, "status": "ACTIVE",
             "created_by": "m@example.com", "content_block_used": [],
             "tag_ids": ["t1"]}
        b.update(kw)
        return b

    def test_create_search_get_update(self):
        st, _, _, raw = self.call(self.BASE, self.block("header"))
        self.assertEqual((st, raw), (200, b""))
        self.call(self.BASE, self.block("footer", content_type="TEXT",
                                        tag_ids=["t2"]))
        st, _, body, _ = self.call(self.BASE + "/search", {"filters": {}})
        self.assertEqual([b["label"] for b in body["data"]],
                         ["header", "footer"])
        st, _, body, _ = self.call(self.BASE + "/search", {"filters": {
            "content_type": ["TEXT"], "search_text": "FOOT"}})
        self.assertEqual([b["label"] for b in body["data"]], ["footer"])
        bid = body["data"][0]["id"]
        st, _, body, _ = self.call(self.BASE + "/get-by-ids", {
            "ids": [bid], "is_raw_content_required": True})
        self.assertEqual(body["data"][0]["raw_content"], "<h1>footer</h1>")
        self.assertStatus(self.call(self.BASE, {
            "id": bid, "name": "Footer 2", "status": "DRAFT",
            "raw_content": "bye", "updated_by": "x@example.com"},
            method="PUT"), 200)
        st, _, body, _ = self.call(self.BASE + "/get-by-ids", {"ids": [bid]})
        self.assertEqual((body["data"][0]["status"],
                          "raw_content" in body["data"][0]), ("DRAFT", False))

    def test_duplicate_label_and_validation(self):
        self.call(self.BASE, self.block("header"))
        st, _, body, _ = self.call(self.BASE, self.block("header"))
        self.assertEqual((st, body["error"], body["message"]), (
            409, "Duplicate Label", "label - A content block with this label "
            "already exists in the workspace: label : header"))
        st, _, body, _ = self.call(self.BASE, self.block("x",
                                                         content_type="PDF"))
        self.assertEqual((st, body["error"]), (400, "Invalid Field Value"))

    def test_auth(self):
        st, _, body, _ = self.call(self.BASE + "/search", {"filters": {}},
                                   appkey=False)
        self.assertEqual((st, body["description"]), (400, "app_key - Some of "
                         "the field values are invalid: app_key : None"))
        for key in ("nope", DATA):
            st, _, body, _ = self.call(self.BASE + "/search",
                                       {"filters": {}}, key=key)
            self.assertEqual((st, body["title"]),
                             (401, "Authentication required"))

    def test_fault_500(self):
        self.assertFault("content_blocks", self.BASE + "/search", 500,
                         lambda b: self.assertEqual(
                             b["title"], "Internal Server Error"),
                         send={"filters": {}})


class SimCatalogTest(FamilyCase):
    ATTRS = [{"name": n, "type": "string"} for n in
             ("id", "title", "link", "image_link")] + \
        [{"name": "price", "type": "double"},
         {"name": "in_stock", "type": "bool"}]

    def catalog(self, name="Summer"):
        st, _, body, _ = self.call("/v1/catalog", {
            "name": name, "price_currency": "USD", "attributes": self.ATTRS})
        self.assertEqual(st, 201, body)
        self.assertRegex(body["catalog_id"], r"^[0-9a-f]{24}$")
        return body["catalog_id"]

    def item(self, i, **kw):
        it = {"id": "P%03d" % i, "title": "Item %d" % i,
              "link": "https://x/%d" % i, "image_link": "https://x/%d.jpg" % i,
              "price": 9.5}
        it.update(kw)
        return it

    def test_items_lifecycle(self):
        cid = self.catalog()
        st, _, body, _ = self.call("/v1/catalog/%s/items" % cid, {"items": [
            self.item(1), self.item(2), self.item(1), self.item(3, price="x"),
            self.item(4, color="red"), {"id": "P005"}]})
        m = body["message"]
        self.assertEqual((st, m["valid"]["count"], m["invalid"]["count"]),
                         (200, 2, 4))
        self.assertEqual(sorted((d["error-id"], d["document_ids"])
                                for d in m["invalid"]["details"]), [
            ("duplicate-item-ids", ["P001"]),
            ("invalid-datatype-attribute", ["P003"]),
            ("invalid-item-attribute", ["P004"]),
            ("missing-mandatory-attributes", ["P005"])])
        st, _, body, _ = self.call("/v1/catalog/%s/items" % cid, {"items": [
            {"id": "P001", "attributes": {"price": 5}},
            {"id": "P404", "attributes": {"price": 5}}]}, method="PATCH")
        self.assertEqual(body["message"]["valid"]["count"], 1)
        st, _, body, _ = self.call("/v1/catalog/%s/items/search" % cid,
                                   {"items": ["P001", "P404"]})
        self.assertEqual([(i["id"], i["price"], i["catalog_id"])
                          for i in body["items"]], [("P001", 5, cid)])
        self.assertStatus(self.call("/v1/catalog/%s/items/bulk-delete" % cid,
                                    {"items": ["P001", "P404"]}), 202, {
            "message": {"valid": {"count": 1}, "invalid": {"count": 1}}})

    def test_attributes_and_schema_errors(self):
        cid = self.catalog()
        self.assertStatus(self.call("/v1/catalog/%s/attributes" % cid, {
            "attributes": [{"name": "price", "type": "double"},
                           {"name": "color", "type": "string"}]},
            method="PATCH"), 202, {"success": True,
                                   "duplicate-item-attributes": ["price"]})
        st, _, body, _ = self.call("/v1/catalog", {
            "name": "Bad", "price_currency": "USD",
            "attributes": self.ATTRS[:2]})
        self.assertEqual((st, body["error-code"]),
                         (400, "missing-mandatory-attributes"))
        st, _, body, _ = self.call("/v1/catalog", {
            "name": "Summer", "price_currency": "USD",
            "attributes": self.ATTRS})
        self.assertEqual((st, body["error-code"]),
                         (409, "duplicate-catalog-name"))
        st, _, body, _ = self.call("/v1/catalog/%s/items" % cid,
                                   {"items": [self.item(i) for i in range(51)]})
        self.assertEqual((st, body), (400, {
            "error-code": "invalid-request", "message": "items size should be "
            "greater than 0 and less than or equal to 50"}))
        st, _, body, _ = self.call("/v1/catalog/%s/items" % ("0" * 24),
                                   {"items": [self.item(1)]})
        self.assertEqual((st, body["error-code"]), (404, "catalog-not-found"))

    def test_auth(self):
        want = {"error-code": "request-unauthenticated", "message":
                "Your request is unauthorized. Please verify your credentials "
                "and try again."}
        for kw in ({"key": "nope"}, {"key": DATA}, {"appkey": False},
                   {"host": EU}):
            self.assertStatus(self.call("/v1/catalog", {"name": "x"}, **kw),
                              401, want)

    def test_rate_limit_is_combined(self):
        self.assertEqual(self.limited("/v1/catalog", {
            "name": "c", "price_currency": "USD",
            "attributes": self.ATTRS})[0], 201)
        self.assertEqual(self.limited("/v1/catalog/%s/items/search" % (
            "0" * 24), {"items": ["a"]})[0], 404)
        st, hd, _, raw = self.limited("/v1/catalog", {
            "name": "d", "price_currency": "USD", "attributes": self.ATTRS})
        self.assertEqual((st, raw), (429, b""))
        self.assertEqual(hd["x-ratelimit-remaining"], "0")


class SimSegmentationTest(FamilyCase):
    KEY = DATA
    FILTERS = {"filter_operator": "and", "filters": [
        {"filter_type": "user_attributes", "name": "plan",
         "data_type": "string", "operator": "in", "value": ["gold"],
         "negate": False}]}

    def seg(self, name, filters=None):
        return self.call("/v3/custom-segments", {
            "name": name, "included_filters": filters or self.FILTERS})

    def test_filter_segments(self):
        st, _, body, _ = self.seg("gold users")
        self.assertEqual((st, body["type"], body["data"]["type"],
                          body["data"]["source"]),
                         (201, "custom_segment", "ELASTIC_SEARCH", "API"))
        sid = body["data"]["id"]
        st, _, body, _ = self.seg("gold users", {
            "filter_operator": "or", "filters": []})
        self.assertEqual((st, body["error"]["code"]),
                         (409, "Resource not created"))
        st, _, body, _ = self.seg("gold again")
        self.assertEqual((st, body["error"]["existing_cs_id"]), (409, sid))
        st, _, body, _ = self.call("/v3/custom-segments?name=gold%20users",
                                   method="GET")
        self.assertEqual([s["id"] for s in body["data"]], [sid])
        st, _, body, _ = self.call("/v3/custom-segments/" + sid, {
            "name": "gold", "included_filters": {"filter_operator": "or",
                                                 "filters": []}},
            method="PATCH")
        self.assertEqual((st, body["data"]["name"]), (200, "gold"))
        st, _, body, _ = self.call("/v3/custom-segments/xyz", method="GET")
        self.assertEqual((st, body["error"]["message"]),
                         (400, "Invalid bson object-id passed in the request"))
        st, _, body, _ = self.call("/v3/custom-segments/" + "a" * 24,
                                   method="GET")
        self.assertEqual((st, body["error"]["code"]),
                         (404, "Entity Not Found"))

    def test_dbname_instead_of_appkey(self):
        self.seg("s1")
        st, _, body, _ = self.call("/v3/custom-segments", method="GET",
                                   appkey=False,
                                   headers={"MOE-DBNAME": "acme_us"})
        self.assertEqual((st, len(body["data"])), (200, 1))
        for h in ({}, {"MOE-DBNAME": "other_db"}):
            st, _, body, _ = self.call("/v3/custom-segments", method="GET",
                                       appkey=False, headers=h)
            self.assertEqual((st, body["error"]["code"]),
                             (400, "Request Error"))

    def test_file_segments_need_dbname(self):
        fs = {"name": "vip", "attribute_name": "uid",
              "attribute_type": "string", "file_url": "https://f/x.csv",
              "expiry_time": 30}
        db = {"MOE-DBNAME": "acme_us"}
        st, _, body, _ = self.call("/v2/custom-segments/file-segment", fs,
                                   appkey=False)
        self.assertEqual(st, 400)
        st, _, body, _ = self.call("/v2/custom-segments/file-segment", fs,
                                   appkey=False, headers=db)
        self.assertEqual((st, body["message"], body["cs_name"]), (
            202, "File-segment creation request accepted", "vip"))
        cs_id = body["cs_id"]
        st, _, body, _ = self.call("/v2/custom-segments/file-segment", fs,
                                   appkey=False, headers=db)
        self.assertEqual((st, body), (409, {
            "title": "Resource not created",
            "description": "Name already exists : vip"}))
        add = dict(fs, cs_id=cs_id)
        del add["expiry_time"]
        st, _, body, _ = self.call(
            "/v2/custom-segments/file-segment/add-users", add, method="PUT",
            appkey=False, headers=db)
        self.assertEqual((st, body["cs_id"]), (202, cs_id))
        st, _, body, _ = self.call("/v2/custom-segments/file-segment", dict(
            fs, name="x", file_url=None), appkey=False, headers=db)
        self.assertEqual((st, body), (400, {
            "title": "Invalid Request",
            "description": "Mandatory field missing in the request: "
                           "file_url"}))
        self.assertStatus(self.call("/v2/custom-segments/archive", {
            "name": "vip"}, method="PATCH", appkey=False, headers=db), 200, {
            "message": "Successfully archived the custom segment",
            "success": True, "cs_name": "vip"})

    def test_auth_bodies(self):
        st, _, body, _ = self.seg("a")
        for key, msg in (("nope", "APP_SECRET key mismatch. Please login to "
                          "the dashboard to verify key"),
                         (GEN, "APP_SECRET key mismatch. Please login to the "
                          "dashboard to verify key")):
            st, _, body, _ = self.call("/v3/custom-segments", method="GET",
                                       key=key)
            self.assertEqual((st, body["error"]),
                             (401, {"code": "Authentication required",
                                    "message": msg}))
        st, _, body, _ = self.call("/v2/custom-segments/archive",
                                   {"name": "a"}, method="PATCH", key=GEN,
                                   headers={"MOE-DBNAME": "acme_us"})
        self.assertEqual((st, body["title"]), (401, "Authentication required"))

    def test_cohort_sync(self):
        self.call("/v1/customer/WS_US01", {"type": "customer",
                                           "customer_id": "u1"})
        body = {"action": "add_members", "partner": "p", "parameters": {
            "cohort_name": "Fans", "cohort_id": "c1",
            "members": [{"uid": "u1"}, {"uid": "ghost"}]}}
        self.assertStatus(self.call("/v1/integrations/cohortsync", body),
                          200, {"status": "success", "message": "Your request "
                                "has been accepted and will be processed "
                                "soon."})
        del body["action"]
        st, _, res, _ = self.call("/v1/integrations/cohortsync", body)
        self.assertEqual((st, res["error"]["message"]),
                         (400, "action is not found in the payload"))
        st, _, res, _ = self.call("/v1/integrations/cohortsync", body,
                                  key="nope")
        self.assertEqual((st, res["error"]["type"]),
                         (401, "Authentication required"))

    def test_rate_limits(self):
        for _ in range(2):
            self.assertEqual(self.limited("/v3/custom-segments",
                                          method="GET")[0], 200)
        st, _, body, _ = self.limited("/v3/custom-segments", method="GET")
        self.assertEqual((st, body["error"]["message"]), (
            429, "API rate limit breached. Current limit: 2/1 mins"))
        db = {"MOE-DBNAME": "WS_LIM"}
        for i, st in enumerate((202, 202, 429)):
            res = self.limited("/v2/custom-segments/file-segment", {
                "name": "f%d" % i, "attribute_name": "uid",
                "attribute_type": "string", "file_url": "https://f/x.csv",
                "expiry_time": 1}, headers=db)
            self.assertEqual(res[0], st, res[2])
        self.assertEqual(res[2]["title"], "Too Many Requests")


class SimSubscriptionTest(FamilyCase):
    KEY = DATA
    PREFS = "/v1/category-subscription/user-preferences"

    def test_bulk_then_get_and_put(self):
        self.assertStatus(self.call(self.PREFS, {
            "channel": "email", "user_preferences": [{
                "customer_id": "john", "unsubscribe_all": False,
                "categories": {"Promotional": False}}]}), 200,
            {"message": "Your request has been processed"})
        st, _, body, _ = self.call(self.PREFS + "?user_id=john&cid=c1",
                                   method="GET")
        self.assertEqual((st, body["categories"]["Promotional"],
                          body["categories"]["Newsletter"]),
                         (200, False, True))
        self.assertStatus(self.call(self.PREFS + "?user_id=john&cid=c1", {
            "categories": {}, "unsubscribe_all": True}, method="PUT"), 200,
            {"message": "Success"})
        st, _, body, _ = self.call(self.PREFS + "?user_id=john&cid=c1",
                                   method="GET")
        self.assertFalse(any(body["categories"].values()))
        self.assertStatus(self.call(self.PREFS, method="GET"), 400,
                          {"message": "Invalid Params Received"})

    def test_bulk_cap_and_auth(self):
        prefs = [{"customer_id": "u%d" % i, "unsubscribe_all": False,
                  "categories": {}} for i in range(51)]
        self.assertStatus(self.call(self.PREFS, {"channel": "email",
                                                 "user_preferences": prefs}),
                          400, {"title": "Payload Limit Exceeded",
                                "description": "Payload limit is set to 50"})
        st, _, body, _ = self.call(self.PREFS + "?user_id=a&cid=b",
                                   method="GET", appkey=False)
        self.assertEqual((st, body), (401, {
            "title": "Header required",
            "description": "MOE-APPKEY missing in Header"}))
        for key in ("nope", GEN):
            st, _, body, _ = self.call(self.PREFS + "?user_id=a&cid=b",
                                       method="GET", key=key)
            self.assertEqual((st, body["title"]),
                             (401, "Authentication required"))

    def test_opt_in_needs_a_known_user(self):
        body = {"user_preferences": {"customer_id": "jane",
                                     "opt_in_status": "double_opted_in",
                                     "channel": "EMAIL",
                                     "categories": {"Newsletter": True}}}
        st, _, res, _ = self.call("/v1.0/opt-in-management/user-preferences",
                                  body, method="PUT")
        self.assertEqual((st, res["error"]["details"]["message"]), (
            400, "No users found with the provided customer_id or email_id. "
            "Please check the same."))
        self.call("/v1/customer/WS_US01", {"type": "customer",
                                           "customer_id": "jane"})
        self.assertStatus(self.call(
            "/v1.0/opt-in-management/user-preferences", body, method="PUT"),
            200, {"message": "Your request has been processed successfully"})
        body["user_preferences"]["categories"] = {"Bogus": True}
        st, _, res, _ = self.call("/v1.0/opt-in-management/user-preferences",
                                  body, method="PUT")
        self.assertEqual((st, res["error"]["details"]["target"]),
                         (400, "categories"))
        st, _, res, _ = self.call("/v1.0/opt-in-management/user-preferences",
                                  body, method="PUT", key=GEN)
        self.assertEqual((st, res["error"]["details"]["target"]),
                         (401, "Data key"))

    def test_bulk_resubscribe(self):
        st, _, body, _ = self.call("/emails/v1.0/bulk-resubscribe", {
            "recipients": ["a@b.com"], "esp": "SENDGRID", "update_esp": True,
            "request_id": "r1"})
        self.assertEqual((st, body["message"]),
                         (202, "The request is submitted successfully."))
        st, _, body, _ = self.call("/emails/v1.0/bulk-resubscribe", {
            "recipients": ["a%d@b.com" % i for i in range(101)],
            "esp": "SENDGRID", "request_id": "r1"})
        self.assertEqual((st, body["error"]), (400, {
            "message": "Payload limit is set to 100", "err_code":
            "BadRequest"}))
        st, _, body, _ = self.call("/emails/v1.0/bulk-resubscribe", {
            "recipients": ["a@b.com"], "request_id": "r"}, appkey="WS_EU02")
        self.assertEqual((st, body["error"]["err_code"]),
                         (401, "HeaderMismatch"))
        # esp is required; recipients may be the schema's string form.
        st, _, body, _ = self.call("/emails/v1.0/bulk-resubscribe", {
            "recipients": ["a@b.com"], "request_id": "r"})
        self.assertEqual((st, body["error"]), (400, {
            "message": "esp - Field is required but value is None",
            "err_code": "InvalidFieldValue"}))
        st, _, body, _ = self.call("/emails/v1.0/bulk-resubscribe", {
            "recipients": "a@b.com, c@d.com", "esp": "SENDGRID",
            "request_id": "r"})
        self.assertEqual(st, 202, body)

    def test_rate_limits(self):
        for st in (200, 200, 429):
            res = self.limited(self.PREFS + "?user_id=a&cid=b", method="GET")
            self.assertEqual(res[0], st)
        self.assertEqual(res[2], {"title": "Rate-Limit Reached",
                                  "description": "Exceeded rate limit for "
                                                 "this url"})
        for st in (202, 202, 429):
            res = self.limited("/emails/v1.0/bulk-resubscribe", {
                "recipients": ["a@b.com"], "esp": "SENDGRID",
                "request_id": "r"})
            self.assertEqual(res[0], st)
        self.assertEqual(res[2]["error"], {"message": "Rate limit exceeded",
                                           "err_code": "TooManyRequests"})


class SimPersonalizeTest(FamilyCase):
    KEY = "pers-key-us01"
    HOST = SDK_US

    def test_general_key_is_401(self):
        want = {"title": "Authentication required",
                "description": "Invalid API_KEY used in Authentication Header"}
        for key in (GEN, "nope"):
            self.assertStatus(self.call("/v1/experiences/fetch", {}, key=key),
                              401, want)
        st, _, body, _ = self.call("/v1/experiences/fetch", {}, appkey=False)
        self.assertEqual((st, body["title"]), (400, "Request Error"))
        # Personalize lives on sdk-<dc>, not api-<dc>.
        self.assertEqual(self.call("/v1/experiences/fetch", {}, host=US)[0],
                         404)

    def test_fetch(self):
        st, _, body, _ = self.call("/v1/experiences/fetch", {
            "identifiers": {"customer_id": "stranger"},
            "experience_key": ["unknown-key", "cart-upsell"]})
        self.assertEqual((st, body), (200, {"experiences": {}}))
        st, _, body, _ = self.call("/v1/experiences/fetch", {
            "experience_key": ["homepage-banner"]})
        ctx = body["experiences"]["homepage-banner"]["experience_context"]
        self.assertEqual(ctx["audience_name"], "All Users")
        # promo-strip targets users the Data API holds.
        st, _, body, _ = self.call("/v1/experiences/fetch", {
            "identifiers": {"customer_id": "u1"}})
        self.assertEqual(sorted(body["experiences"]), ["homepage-banner"])
        self.call("/v1/customer/WS_US01", {"type": "customer",
                                           "customer_id": "u1"}, key=DATA,
                  host=US)
        st, _, body, _ = self.call("/v1/experiences/fetch", {
            "identifiers": {"customer_id": "u1"}})
        self.assertEqual(sorted(body["experiences"]),
                         ["homepage-banner", "promo-strip"])
        st, _, body, _ = self.call("/v1/experiences/fetch", {
            "DAY_OF_THE_WEEK": "monday"})
        self.assertEqual((st, body["title"]), (400, "Invalid Field Value"))

    def test_metadata_and_events(self):
        st, _, body, _ = self.call("/v1/experiences/metadata?status=Paused,"
                                   "Scheduled", method="GET")
        self.assertEqual((st, body["metadata"]["count"]), (200, 2))
        act = {"action": "MOE_PERSONALIZATION_MESSAGE_SHOWN",
               "moe_event_uuid": "aa886712-4537-47c1-b126-2686efda2e26",
               "event_time": 1725258666, "platform": "web",
               "attributes": {"cid": "c", "experience": "e",
                              "moe_locale_id": "0", "moe_variation_id": "1",
                              "audience_name": "All Users",
                              "audience_id": "5A"}}
        st, hd, body, _ = self.call("/v1/experiences/events", {
            "elements": [{"customer_id": "u1", "actions": [act]}]})
        self.assertEqual((st, body["req_id"]), (200, hd["x-request-id"]))
        st, _, body, _ = self.call("/v1/experiences/events", {
            "elements": [{"customer_id": "u", "actions": [act]}] * 101})
        self.assertEqual((st, body["title"]), (400, "Invalid Field Value"))

    def test_rate_limit(self):
        for st in (200, 200, 429):
            res = self.limited("/v1/experiences/fetch", {})
            self.assertEqual(res[0], st)


class SimRecommendationsTest(FamilyCase):
    def test_paging_returns_every_recommendation_once(self):
        seen, batch = [], 1
        while True:
            st, _, body, _ = self.call("/v1/recommendations?size=4&batch_num="
                                       "%d" % batch, method="GET")
            self.assertEqual(st, 200)
            seen += [r["id"] for r in body["items"]]
            if len(body["items"]) < 4:
                break
            batch += 1
        self.assertEqual(len(seen), 10)
        self.assertEqual(len(set(seen)), 10)
        st, _, body, _ = self.call("/v1/recommendations?status=Archived",
                                   method="GET")
        archived = [r["id"] for r in body["items"]]
        self.assertEqual(len(archived), 2)
        self.assertFalse(set(archived) & set(seen))
        st, _, body, _ = self.call("/v1/recommendations/" + archived[0],
                                   method="GET")
        self.assertEqual((st, body), (400, {
            "code": "recommendation does not exist",
            "message": "Recommendation does not exist or archived. Please "
                       "check recommendation_id."}))
        st, _, body, _ = self.call("/v1/recommendations/" + seen[0],
                                   method="GET")
        self.assertEqual((st, body["id"]), (200, seen[0]))

    def test_validation(self):
        st, _, body, _ = self.call("/v1/recommendations?size=abc",
                                   method="GET")
        self.assertEqual((st, body["code"]), (400, "invalid-pagination-param"))
        st, _, body, _ = self.call("/v1/recommendations?status=active",
                                   method="GET")
        self.assertEqual((st, body["code"]), (400, "invalid-status-value"))

    def test_items_come_from_the_catalog(self):
        rid = self.call("/v1/recommendations?size=1", method="GET")[2][
            "items"][0]["id"]
        attrs = [{"name": n, "type": "string"} for n in
                 ("id", "title", "link", "image_link")]
        cid = self.call("/v1/catalog", {"name": "c", "price_currency": "USD",
                                        "attributes": attrs})[2]["catalog_id"]
        self.call("/v1/catalog/%s/items" % cid, {"items": [
            {"id": "A", "title": "a", "link": "l", "image_link": "i"}]})
        path = "/v1/recommendations/%s/items" % rid
        st, _, body, _ = self.call(path, {"user_id": "u"}, headers={
            "RECOMMENDATION-TYPE": "trending_item"})
        self.assertEqual(st, 200)
        st, _, body, _ = self.call(path, {
            "user_id": "u", "include_fields": ["title"]}, headers={
            "RECOMMENDATION-TYPE": "user_action"})
        self.assertEqual((st, body), (200, {"items": [{"item_id": "A",
                                                       "title": "a"}]}))
        st, _, body, _ = self.call(path, {"user_id": "u"}, headers={
            "RECOMMENDATION-TYPE": "similar_item"})
        self.assertEqual(st, 400)   # needs item_id
        st, _, body, _ = self.call(path, {"user_id": "u"}, headers={
            "RECOMMENDATION-TYPE": "nope"})
        self.assertEqual(st, 400)

    def test_auth(self):
        want = {"code": "request-unauthenticated", "message": "Your request "
                "is unauthorized. Please verify your credentials and try "
                "again."}
        for kw in ({"key": "nope"}, {"key": DATA}, {"appkey": False}):
            self.assertStatus(self.call("/v1/recommendations", method="GET",
                                        **kw), 401, want)

    def test_rate_limit(self):
        for st in (200, 200, 429):
            res = self.limited("/v1/recommendations", method="GET")
            self.assertEqual(res[0], st)
        self.assertEqual(res[3], b"")


class SimFamiliesCommonTest(FamilyCase):
    """What every Basic-auth family shares."""

    CALLS = [  # (family, host, path, method, key)
        ("campaign_report", US, "/core-services/v1/campaign-stats", "POST",
         GEN),
        ("business_events", US, "/v1.0/business_event/search", "POST", GEN),
        ("templates", US, "/v1.0/custom-templates/sms/search", "POST", GEN),
        ("content_blocks", US, "/v1/external/campaigns/content-blocks/search",
         "POST", GEN),
        ("catalog", US, "/v1/catalog", "POST", GEN),
        ("segmentation", US, "/v3/custom-segments", "GET", DATA),
        ("subscription", US, "/v1/category-subscription/user-preferences",
         "GET", DATA),
        ("personalize", SDK_US, "/v1/experiences/metadata", "GET",
         "pers-key-us01"),
        ("recommendations", US, "/v1/recommendations", "GET", GEN),
        ("inform", US, "/v1.0/alerts/send", "POST", "inform-key-us01"),
    ]

    def test_wrong_data_center_is_that_familys_401(self):
        for fam, host, path, method, key in self.CALLS:
            other = host.replace("-01.", "-02.")
            st, _, body, _ = self.call(path, {}, key=key, host=other,
                                       method=method)
            self.assertIn(st, (401, 403), fam)   # templates: 403 (sms yaml)
            ok = self.call(path, {}, key=key, host=host, method=method)[0]
            self.assertNotIn(ok, (401, 403), fam)

    def test_multi_key_fills_every_slot(self):
        for fam, host, path, method, _ in self.CALLS:
            st, _, body, _ = self.call(path, {}, key="multi-key-eu02",
                                       ws="WS_EU02",
                                       host=host.replace("-01.", "-02."),
                                       method=method)
            self.assertNotIn(st, (401, 403), (fam, body))

    # The members of each family's documented (or, marked in docs/sim.md,
    # inferred) 500 body.
    BODY_500 = {
        "campaign_report": {"title", "description", "code"},
        "business_events": {"title", "message"},
        "templates": {"title", "message"},
        "content_blocks": {"title", "code"},
        "catalog": {"error-code", "message"},
        "segmentation": {"response_id", "type", "error"},
        "subscription": {"title"},
        "personalize": {"title", "description"},
        "recommendations": {"code", "message"},
        "inform": {"message", "err_code", "status_code"},
    }

    def test_500_fault_uses_the_familys_shape(self):
        for fam, host, path, method, key in self.CALLS:
            self.sim.add_fault(family=fam, status=500)
            st, _, body, _ = self.call(path, {}, key=key, host=host,
                                       method=method)
            self.assertEqual((st, set(body)), (500, self.BODY_500[fam]), fam)

    def test_workspaces_file_takes_db_name(self):
        st, body = self.sim.admin("GET", "/_sim/workspaces")
        self.assertEqual(st, 200)
        ids = [w["workspace_id"] for w in body["workspaces"]]
        self.assertEqual(ids, ["WS_US01", "WS_EU02", "WS_LIM"])


if __name__ == "__main__":
    unittest.main()
