# SPDX-License-Identifier: MIT
"""Conformance of the action catalog with the simulator, end to end.

Every row of GET /actions (not a list written here: a new row is covered as
soon as it exists, and fails until it has an example below) is called
through POST /actions/rpc for one linked account holding every key slot
and a db_name. The simulator was written from MoEngage's OpenAPI files
separately from the catalog, so agreement means something:

- each call reaches exactly one simulated route, on the account's own data
  center host of the row's kind, with the row's method and path, the
  family's key (the simulator answers 2xx only to the right slot) and the
  headers MoEngage requires (MOE-APPKEY, MOE-DBNAME, the v2.1 push headers,
  the report Signature, RECOMMENDATION-TYPE), and answers a success;
- per family, MoEngage's own error bodies (an injected 401, a real refusal
  the client cannot foresee) come back in the one error shape with the
  stable code, the status mapping of docs/api.md and MoEngage's type,
  message and request id; an input the client refuses locally is refused
  by the simulator too when sent past local validation through /proxy;
- every example with one member left out (at any depth), or with a member
  the input schema gives an enum set outside it, is refused by both or
  taken by both (differences on purpose are listed with their reason);
- every paged action with "paginate": true returns every stored item once.

One TLS simulator and one server for the whole file; no sleeping.
"""
import copy
import datetime
import hashlib
import itertools
import json
import shutil
import tempfile
import unittest
import urllib.parse

import test_link

WS = "WS_CONF01"
DB = "conf_db"
KEYS = {"data": "conf-data-key", "general": "conf-gen-key",
        "push": "conf-push-key", "inform": "conf-inform-key",
        "personalize": "conf-pers-key"}
# Hourly limits raised: the tests call file segments and triggers more
# often than MoEngage allows in an hour (the limits have their own tests).
# File Imports: more than one page of 50 imports, and of files of one.
WORKSPACES = [{"workspace_id": WS, "data_center": "01",
               "name": "Conformance", "db_name": DB, "keys": KEYS,
               "file_imports": 60, "file_import_files": 55,
               "limits": {"file_segment_ops_per_hour": 1000,
                          "file_segment_ops_per_day": 1000,
                          "business_event_triggers_per_5min": 1000,
                          "business_event_triggers_per_hour": 1000,
                          "live_activity_start_per_min": 1000}}]
LINK = {"origin_owner_id": "conf", "origin_owner_name": "Conformance",
        "workspace_id": WS, "data_center": "01", "db_name": DB,
        "data_key": KEYS["data"], "general_key": KEYS["general"],
        "push_key": KEYS["push"], "inform_key": KEYS["inform"],
        "personalize_key": KEYS["personalize"]}
REDACTED = "[redacted]"
SEQ = itertools.count(1)   # unique names across the file's tests

# The key slot of each family (as MoEngage's dashboard tiles name them).
SLOT = {"data": "data", "segmentation": "data", "subscription": "data",
        "push": "push", "inform": "inform", "personalize": "personalize",
        "campaign_report": "general", "business_events": "general",
        "templates": "general", "content_blocks": "general",
        "catalog": "general", "recommendations": "general",
        "cards": "general"}
CHANNELS = ("push", "sms", "osm", "inapp", "email")
TODAY = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
STATS = {"request_id": "conf", "start_date": "2024-12-01",
         "end_date": "2024-12-05", "attribution_type": "VIEW_THROUGH",
         "metric_type": "TOTAL"}
FILE_SEG = {"attribute_name": "uid", "attribute_type": "string",
            "file_url": "https://files.example.com/users.csv"}
CATALOG_ATTRS = [{"name": n, "type": "string"}
                 for n in ("id", "title", "link", "image_link")]
EXPERIENCE = {"cid": "c1", "experience": "homepage-banner",
              "moe_locale_id": "0", "moe_variation_id": "1",
              "audience_name": "All Users", "audience_id": "a1"}


def sha(*parts):
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def push_body(name, audience="All Users"):
    return {"campaignName": name, "targetPlatform": ["ANDROID"],
            "targetAudience": audience,
            "payload": {"ANDROID": {"title": "t", "message": "m"}},
            "campaignDelivery": {"type": "soon"}}


def template(channel, n):
    """A create body of the channel, valid per its OpenAPI file."""
    meta = {"template_id": "conf_%s_%d" % (channel, n),
            "template_name": "Conformance %s %d" % (channel, n),
            "template_version": "1", "created_by": "ops@example.com"}
    if channel == "push":
        meta.update(template_style="BASIC", platform=["ANDROID"])
        return {"ANDROID": {"basic_details": {
            "title": "t", "message": "m",
            "default_click_action": "DEEPLINKING",
            "default_click_action_value": "https://example.com/x"}},
            "meta_info": meta}
    return {"basic_details": {"message": "Hello %d" % n}, "meta_info": meta}


def template_update(channel, ext_id):
    meta = {"template_name": "Conformance %s v2" % channel,
            "updated_by": "ops@example.com"}
    if channel != "push":
        return {"external_template_id": ext_id, "meta_info": meta,
                "basic_details": {"message": "Hello again"}}
    meta.update(template_style="BASIC", platform=["ANDROID"])
    return {"external_template_id": ext_id, "meta_info": meta,
            "ANDROID": {"basic_details": {
                "title": "t2", "message": "m2",
                "default_click_action": "DEEPLINKING",
                "default_click_action_value": "https://example.com/y"}}}


# ---- a minimal valid input per action -------------------------------------
# name -> function(test) returning {"call": rpc input, "headers": headers
# the simulator must have seen, "check": function(test, answer)}; the test
# argument sets up what the call needs directly at the simulator.

def _static(call, **kw):
    return lambda t: dict(kw, call=call)


def _ex_delete_user(t):
    t.moe("/v1/customer/" + WS, {"type": "customer",
                                 "customer_id": "conf_del"}, "data")
    return {"call": {"body": {"identity_type": "customer_id",
                              "identity_value": "conf_del"}}}


def _ex_segment_by_id(update):
    def ex(t):
        sid = t.filter_segment()
        call = {"path": {"id": sid}}
        if update:
            call["body"] = {"name": "conf renamed %s" % sid[-6:],
                            "included_filters": {"filter_operator": "or",
                                                 "filters": []}}
        return {"call": call,
                "check": lambda t, out: t.assertEqual(out["data"]["id"],
                                                      sid)}
    return ex


def _ex_file_segment(op):
    """op: create, users (add/remove/replace), archive or unarchive."""
    def ex(t):
        name = t.unique("conf_file")
        if op != "create":
            t.file_segment(name, archived=op == "unarchive")
        body = {"create": dict(FILE_SEG, name=name, expiry_time=30),
                "users": dict(FILE_SEG, name=name)}.get(op, {"name": name})
        return {"call": {"body": body}, "headers": {"MOE-DBNAME": DB}}
    return ex


def _ex_cohort(t):
    t.moe("/v1/customer/" + WS, {"type": "customer",
                                 "customer_id": "conf_fan"}, "data")
    return {"call": {"body": {"action": "add_members", "partner": "conf",
                              "parameters": {"cohort_name": "Fans",
                                             "cohort_id": "c1",
                                             "members": [{"uid":
                                                          "conf_fan"}]}}}}


def _la_body(la_id, start):
    ios = {"content_state": {"score": "0-0"},
           "alert": {"title": "Kick-off", "body": "0-0", "sound": "default"}}
    if start:
        ios.update(attribute_type="MatchAttributes",
                   attribute_info={"home": "A", "away": "B"})
    return {"broadcast_live_activity_id": la_id, "ios": ios}


def _ex_live_activity(what):
    """Start a fresh live activity id; update and end one started at the
    simulator first (each id has its own 5-a-minute window)."""
    def ex(t):
        la_id = t.unique("conf_la")
        if what != "start":
            st, _, body, _ = t.moe(
                "/v1.0/live-activity/broadcast/start", _la_body(la_id, True),
                "push", headers={"X-MOE-APPKEY": WS})
            t.assertEqual(st, 200, body)
        return {"call": {"body": _la_body(la_id, what == "start")},
                "headers": {"X-MOE-APPKEY": WS}}
    return ex


def _ex_cards(delete):
    """A user the Data API holds; fetch its cards, or delete one
    campaign's."""
    def ex(t):
        uid = t.unique("conf_card_user")
        st, _, body, _ = t.moe("/v1/customer/" + WS, {
            "type": "customer", "customer_id": uid}, "data")
        t.assertEqual(st, 200, body)
        if delete:
            return {"call": {"body": {
                "uid": uid, "campaign_ids": ["cards_campaign_1"],
                "platforms": ["android"]}}}
        return {"call": {"query": {"page": 1, "limit": 2}, "body": {
            "uid": uid, "platforms": ["ANDROID", "WEB"],
            "card_category": "Offers"}}}
    return ex


def _ex_push(v21):
    def ex(t):
        name = t.unique("Conformance push")
        out = {"call": {"body": push_body(name)},
               "check": lambda t, o: t.assertEqual(o["status"], "Success"),
               "body": {"appId": WS, "signature": sha(WS, name,
                                                      KEYS["push"])}}
        if v21:
            out["headers"] = {"X-MOE-APPKEY": WS,
                              "X-MOE-PushAPI-Signature": REDACTED,
                              "X-MOE-Query-Type": "all users"}
        return out
    return ex


def _ex_business_event(t, name=None):
    name = name or t.unique("conf_event")
    st, _, body, _ = t.moe("/v1.0/business_event", {
        "event_name": name, "created_by": "ops@example.com",
        "event_attributes": [{"attribute_name": "season",
                              "attribute_data_type": "string"}]})
    t.assertEqual(st, 200, body)
    return name, body["event_id"]


def _ex_trigger(v5):
    def ex(t):
        name, _ = _ex_business_event(t)
        if v5:
            body = {"event_name": name, "triggered_by": "ops@example.com"}
        else:
            body = {"event_name": name, "event_attributes": {"season": "S1"}}
        return {"call": {"body": body}}
    return ex


def _ex_template(channel, op):
    def ex(t):
        if op == "create":
            return {"call": {"body": template(channel, t.counter())}}
        if op == "search":
            return {"call": {"body": {"page": 1, "entries": 15}}}
        ext = t.template(channel)
        return {"call": {"body": template_update(channel, ext)},
                "check": lambda t, o: t.assertEqual(
                    o["external_template_id"], ext)}
    return ex


def _ex_content_block(op):
    def ex(t):
        if op == "create":
            label = t.unique("conf_block")
            return {"call": {"body": {
                "name": label, "label": label, "raw_content": "<p>hi</p>",
                "content_type": "HTML", "created_by": "ops@example.com"}}}
        bid = t.content_block()
        if op == "update":
            return {"call": {"body": {
                "id": bid, "name": "Block v2", "status": "ACTIVE",
                "raw_content": "<p>bye</p>",
                "updated_by": "ops@example.com"}}}
        return {"call": {"body": {"ids": [bid]}},
                "check": lambda t, o: t.assertEqual(o["data"][0]["id"], bid)}
    return ex


def _ex_catalog(op):
    item = {"id": "P1", "title": "One", "link": "https://example.com/1",
            "image_link": "https://example.com/1.jpg"}
    bodies = {
        "attributes": {"attributes": [{"name": "color", "type": "string"}]},
        "add": {"items": [item]},
        "update": {"items": [{"id": "P1", "attributes": {"title": "Uno"}}]},
        "delete": {"items": ["P1"]},
        "search": {"items": ["P1"]},
    }

    def ex(t):
        if op == "create":
            return {"call": {"body": {"name": t.unique("Conformance"),
                                      "price_currency": "USD",
                                      "attributes": CATALOG_ATTRS}}}
        cid = t.catalog(with_item=op != "add" and item)
        return {"call": {"path": {"catalog_id": cid}, "body": bodies[op]}}
    return ex


def _ex_opt_in(t):
    t.moe("/v1/customer/" + WS, {"type": "customer",
                                 "customer_id": "conf_optin"}, "data")
    return {"call": {"body": {"user_preferences": {
        "customer_id": "conf_optin", "opt_in_status": "DOUBLE_OPTED_IN",
        "channel": "email"}}}}


def _ex_recommendation(items):
    def ex(t):
        rid = t.recommendation()
        if not items:
            return {"call": {"path": {"recommendation_id": rid}},
                    "check": lambda t, o: t.assertEqual(o["id"], rid)}
        return {"call": {"path": {"recommendation_id": rid},
                         "body": {"user_id": "conf_user"},
                         "headers": {"RECOMMENDATION-TYPE": "trending_item"}},
                "headers": {"RECOMMENDATION-TYPE": "trending_item"}}
    return ex


def _ex_file_import(t):
    """A scheduled import of the simulated workspace (set up on the
    dashboard at MoEngage), by its id."""
    st, _, body, _ = t.moe("/v1.0/data/fileimports/import/status",
                           {"import_name": "Daily users"}, "data",
                           host="fileimports-data-api-01.moengage.com")
    t.assertEqual(st, 200, body)
    return {"call": {"path": {"schedule_id": body["data"][0]["import_id"]}}}


def _ex_inform(t):
    tx = t.unique("CONF_TX")
    return {"call": {"body": {"alert_id": "636b77e6e2cf83277195fb60",
                              "transaction_id": tx,
                              "payloads": {"SMS": {"recipient":
                                                   "+15550100"}}}},
            "again": True}


EXAMPLES = {
    "moengage_track_user": _static({"body": {
        "type": "customer", "customer_id": "conf_user",
        "attributes": {"plan": "gold"}}}),
    "moengage_track_event": _static({"body": {
        "type": "event", "customer_id": "conf_user",
        "actions": [{"action": "Bought", "platform": "ANDROID"}]}}),
    "moengage_bulk_import": _static({"body": {
        "type": "transition",
        "elements": [{"type": "customer", "customer_id": "conf_bulk"}]}}),
    "moengage_track_device": _static({"body": {
        "type": "device", "customer_id": "conf_user", "device_id": "d1",
        "attributes": {"platform": "ANDROID", "push_id": "tok1"}}}),
    "moengage_device_opt_out": _static({"body": {
        "user_identifier_type": "customer_id",
        "user_identifier_value": "conf_user", "action_type": "block"}}),
    "moengage_merge_users": _static({"body": {"merge_data": [
        {"merged_user": "conf_m1", "retained_user": "conf_r1"}]}}),
    "moengage_delete_user": _ex_delete_user,
    "moengage_get_user": _static({"body": {"data": {"identifiers": [
        {"identifier_type": "customer_id", "identifier": "conf_user"}]}}}),
    "moengage_test_connection": _static({}),
    "moengage_view_archived_message": _static({"body": {
        "user_id": "conf_user", "delivery_type": "ONE_TIME",
        "campaign_type": "General Push Campaign", "campaign_channel": "PUSH",
        "sent_epoch_time": 1716915262, "campaign_id": "conf_campaign",
        "event_name": "Notification Received Android",
        "platform": "ANDROID"}}),
    "moengage_trigger_file_import": _ex_file_import,
    "moengage_get_file_imports": _static({"body": {
        "import_type": "USERS", "schedule_type": "PERIODIC", "offset": 1}}),
    "moengage_get_file_import_history": _static({"body": {
        "import_name": "Daily users", "file_status": ["SUCCESSFUL"]}}),
    "moengage_track_install": _static({"query": {
        "appId": WS, "src": "conf_partner", "appAttributionKey": "conf_key",
        "campaign_name": "conf_install"}}),
    "moengage_submit_gdpr_request": _static({"body": {
        "request_type": "erasure", "submitted_time": "2018-10-05T15:00:00Z",
        "identities": [{"identity_type": "email",
                        "identity_value": "ann@example.com"}],
        "api_version": "1.0"}}),
    "moengage_list_segments": _static({"query": {"name": "nobody"}}),
    # An empty filter list is allowed (FilterGroupV3 has no minItems).
    "moengage_create_segment": _static({"body": {
        "name": "conf empty", "included_filters": {
            "filter_operator": "and", "filters": []}}}),
    "moengage_get_segment": _ex_segment_by_id(False),
    "moengage_update_segment": _ex_segment_by_id(True),
    "moengage_create_file_segment": _ex_file_segment("create"),
    "moengage_add_file_segment_users": _ex_file_segment("users"),
    "moengage_remove_file_segment_users": _ex_file_segment("users"),
    "moengage_replace_file_segment_users": _ex_file_segment("users"),
    "moengage_archive_segment": _ex_file_segment("archive"),
    "moengage_unarchive_segment": _ex_file_segment("unarchive"),
    "moengage_sync_cohort": _ex_cohort,
    "moengage_send_push": _ex_push(False),
    "moengage_send_push_v2_1": _ex_push(True),
    "moengage_fetch_cards": _ex_cards(False),
    "moengage_delete_cards": _ex_cards(True),
    "moengage_start_live_activity": _ex_live_activity("start"),
    "moengage_update_live_activity": _ex_live_activity("update"),
    "moengage_end_live_activity": _ex_live_activity("end"),
    "moengage_get_campaign_stats": _static({"body": STATS}),
    "moengage_download_campaign_report": _static(
        {"path": {"filename": "Report_-_conf_%s.zip" % TODAY}},
        headers={"Signature": REDACTED}, raw=True),
    "moengage_create_business_event": _static({"body": {
        "event_name": "conf_created", "created_by": "ops@example.com",
        "event_attributes": [{"attribute_name": "season",
                              "attribute_data_type": "string"}]}}),
    "moengage_trigger_business_event": _ex_trigger(False),
    "moengage_search_business_events": _static({"body": {
        "event_names": ["conf_created"]}}),
    "moengage_list_business_events": _static({"query": {"limit": 5}}),
    "moengage_search_business_events_v5": _static({"body": {
        "filters": {"names": ["conf_created"]}, "limit": 5}}),
    "moengage_trigger_business_event_v5": _ex_trigger(True),
    "moengage_create_content_block": _ex_content_block("create"),
    "moengage_update_content_block": _ex_content_block("update"),
    "moengage_get_content_blocks": _ex_content_block("get"),
    "moengage_search_content_blocks": _static({"body": {"filters": {}}}),
    "moengage_create_catalog": _ex_catalog("create"),
    "moengage_add_catalog_attributes": _ex_catalog("attributes"),
    "moengage_add_catalog_items": _ex_catalog("add"),
    "moengage_update_catalog_items": _ex_catalog("update"),
    "moengage_delete_catalog_items": _ex_catalog("delete"),
    "moengage_search_catalog_items": _ex_catalog("search"),
    "moengage_get_subscription_preferences": _static({"query": {
        "user_id": "conf_user", "cid": "c1"}}),
    "moengage_update_subscription_preferences": _static({
        "query": {"user_id": "conf_user", "cid": "c1"},
        "body": {"categories": {"Promotional": False},
                 "unsubscribe_all": False}}),
    "moengage_bulk_update_subscription_preferences": _static({"body": {
        "channel": "email", "user_preferences": [{
            "customer_id": "conf_user", "categories": {"Newsletter": True},
            "unsubscribe_all": False}]}}),
    "moengage_list_subscription_categories": _static({"query": {
        "channel": "email"}}),
    "moengage_get_subscription_preferences_v5": _static({"query": {
        "user_identifier_type": "email",
        "user_identifier_value": "ann@example.com", "channel": "email"}}),
    "moengage_update_subscription_preferences_v5": _static({"body": {
        "user_identifier_type": "email",
        "user_identifier_value": "ann@example.com", "channel": "email",
        "is_globally_unsubscribed": False,
        "categories": {"promotional": False},
        "event_attributes": {"source": "conformance"}}}),
    "moengage_update_email_opt_in": _ex_opt_in,
    "moengage_bulk_resubscribe_emails": _static({"body": {
        "recipients": ["ann@example.com"], "esp": "SENDGRID",
        "request_id": "conf_resub"}}),
    # Neither identifiers nor experience_key is required: without them
    # MoEngage answers every experience for all users.
    "moengage_fetch_experiences": _static({"body": {}}),
    "moengage_get_experience_metadata": _static({}),
    "moengage_report_experience_events": _static({"body": {"elements": [{
        "customer_id": "conf_user", "actions": [{
            "action": "MOE_PERSONALIZATION_MESSAGE_SHOWN",
            "moe_event_uuid": "aa886712-4537-47c1-b126-2686efda2e26",
            "event_time": 1725258666, "platform": "web",
            "attributes": EXPERIENCE}]}]}}),
    "moengage_list_recommendations": _static({"query": {"size": 5}}),
    "moengage_get_recommendation": _ex_recommendation(False),
    "moengage_get_recommendation_items": _ex_recommendation(True),
    "moengage_send_inform": _ex_inform,
    "moengage_send_inform_sandbox": _ex_inform,
}
for _ch in CHANNELS:
    for _op in ("create", "update", "search"):
        EXAMPLES["moengage_%s_%s_template%s" % (
            _op, _ch, "s" if _op == "search" else "")] = \
            _ex_template(_ch, _op)


SHARED = {}


def setUpModule():
    """One TLS simulator, one server, one account with every key slot and
    a db_name, for every test of the file."""
    SHARED["tmp"] = tempfile.mkdtemp(prefix="moelink-conf-")
    try:
        SHARED["env"] = env = test_link.LinkEnv(SHARED["tmp"],
                                                workspaces=WORKSPACES)
        st, _, acc = env.request("POST", "/accounts", body=LINK)
        if st != 201 or acc.get("db_name") != DB:
            raise AssertionError("link: %s %s" % (st, acc))
        SHARED["account"] = acc["id"]
        st, _, out = env.request("GET", "/actions")
        if st != 200:
            raise AssertionError("GET /actions: %s %s" % (st, out))
        SHARED["actions"] = out["data"]
    except BaseException:
        tearDownModule()    # unittest skips it when this fails
        raise


def tearDownModule():
    try:
        if "env" in SHARED:
            SHARED["env"].stop_checked()
    finally:
        shutil.rmtree(SHARED["tmp"], ignore_errors=True)


class ConformanceCase(unittest.TestCase):
    """The shared simulator, server and account (setUpModule)."""

    @classmethod
    def setUpClass(cls):
        cls.env = SHARED["env"]
        cls.sim = cls.env.sim
        cls.account = SHARED["account"]
        cls.actions = SHARED["actions"]

    def setUp(self):
        self.assertEqual(self.sim.reset()[0], 200)
        self.assertEqual(self.sim.admin("DELETE", "/_sim/faults")[0], 200)

    # ---- talking to moelink and to the simulator ----

    def rpc(self, call):
        return self.env.request("POST", "/actions/rpc", body=call,
                                headers={"x-account-id": self.account})

    def proxy(self, call):
        return self.env.request("POST", "/proxy", body=call,
                                headers={"x-account-id": self.account})

    def moe(self, path, body=None, slot="general", method="POST",
            host="api-01.moengage.com", headers=None):
        """Set-up straight at the simulator with the slot's key."""
        h = {"MOE-APPKEY": WS}
        h.update(headers or {})
        return self.sim.api(path, body, ws=WS, key=KEYS[slot], host=host,
                            method=method, headers=h)

    def journal(self):
        return self.sim.admin("GET", "/_sim/requests?limit=50")[1][
            "requests"]

    def mark(self):
        reqs = self.journal()
        return reqs[-1]["seq"] if reqs else 0

    def since(self, mark):
        return [r for r in self.journal() if r["seq"] > mark]

    def counter(self):
        return next(SEQ)

    def unique(self, prefix):
        return "%s_%d" % (prefix, self.counter())

    # ---- prerequisites, made directly at the simulator ----

    def filter_segment(self):
        n = self.counter()
        st, _, body, _ = self.moe("/v3/custom-segments", {
            "name": "conf seg %d" % n, "included_filters": {
                "filter_operator": "and", "filters": [{
                    "filter_type": "user_attributes", "name": "n",
                    "data_type": "double", "operator": "is", "value": n,
                    "negate": False}]}}, "data")
        self.assertEqual(st, 201, body)
        return body["data"]["id"]

    def file_segment(self, name, archived=False):
        db = {"MOE-DBNAME": DB}
        st, _, body, _ = self.moe("/v2/custom-segments/file-segment", dict(
            FILE_SEG, name=name, expiry_time=30), "data", headers=db)
        self.assertEqual(st, 202, body)
        if archived:
            st, _, body, _ = self.moe("/v2/custom-segments/archive",
                                      {"name": name}, "data", "PATCH",
                                      headers=db)
            self.assertEqual(st, 200, body)

    def template(self, channel):
        st, _, body, _ = self.moe("/v1.0/custom-templates/" + channel,
                                  template(channel, self.counter()))
        self.assertEqual(st, 200, body)
        return body["external_template_id"]

    def content_block(self):
        label = self.unique("conf_block")
        base = "/v1/external/campaigns/content-blocks"
        st, _, body, _ = self.moe(base, {
            "name": label, "label": label, "raw_content": "x",
            "content_type": "TEXT", "created_by": "ops@example.com"})
        self.assertEqual(st, 200, body)
        st, _, body, _ = self.moe(base + "/search", {
            "filters": {"search_text": label}})
        self.assertEqual(st, 200, body)
        return body["data"][0]["id"]

    def catalog(self, with_item=None):
        st, _, body, _ = self.moe("/v1/catalog", {
            "name": self.unique("Conformance"), "price_currency": "USD",
            "attributes": CATALOG_ATTRS})
        self.assertEqual(st, 201, body)
        cid = body["catalog_id"]
        if with_item:
            st, _, body, _ = self.moe("/v1/catalog/%s/items" % cid,
                                      {"items": [with_item]})
            self.assertEqual(body["message"]["valid"]["count"], 1, body)
        return cid

    def recommendation(self):
        st, _, body, _ = self.moe("/v1/recommendations?size=1",
                                  method="GET")
        self.assertEqual(st, 200, body)
        return body["items"][0]["id"]

    # ---- what a call must look like at the simulator ----

    def expected_path(self, action, call):
        params = dict(call.get("path") or {}, workspace_id=WS)
        path = action["path"]
        for k, v in params.items():
            path = path.replace("{%s}" % k, urllib.parse.quote(str(v),
                                                               safe=""))
        return path

    def assertReached(self, action, call, got, extra_headers):
        """got: the one journaled request of an rpc call of action."""
        name = action["name"]
        self.assertEqual(got["host"], "%s-01.moengage.com" %
                         action["host_kind"], name)
        self.assertEqual(got["method"], action["method"], name)
        self.assertEqual(got["family"], action["family"], name)
        self.assertIsNotNone(got["route"], name)
        u = urllib.parse.urlsplit(got["path"])
        self.assertEqual(u.path, self.expected_path(action, call), name)
        query = dict(urllib.parse.parse_qsl(u.query))
        want = {k: str(v) for k, v in (call.get("query") or {}).items()}
        if "app_id" in query:     # Data rows that take it in the query
            want["app_id"] = WS
        self.assertEqual(query, want, name)
        h = got["headers"]
        self.assertEqual(h.get("MOE-APPKEY"), WS, name)
        if action["auth"] == "basic":
            self.assertEqual(h.get("Authorization"), "Basic " + REDACTED,
                             name)
            self.assertEqual(got["workspace_id"], WS, name)
        else:
            self.assertNotIn("Authorization", h, name)
        if got["body_bytes"] > 0:
            self.assertEqual(h.get("Content-Type"), "application/json", name)
        for k, v in extra_headers.items():
            self.assertEqual(h.get(k), v, (name, k))
        if "MOE-DBNAME" not in extra_headers:
            self.assertNotIn("MOE-DBNAME", h, name)


class ActionConformanceTest(ConformanceCase):

    def test_every_action_reaches_its_route_and_succeeds(self):
        missing = [a["name"] for a in self.actions
                   if a["name"] not in EXAMPLES]
        self.assertEqual(missing, [], "add an example for " +
                         ", ".join(missing))
        stale = set(EXAMPLES) - {a["name"] for a in self.actions}
        self.assertEqual(stale, set(), "examples of no action")
        for action in self.actions:
            with self.subTest(action=action["name"]):
                self.check_action(action)

    def check_action(self, action):
        ex = EXAMPLES[action["name"]](self)
        call = dict(ex["call"], action=action["name"])
        mark = self.mark()
        st, hd, out = self.rpc(call)
        sent = self.since(mark)
        self.assertEqual(st, 200, out)
        self.assertEqual(len(sent), 1, [r["path"] for r in sent])
        got = sent[0]
        self.assertTrue(200 <= got["status"] <= 299, got)
        self.assertReached(action, ex["call"], got, ex.get("headers", {}))
        for k, v in ex.get("body", {}).items():
            self.assertEqual(json.loads(got["body"])[k], v, k)
        if ex.get("raw"):
            self.assertIsInstance(out, bytes)
        else:
            self.assertIsInstance(out, dict)
        if "check" in ex:
            ex["check"](self, out)
        if ex.get("again"):
            # Inform: the same transaction_id again is already sent.
            st, _, again = self.rpc(call)
            self.assertEqual(st, 200, again)
            self.assertIs(again["already_sent"], True)
            self.assertEqual(self.since(mark)[-1]["status"], 409)


# ---- errors -----------------------------------------------------------------

def rpc_status(moe_status):
    """POST /actions/rpc's status for MoEngage's (docs/api.md, "Errors of
    actions")."""
    if moe_status == 429:
        return 429
    if 400 <= moe_status <= 499 and moe_status not in (401, 403, 407):
        return moe_status
    return 502


def leaves(o):
    """Every string and number in a JSON document, as strings."""
    if isinstance(o, dict):
        return [x for v in o.values() for x in leaves(v)]
    if isinstance(o, list):
        return [x for v in o for x in leaves(v)]
    if isinstance(o, bool) or o is None:
        return []
    return [str(o)]


# Per family, an input the client refuses before sending (field named) that
# MoEngage refuses too: sent past local validation through /proxy, the
# simulator must answer its documented refusal.
LOCALLY_REFUSED = {
    "cards": ("moengage_delete_cards", {"body": {
        "uid": "conf_user", "campaign_ids": []}}, "campaign_ids",
        "Invalid or missing 'campaign_ids' field"),
    "data": ("moengage_track_device", {"body": {
        "type": "device", "customer_id": "conf_user", "device_id": "d1",
        "attributes": {"platform": "Windows", "push_id": "tok"}}},
        "attributes.platform", "'platform' is not a valid platform."),
    "segmentation": ("moengage_update_segment", {
        "path": {"id": "0123456789abcdef01234567"},
        "body": {"name": "no filters"}}, "included_filters", None),
    "push": ("moengage_send_push", {"body": push_body("Shrt")},
             "campaignName", "Campaign Name too short"),
    "campaign_report": ("moengage_get_campaign_stats", {"body": dict(
        STATS, end_date="2025-02-01")}, "end_date", None),
    "business_events": ("moengage_create_business_event", {"body": {
        "event_name": "conf_x", "event_attributes": []}}, "created_by",
        "created_by - Field is required but value is None : None"),
    "templates": ("moengage_search_sms_templates", {"body": {
        "page": 1, "entries": 16}}, "entries", None),
    "content_blocks": ("moengage_create_content_block", {"body": {
        "name": "b", "label": "conf_pdf", "raw_content": "x",
        "content_type": "PDF", "created_by": "ops@example.com"}},
        "content_type", None),
    "catalog": ("moengage_create_catalog", {"body": {
        "name": "conf_bad", "price_currency": "USD",
        "attributes": CATALOG_ATTRS[:3]}}, "attributes",
        "missing-mandatory-attributes"),
    "subscription": ("moengage_bulk_update_subscription_preferences", {
        "body": {"channel": "email", "user_preferences": [{
            "customer_id": "u%d" % i, "categories": {},
            "unsubscribe_all": False} for i in range(51)]}},
        "user_preferences", "Payload limit is set to 50"),
    "personalize": ("moengage_report_experience_events", {"body": {
        "elements": [{"customer_id": "conf_user", "actions": [{
            "action": "MOE_PERSONALIZATION_MESSAGE_SHOWN",
            "attributes": {"cid": "c1"}}]}]}},
        "elements[0].actions[0].attributes.experience", None),
    "recommendations": ("moengage_list_recommendations", {"query": {
        "size": 101}}, "query.size", "invalid-pagination-param"),
    "inform": ("moengage_send_inform", {"body": {
        "transaction_id": "T" * 51, "payloads": {"SMS": {
            "recipient": "1"}}}}, "transaction_id", None),
}

# Documented alternatives both sides take (the OpenAPI files allow both).
ALSO_ACCEPTED = [
    ("moengage_bulk_import", {"body": {"type": "transition", "elements": [{
        "type": "device", "customer_id": "conf_user", "device_id": "d2",
        "attributes": {"platform": "Windows", "push_id": "tok2"}}]}}),
    ("moengage_track_event", {"body": {"type": "event",
                                       "customer_id": "conf_user",
                                       "actions": [{"action": "Viewed",
                                                    "platform": "Android"}]}}),
    ("moengage_fetch_experiences", {"body": {"identifiers": {
        "customer_id": "conf_user", "user_identifiers": "conf_user"}}}),
    ("moengage_fetch_experiences", {"body": {"identifiers": {
        "user_identifiers": {"u_em": "ann@example.com"}},
        "experience_key": ["homepage-banner"]}}),
    ("moengage_update_segment", lambda t: {
        "path": {"id": t.filter_segment()},
        "body": {"included_filters": {"filter_operator": "and",
                                      "filters": []}}}),
    # "Channel can only be ['email'] (case-insensitive)"; so the status.
    ("moengage_update_email_opt_in", lambda t: dict(
        _ex_opt_in(t)["call"], body={"user_preferences": {
            "customer_id": "conf_optin", "opt_in_status": "opted_out",
            "channel": "EMAIL"}})),
    # No action member is required but those the files list.
    ("moengage_report_experience_events", {"body": {"elements": [{
        "customer_id": "conf_user", "actions": [{
            "action": "MOE_PERSONALIZATION_MESSAGE_CLICKED",
            "attributes": EXPERIENCE}]}]}}),
    # recipients: a string in the schema, an array in its example.
    ("moengage_bulk_resubscribe_emails", {"body": {
        "recipients": "ann@example.com, bob@example.com", "esp": "SENDGRID",
        "request_id": "conf_resub_string"}}),
    # The alert named by its reference name instead of its id.
    ("moengage_send_inform_sandbox", {"body": {
        "alert_reference_name": "Demo_ID", "transaction_id": "CONF_REF",
        "payloads": {"EMAIL": {"recipient": "ann@example.com"}}}}),
]


def member_paths(o, pre=()):
    """The path of every member of o, objects within lists by their first
    element."""
    if isinstance(o, dict):
        for k, v in o.items():
            yield pre + (k,)
            yield from member_paths(v, pre + (k,))
    elif isinstance(o, list) and o and isinstance(o[0], dict):
        yield from member_paths(o[0], pre + (0,))


def enum_paths(schema, pre=()):
    """The path of every member an input schema gives an enum."""
    if "enum" in schema and pre:
        yield pre
    for k, v in (schema.get("properties") or {}).items():
        yield from enum_paths(v, pre + (k,))
    if isinstance(schema.get("items"), dict):
        yield from enum_paths(schema["items"], pre + (0,))


def has_path(o, path):
    for p in path:
        try:
            o = o[p]
        except (KeyError, IndexError, TypeError):
            return False
    return True


# (action, member) where the client and the simulator differ on purpose,
# with the reason. Nothing else may.
DIFFERENT_ON_PURPOSE = {
    # MoEngage takes a user without customer_id in Identity Resolution
    # workspaces (by its attributes); the simulator models workspaces
    # without it (docs/sim.md), so it refuses what the client lets through.
    ("moengage_track_user", "customer_id"),
    # MoEngage answers a batch 200 and counts an item without its id (or
    # attributes) invalid; the client refuses the batch instead, so it is
    # never half ingested.
    ("moengage_add_catalog_items", "items.0.id"),
    ("moengage_update_catalog_items", "items.0.id"),
    ("moengage_update_catalog_items", "items.0.attributes"),
    # An event's platform outside its enum is taken by MoEngage, which
    # only warns that it makes platform campaigns inconsistent; the client
    # refuses it before that happens.
    ("moengage_track_event", "actions.0.platform"),
}


class ErrorConformanceTest(ConformanceCase):

    def family_rows(self):
        """The first row of each family that has an example."""
        rows = {}
        for a in self.actions:
            rows.setdefault(a["family"], a)
        return rows

    def to_proxy(self, action, call):
        path = self.expected_path(action, call)
        out = {"method": action["method"], "path": path,
               "host_kind": action["host_kind"]}
        for k in ("query", "body", "headers"):
            if call.get(k) is not None:
                out[k] = call[k]
        return out

    def test_moengage_errors_of_every_family_are_normalized(self):
        """An injected 401: the family's own body, relayed as is by /proxy
        and in the one error shape by /actions/rpc."""
        rows = self.family_rows()
        self.assertEqual(set(rows), set(SLOT))
        for fam, action in sorted(rows.items()):
            with self.subTest(family=fam, action=action["name"]):
                ex = EXAMPLES[action["name"]](self)
                st, _ = self.sim.add_fault(family=fam, status=401, count=2)
                self.assertEqual(st, 201)
                # The body MoEngage's docs give this family, raw.
                mark = self.mark()
                pst, _, raw = self.proxy(self.to_proxy(action, ex["call"]))
                sent = self.since(mark)
                self.assertEqual(len(sent), 1)
                self.assertEqual(pst, sent[0]["status"])
                self.assertIn(pst, (401, 403))
                words = leaves(raw)
                carries_id = sent[0]["request_id"] in words
                # The same through rpc.
                mark = self.mark()
                st, _, out = self.rpc(dict(ex["call"],
                                           action=action["name"]))
                sent = self.since(mark)
                self.assertEqual(len(sent), 1, "an auth error is final")
                self.assertEqual(st, rpc_status(pst), out)
                err = out["error"]
                self.assertEqual(err["code"], "moengage_auth_failed")
                self.assertRegex(err["request_id"], r"^req_")
                moe = err["moengage"]
                self.assertEqual(moe["status"], pst)
                if "type" in moe:
                    self.assertIn(moe["type"], words)
                if words and isinstance(raw, dict):
                    # Cards' 401 {"title","code"} has a type only.
                    text = moe.get("message", moe.get("type"))
                    self.assertTrue(any(text.startswith(w)
                                        for w in words), (moe, raw))
                if carries_id:
                    self.assertEqual(moe["request_id"],
                                     sent[0]["request_id"])
                else:
                    self.assertNotIn("request_id", moe)

    def test_refused_locally_is_refused_by_moengage_too(self):
        self.assertEqual(set(LOCALLY_REFUSED), set(SLOT))
        by_name = {a["name"]: a for a in self.actions}
        for fam, (name, call, field, words) in sorted(
                LOCALLY_REFUSED.items()):
            with self.subTest(family=fam, action=name):
                action = by_name[name]
                mark = self.mark()
                st, _, out = self.rpc(dict(call, action=name))
                self.assertEqual(st, 400, out)
                self.assertEqual(out["error"]["code"], "validation_failed")
                self.assertEqual(out["error"]["field"], field)
                self.assertEqual(self.since(mark), [], "nothing is sent")
                st, _, raw = self.proxy(self.to_proxy(action, call))
                sent = self.since(mark)
                self.assertEqual(len(sent), 1)
                self.assertEqual(sent[0]["route"] is not None, True)
                if fam == "push":   # Push refuses with HTTP 200
                    self.assertEqual((st, raw["status"]), (200, "Fail"))
                else:
                    self.assertEqual(st, 400, raw)
                self.assertIsInstance(raw, dict)
                if words:
                    self.assertIn(words, leaves(raw))

    def test_a_missing_member_is_refused_by_both_or_neither(self):
        """Each member of every example's body and query, at any depth (the
        first element of a list standing for all), left out: the client
        refuses the call before sending exactly when MoEngage (the
        simulator, reached through /proxy) refuses it."""
        for action in self.actions:
            call = EXAMPLES[action["name"]](self)["call"]
            for part in ("body", "query"):
                for path in member_paths(call.get(part) or {}):
                    name = ".".join(str(p) for p in path)
                    if (action["name"], name) in DIFFERENT_ON_PURPOSE:
                        continue
                    with self.subTest(action=action["name"], member=name):
                        self.check_missing(action, part, path)

    def test_a_value_outside_an_enum_is_refused_by_both(self):
        """Each member of every example that the action's input schema
        gives an enum, set to a value outside it: both refuse the call."""
        for action in self.actions:
            call = EXAMPLES[action["name"]](self)["call"]
            for part in ("body", "query", "headers"):
                schema = action["input_schema"]["properties"].get(part, {})
                for path in enum_paths(schema):
                    name = ".".join(str(p) for p in path)
                    if not has_path(call.get(part), path) or \
                            (action["name"], name) in DIFFERENT_ON_PURPOSE:
                        continue
                    with self.subTest(action=action["name"], member=name):
                        self.check_variant(action, part, path, "BOGUS")

    def check_missing(self, action, part, path):
        self.check_variant(action, part, path, None)

    def check_variant(self, action, part, path, value):
        """The example with the member at path removed (value None) or set
        to value: the client may send it only if MoEngage takes it."""
        call = copy.deepcopy(EXAMPLES[action["name"]](self)["call"])
        o = call[part]
        for p in path[:-1]:
            o = o[p]
        if value is None:
            del o[path[-1]]
        else:
            o[path[-1]] = [value] if isinstance(o[path[-1]], list) else \
                value
        mark = self.mark()
        st, _, out = self.rpc(dict(call, action=action["name"]))
        sent = self.since(mark)
        if sent:        # the client let it through: MoEngage must take it
            self.assertEqual(st, 200, (out, sent[-1]["status"]))
            return
        self.assertEqual((st, out["error"]["code"]),
                         (400, "validation_failed"))
        st, _, raw = self.proxy(self.to_proxy(action, call))
        self.assertTrue(st >= 400 or raw.get("status") == "Fail",
                        "the client refuses what MoEngage takes: %s %s" %
                        (st, raw))

    def test_documented_alternatives_are_accepted_by_both(self):
        for name, call in ALSO_ACCEPTED:
            if callable(call):
                call = call(self)
            with self.subTest(action=name, call=call):
                mark = self.mark()
                st, _, out = self.rpc(dict(call, action=name))
                self.assertEqual(st, 200, out)
                sent = self.since(mark)
                self.assertEqual(len(sent), 1)
                self.assertTrue(200 <= sent[0]["status"] <= 299, sent[0])

    def test_real_refusals_keep_moengage_status_and_words(self):
        """MoEngage refusals no local check can foresee (an unknown user or
        catalog, a taken label, a duplicate campaign, an unknown alert)."""
        name = self.unique("Conformance dup")
        st, _, body, _ = self.sim.api("/v2/transaction/sendpush", dict(
            push_body(name), appId=WS, signature=sha(WS, name,
                                                     KEYS["push"])),
            ws=None, host="pushapi-01.moengage.com")
        self.assertEqual(body["status"], "Success")
        label = self.unique("conf_label")
        block = {"name": label, "label": label, "raw_content": "x",
                 "content_type": "TEXT", "created_by": "ops@example.com"}
        self.assertEqual(self.moe("/v1/external/campaigns/content-blocks",
                                  block)[0], 200)
        cases = [
            ("moengage_delete_user", {"body": {
                "identity_type": "customer_id",
                "identity_value": "conf_nobody"}}, 400, "moengage_not_found",
             "User doesn't exists with customer id conf_nobody"),
            ("moengage_send_push", {"body": push_body(name)}, 200,
             "moengage_error", "Duplicate campaign name"),
            ("moengage_create_content_block", {"body": block}, 409,
             "moengage_conflict", "Duplicate Label"),
            ("moengage_search_catalog_items", {
                "path": {"catalog_id": "0" * 24}, "body": {"items": ["P1"]}},
             404, "moengage_not_found", "catalog-not-found"),
            ("moengage_trigger_business_event", {"body": {
                "event_name": "conf_unknown", "event_attributes": {}}}, 400,
             "moengage_validation_failed", "Business event does not exists"),
            ("moengage_get_recommendation", {"path": {
                "recommendation_id": "0" * 24}}, 400,
             "moengage_validation_failed", "recommendation does not exist"),
            ("moengage_send_inform", {"body": {
                "alert_id": "x1", "transaction_id": "conf_bad_alert",
                "payloads": {"SMS": {"recipient": "1"}}}}, 400,
             "moengage_validation_failed", "Invalid Alert ID"),
        ]
        for action, call, moe_status, code, words in cases:
            with self.subTest(action=action):
                mark = self.mark()
                st, _, out = self.rpc(dict(call, action=action))
                sent = self.since(mark)
                self.assertEqual(len(sent), 1)
                self.assertEqual(sent[0]["status"], moe_status)
                self.assertEqual(st, rpc_status(moe_status), out)
                err = out["error"]
                self.assertEqual(err["code"], code)
                self.assertEqual(err["moengage"]["status"], moe_status)
                self.assertIn(words, [err["moengage"].get("type")] +
                              err["moengage"]["message"].split(": "))


# ---- paging -----------------------------------------------------------------

def _page_stats(t):
    total, ids = None, []
    offset = 0
    while total is None or offset < total:
        st, _, body, _ = t.moe("/core-services/v1/campaign-stats",
                               dict(STATS, offset=offset, limit=10))
        t.assertEqual(st, 200, body)
        total = body["total_campaigns"]
        ids += list(body["data"])
        offset += 10
    return ids, {"body": dict(STATS, limit=4)}, lambda o: list(o["data"])


ALL_RECOS = "Active,Processing,Archived,Failed"


def _page_recos(t):
    st, _, body, _ = t.moe("/v1/recommendations?size=100&status=" +
                           ALL_RECOS, method="GET")
    t.assertEqual(st, 200, body)
    return ([r["id"] for r in body["items"]],
            {"query": {"size": 5, "status": ALL_RECOS}},
            lambda o: [r["id"] for r in o["items"]])


def _page_events(search):
    def page(t):
        made = [_ex_business_event(t) for _ in range(7)]
        names = [n for n, _ in made]
        call = {"body": {"filters": {"names": names}, "limit": 3}} \
            if search else {"query": {"limit": 3}}
        return ([i for _, i in made], call,
                lambda o: [e["id"] for e in o["data"]])
    return page


def _page_templates(channel):
    def page(t):
        ids = [t.template(channel) for _ in range(7)]
        return (ids, {"body": {"page": 1, "entries": 3}},
                lambda o: [x["external_template_id"] for x in o["data"]])
    return page


def _page_file_imports(path, body, key):
    def page(t):
        ids, offset, more = [], 1, True
        while more:
            st, _, out, _ = t.moe(path, dict(body, offset=offset), "data",
                                  host="fileimports-data-api-01.moengage.com")
            t.assertEqual(st, 200, out)
            ids += [x[key] for x in out["data"]]
            more, offset = out["more_files"], offset + 1
        return ids, {"body": body}, lambda o: [x[key] for x in o["data"]]
    return page


# name -> function(test) -> (every stored id in the order MoEngage lists
# them, the rpc call with a small page, the ids of the gathered answer)
PAGED = {
    "moengage_get_file_imports": _page_file_imports(
        "/v1.0/data/fileimports/import/status", {}, "import_id"),
    "moengage_get_file_import_history": _page_file_imports(
        "/v1.0/data/fileimports/import/run/history",
        {"import_name": "Daily users"}, "id"),
    "moengage_get_campaign_stats": _page_stats,
    "moengage_list_recommendations": _page_recos,
    "moengage_list_business_events": _page_events(False),
    "moengage_search_business_events_v5": _page_events(True),
}
for _ch in CHANNELS:
    PAGED["moengage_search_%s_templates" % _ch] = _page_templates(_ch)


class PagingConformanceTest(ConformanceCase):

    def test_paginate_returns_every_stored_item_once(self):
        paged = [a for a in self.actions if a["paging"] != "none"]
        missing = [a["name"] for a in paged if a["name"] not in PAGED]
        self.assertEqual(missing, [], "add a paging example for " +
                         ", ".join(missing))
        stale = set(PAGED) - {a["name"] for a in paged}
        self.assertEqual(stale, set(), "paging examples of no paged action")
        for action in paged:
            with self.subTest(action=action["name"]):
                self.setUp()
                want, call, ids_of = PAGED[action["name"]](self)
                self.assertGreater(len(want), 5)
                mark = self.mark()
                st, _, out = self.rpc(dict(call, action=action["name"],
                                           paginate=True))
                self.assertEqual(st, 200, out)
                got = ids_of(out)
                self.assertEqual(len(got), len(set(got)), "each item once")
                if action["name"] == "moengage_get_campaign_stats":
                    self.assertEqual(set(got), set(want))
                else:
                    self.assertEqual(got, want)
                pages = self.since(mark)
                self.assertGreater(len(pages), 1, "it spans several pages")
                for p in pages:
                    self.assertEqual(p["route"], pages[0]["route"])
                    self.assertTrue(200 <= p["status"] <= 299, p)


if __name__ == "__main__":
    unittest.main()
