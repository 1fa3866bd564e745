# SPDX-License-Identifier: MIT
"""moelink sim, Data API: documented validation errors, body and media-type
checks, and what the simulated MoEngage remembers (users, events, devices,
merges, deletes, Get User)."""
import json
import unittest

from harness import SimCase

MISSING = "MissingAttributeError"
NOT_FOUND_BODY = {"code": 404, "status": "error",
                  "reason": "Page not found. Please recheck the URL"}


def padded_user(size):
    """A valid Track User body of exactly `size` bytes."""
    doc = {"type": "customer", "customer_id": "big", "attributes": {"p": ""}}
    base = len(json.dumps(doc).encode())
    doc["attributes"]["p"] = "x" * (size - base)
    raw = json.dumps(doc).encode()
    assert len(raw) == size
    return raw


class SimBodyTest(SimCase):
    """Checks every Data endpoint makes before reading the payload."""

    def test_body_over_128_kb_is_413(self):
        res = self.sim.api("/v1/customer/WS_US01", raw=padded_user(131073),
                           headers={"Content-Type": "application/json"})
        self.assertFail(res, 413, "Payload size exceeds 128 KB",
                        "PayloadTooLarge")

    def test_body_of_exactly_128_kb_is_accepted(self):
        self.assertAccepted(self.sim.api(
            "/v1/customer/WS_US01", raw=padded_user(131072),
            headers={"Content-Type": "application/json"}))

    def test_merge_and_opt_out_word_413_their_own_way(self):
        big = b"{" + b" " * 140000 + b"}"
        ct = {"Content-Type": "application/json"}
        self.assertFail(self.sim.api("/v1/customer/merge?app_id=WS_US01",
                                     raw=big, headers=ct), 413,
                        "The payload can not exceed 128KB", "PayloadTooLarge")
        self.assertFail(self.sim.api("/v1/devices/manage?app_id=WS_US01",
                                     raw=big, headers=ct), 413,
                        "Payload cannot exceed 128KB", "Payload too large")

    def test_missing_content_type_is_400(self):
        self.assertFail(self.sim.api("/v1/customer/WS_US01",
                                     raw=b'{"type":"customer"}'), 400,
                        "The Content-Type Header is required.",
                        "Missing header value")

    def test_unsupported_media_type_is_415_in_each_endpoints_words(self):
        text = {"Content-Type": "text/plain"}
        self.assertFail(self.sim.api("/v1/customer/WS_US01", raw=b"{}",
                                     headers=text), 415,
                        "Unsupported Media Type", "MediaTypeError")
        self.assertFail(self.sim.api("/v1/event/WS_US01", raw=b"{}",
                                     headers=text), 415,
                        "Content type is not supported",
                        "Unsupported media type")

    def test_charset_parameter_is_fine(self):
        self.assertAccepted(self.sim.api(
            "/v1/customer/WS_US01",
            raw=b'{"type":"customer","customer_id":"cs"}',
            headers={"Content-Type": "application/json; charset=utf-8"}))

    def test_empty_body(self):
        self.assertFail(self.sim.api("/v1/customer/WS_US01", raw=b"",
                                     headers={"Content-Type":
                                              "application/json"}), 400,
                        "A valid JSON document is required.",
                        "Body type is not JSON")

    def test_malformed_json(self):
        ct = {"Content-Type": "application/json"}
        self.assertFail(self.sim.api("/v1/event/WS_US01",
                                     raw=b'{"type":"event",}', headers=ct),
                        400, "Could not decode the request body. The JSON "
                        "was incorrect or not encoded as UTF-8.",
                        "Malformed JSON")
        # Bulk Import's documented message starts with a stray quote.
        self.assertFail(self.sim.api("/v1/transition/WS_US01",
                                     raw=b"{'type': 'transition'}",
                                     headers=ct), 400,
                        "'Could not decode the request body. The JSON was "
                        "incorrect or not encoded as UTF-8.",
                        "Malformed JSON")

    def test_unknown_path_and_host_are_404(self):
        st, _, body, _ = self.sim.api("/v1/no-such-api")
        self.assertEqual((st, body), (404, NOT_FOUND_BODY))
        st, _, body, _ = self.sim.api("/v1/customer/WS_US01",
                                      host="api.example.com")
        self.assertEqual((st, body), (404, NOT_FOUND_BODY))
        st, _, body, _ = self.sim.api("/v1/customer/WS_US01",
                                      host="api-07.moengage.com")
        self.assertEqual((st, body), (404, NOT_FOUND_BODY))

    def test_wrong_method_is_405(self):
        st, _, body, _ = self.sim.api("/v1/customer/WS_US01", method="GET")
        self.assertEqual((st, body), (405, {"status": "fail",
                                            "message": "Method not allowed"}))


class SimValidationTest(SimCase):
    """The 400s of reference 4.3 with their documented attribute."""

    def test_track_user_customer_id(self):
        self.assertFail(self.sim.api("/v1/customer/WS_US01",
                                     {"type": "customer"}), 400,
                        "customer_id is not found in the payload", MISSING,
                        "customer_id")
        self.assertFail(self.sim.api("/v1/customer/WS_US01",
                                     {"type": "customer", "customer_id": ""}),
                        400, "customer_id can not be empty Unicode String",
                        MISSING, "customer_id")

    def test_track_user_array_field_error(self):
        body = {"type": "customer", "customer_id": "u",
                "attributes": {"addValueToArrayField": {"first_name": ["a"]},
                               "removeValueFromArrayField":
                               {"first_name": ["b"]}}}
        self.assertFail(self.sim.api("/v1/customer/WS_US01", body), 400,
                        "Cannot add and remove 'first_name' at the same time",
                        "ArrayFieldError", "addValueToArrayField")

    def test_track_event_actions(self):
        path = "/v1/event/WS_US01"
        base = {"type": "event", "customer_id": "u"}
        self.assertFail(self.sim.api(path, base), 400,
                        "actions can not be empty Array", MISSING, "actions")
        self.assertFail(self.sim.api(path, dict(base, actions=[])), 400,
                        "actions can not be empty Array", MISSING, "actions")
        self.assertFail(self.sim.api(path, dict(base, actions=[{"x": 1}])),
                        400, "action is not found in the payload", MISSING,
                        "action")
        self.assertFail(self.sim.api(path, {"type": "event", "actions":
                                            [{"action": "A"}]}), 400,
                        "customer_id is not found in the payload", MISSING,
                        "customer_id")

    def test_track_device(self):
        path = "/v1/device/WS_US01"
        dev = {"type": "device", "customer_id": "u", "device_id": "d",
               "attributes": {"platform": "Windows", "push_id": "tok"}}
        self.assertFail(self.sim.api(path, dev), 400,
                        "'platform' is not a valid platform.", "ValueError",
                        "platform")
        dev["attributes"] = {"platform": "ANDROID"}
        self.assertFail(self.sim.api(path, dev), 400,
                        "'push_id' is not found in payload", MISSING,
                        "push_id")
        del dev["attributes"]
        self.assertFail(self.sim.api(path, dev), 400,
                        "'attributes' is not found in the payload", MISSING,
                        "attributes")

    def test_opt_out(self):
        path = "/v1/devices/manage?app_id=WS_US01"
        body = {"user_identifier_type": "customer_id",
                "user_identifier_value": "u", "action_type": "block",
                "device_identifiers": [{"imei": "1"}]}
        self.assertFail(self.sim.api(path, body), 400,
                        "device identifier can only be in ['moe_gaid', "
                        "'push_id', 'unique_id', 'device_unique_id'] ",
                        "ValueError", "device_identifiers")
        del body["action_type"]
        self.assertFail(self.sim.api(path, body), 400,
                        "Action_type is not found in the payload", MISSING,
                        "action_type")

    def test_bulk_envelope_errors(self):
        path = "/v1/transition/WS_US01"
        self.assertFail(self.sim.api(path, {"type": "transition",
                                            "elements": []}), 400,
                        "'elements cannot be empty array", MISSING,
                        "elements")
        self.assertFail(self.sim.api(path, {"type": "transition", "elements":
                                            [{"type": "Customer",
                                              "customer_id": "u"}]}), 400,
                        "'type in elements should be customer/event/device",
                        "AttributeError", "type")
        self.assertFail(self.sim.api(path, {"type": "transition", "elements":
                                            [{"type": "customer"}]}), 400,
                        "'customer_id not found in the payload", MISSING,
                        "customer_id")
        self.assertFail(self.sim.api(path, {"type": "transition", "elements":
                                            [{"type": "event",
                                              "customer_id": "u",
                                              "actions": [{"action": ""}]}]}),
                        400, "'action cannot be empty Unicode string",
                        MISSING, "action")

    def test_get_user_limits(self):
        path = "/v1/customers/export?app_id=WS_US01"
        ids = [{"identifier_type": "customer_id", "identifier": "u%d" % i}
               for i in range(21)]
        self.assertFail(self.sim.api(path, {"data": {"identifiers": ids}}),
                        400, "max limit allowed is 20", "LimitBreached",
                        "users")
        self.assertFail(self.sim.api(path, {"identifiers": ids[:1]}), 400,
                        "data is not found in the payload", MISSING, "data")
        self.assertFail(self.sim.api(path, {"data": {}}), 400,
                        "identifiers is not found in the payload", MISSING,
                        "identifiers")

    def test_merge_limits(self):
        path = "/v1/customer/merge?app_id=WS_US01"
        pairs = [{"merged_user": "a%d" % i, "retained_user": "b"}
                 for i in range(51)]
        self.assertFail(self.sim.api(path, {"merge_data": pairs}), 400,
                        "max limit allowed is 50", "LimitBreached",
                        "merge_data")
        self.assertFail(self.sim.api(path, {"merge_data": [
            {"merged_user": 5, "retained_user": "b"}]}), 400,
            "merged_user is expected to be String or Unicode String.",
            MISSING, "merged_user")

    def test_delete_unknown_user(self):
        self.assertFail(self.sim.api("/v1/customer/delete?app_id=WS_US01",
                                     {"identity_type": "customer_id",
                                      "identity_value": "ghost"}), 400,
                        "User doesn't exists with customer id ghost",
                        "Not Found")


class SimStateTest(SimCase):
    """What the simulated workspace remembers."""

    def track(self, cid, attrs, **extra):
        body = dict({"type": "customer", "customer_id": cid,
                     "attributes": attrs}, **extra)
        self.assertAccepted(self.sim.api("/v1/customer/WS_US01", body))

    def user(self, cid, ws="WS_US01"):
        return self.sim.admin("GET", "/_sim/users/%s/%s" % (ws, cid))

    def test_track_user_merges_attributes(self):
        self.track("u1", {"name": "Ann", "tags": ["a"]})
        self.track("u1", {"plan": "gold",
                          "addValueToArrayField": {"tags": ["b"]}})
        self.track("u1", {"removeValueFromArrayField": {"tags": ["a"]}},
                   unset_attributes=[{"type": "equals", "attr": "NAME",
                                      "case_sensitive": False}])
        st, u = self.user("u1")
        self.assertEqual(st, 200)
        self.assertEqual(u["attributes"], {"plan": "gold", "tags": ["b"]})
        self.assertRegex(u["id"], r"^[0-9a-f]{24}$")

    def test_update_existing_only_does_not_create(self):
        self.track("nobody", {"a": 1}, update_existing_only=True)
        self.assertEqual(self.user("nobody")[0], 404)

    def test_event_creates_user_and_is_recorded(self):
        body = {"type": "event", "customer_id": "e1",
                "actions": [{"action": "Viewed"}, {"action": "Bought",
                                                   "attributes": {"p": 3}}]}
        self.assertAccepted(self.sim.api("/v1/event/WS_US01", body))
        st, u = self.user("e1")
        self.assertEqual([e["action"] for e in u["events"]],
                         ["Viewed", "Bought"])
        self.assertEqual(self.sim.stats()["workspaces"]["WS_US01"]["events"],
                         2)

    def test_device_needs_an_existing_user(self):
        dev = {"type": "device", "customer_id": "d1", "device_id": "dev1",
               "attributes": {"platform": "ANDROID", "push_id": "tok"}}
        self.assertAccepted(self.sim.api("/v1/device/WS_US01", dev))
        self.assertEqual(
            self.sim.stats()["workspaces"]["WS_US01"]["devices"], 0)
        self.track("d1", {})
        self.assertAccepted(self.sim.api("/v1/device/WS_US01", dev))
        self.assertEqual([d["device_id"] for d in self.user("d1")[1]
                          ["devices"]], ["dev1"])

    def test_merge_moves_data_and_answers_created(self):
        self.track("old", {"city": "Pune", "plan": "free"})
        self.track("new", {"plan": "gold", "email": "n@x"})
        self.sim.api("/v1/event/WS_US01", {"type": "event",
                                           "customer_id": "old",
                                           "actions": [{"action": "A"}]})
        st, hd, body, _ = self.sim.api(
            "/v1/customer/merge?app_id=WS_US01",
            {"merge_data": [{"merged_user": "old", "retained_user": "new"},
                            {"merged_user": "ghost", "retained_user": "new"}]})
        self.assertEqual((st, body), (200, {"status": "success",
                                            "operation": "created"}))
        self.assertEqual(self.user("old")[0], 404)
        u = self.user("new")[1]
        self.assertEqual(u["attributes"], {"city": "Pune", "plan": "free",
                                           "email": "n@x"})
        self.assertEqual([e["action"] for e in u["events"]], ["A"])

    def test_delete_removes_the_user(self):
        self.track("gone", {"a": 1})
        path = "/v1/customer/delete?app_id=WS_US01"
        self.assertAccepted(self.sim.api(path, {"identity_type":
                                                "customer_id",
                                                "identity_value": "gone"}))
        self.assertEqual(self.user("gone")[0], 404)

    def test_get_user_exports_what_it_holds(self):
        self.track("john_doe", {"last_name": "Doe", "name": "John",
                                "age": 40})
        moe_id = self.user("john_doe")[1]["id"]
        st, _, body, _ = self.sim.api(
            "/v1/customers/export?app_id=WS_US01",
            {"data": {"identifiers": [
                {"identifier_type": "customer_id", "identifier": "john_doe"},
                {"identifier_type": "customer_id", "identifier": "jane"}],
                "user_fields_to_export": ["last_name", "customer_id",
                                          "name"]}})
        self.assertEqual(st, 200)
        self.assertEqual(body, {
            "status": "success", "type": "export_users",
            "data": {"users_not_found": [{"identifier_type": "customer_id",
                                          "identifier": "jane"}],
                     "users": [{"user_attributes": {
                         "last_name": "Doe", "customer_id": "john_doe",
                         "name": "John", "id": moe_id}}]}})

    def test_bulk_applies_elements_in_order(self):
        body = {"type": "transition", "elements": [
            {"type": "customer", "customer_id": "b1",
             "attributes": {"name": "B"}},
            {"type": "device", "customer_id": "b1", "device_id": "bd1",
             "attributes": {"platform": "Windows", "push_id": "p"}},
            {"type": "event", "customer_id": "b1",
             "actions": [{"action": "X"}, {"action": "Y"}]}]}
        self.assertAccepted(self.sim.api("/v1/transition/WS_US01", body))
        u = self.user("b1")[1]
        self.assertEqual((u["attributes"], len(u["devices"]),
                          len(u["events"])), ({"name": "B"}, 1, 2))

    def test_workspaces_are_separate(self):
        self.track("shared", {"a": 1})
        self.assertEqual(self.user("shared", ws="WS_IN03")[0], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
