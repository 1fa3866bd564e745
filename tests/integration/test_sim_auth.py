# SPDX-License-Identifier: MIT
"""moelink sim: every Data API credential case answers with the status and
the exact body MoEngage documents (reference 2.3, data.yaml)."""
import base64
import unittest

from harness import DEFAULT_WORKSPACES, SimCase, basic

AUTH = "Authentication required"
USER = {"type": "customer", "customer_id": "auth-user"}
TRACK = "/v1/customer/WS_US01"

WORKSPACES = DEFAULT_WORKSPACES + [
    # A workspace whose Data key was never generated.
    {"workspace_id": "WS_NOKEY", "data_center": "01", "name": "No key",
     "keys": {"general": "gen-key-nokey"}},
    {"workspace_id": "WS_BLOCKED", "data_center": "01", "name": "Blocked",
     "keys": {"data": "data-key-blocked"}, "state": "blocked"},
]


class SimAuthTest(SimCase):
    WORKSPACES = WORKSPACES

    def raw_auth(self, value, path=TRACK, body=USER):
        return self.sim.api(path, body, ws=None,
                            headers={"Authorization": value})

    def test_no_authorization_header(self):
        self.assertFail(self.sim.api(TRACK, USER, ws=None), 401,
                        "Authentication Header Required", AUTH)

    def test_empty_authorization_header(self):
        self.assertFail(self.raw_auth(""), 401,
                        "No identity information found", AUTH)

    def test_basic_without_credentials(self):
        self.assertFail(self.raw_auth("Basic "), 401,
                        "No identity information found", AUTH)

    def test_undecodable_base64(self):
        self.assertFail(self.raw_auth("Basic %%not-base64%%"), 401,
                        "Invalid identity information found", AUTH)

    def test_base64_without_colon(self):
        token = base64.b64encode(b"WS_US01-data-key-us01").decode()
        self.assertFail(self.raw_auth("Basic " + token), 401,
                        "Invalid identity information found", AUTH)

    def test_bearer_scheme_is_refused(self):
        self.assertFail(self.raw_auth("Bearer data-key-us01"), 401,
                        "Invalid authorization used. MoEngage only supports "
                        "'Basic Auth' authorization.", AUTH)

    def test_unknown_workspace(self):
        self.assertFail(self.sim.api("/v1/customer/WS_NOPE", USER,
                                     ws="WS_NOPE", key="x"), 401,
                        "Invalid APP_ID used in Authentication Header", AUTH)

    def test_missing_username_and_password(self):
        self.assertFail(self.raw_auth(basic("", "data-key-us01")), 401,
                        "APP_KEY missing in the authentication header", AUTH)
        self.assertFail(self.raw_auth(basic("WS_US01", "")), 401,
                        "APP_SECRET missing in the authentication header",
                        AUTH)

    def test_merge_words_missing_credentials_its_own_way(self):
        path = "/v1/customer/merge?app_id=WS_US01"
        body = {"merge_data": [{"merged_user": "a", "retained_user": "b"}]}
        self.assertFail(self.raw_auth(basic("", "k"), path, body), 401,
                        "Username (APP_KEY) is missing in the Basic Auth "
                        "authorization.", AUTH)
        self.assertFail(self.raw_auth(basic("WS_US01", ""), path, body), 401,
                        "Password (APP_SECRET) is missing in the Basic Auth "
                        "authorization.", AUTH)

    def test_wrong_key(self):
        self.assertFail(self.sim.api(TRACK, USER, key="wrong-key"), 401,
                        "App Secret key mismatch. Please login to the "
                        "dashboard to verify key", AUTH)

    def test_key_of_another_tile_is_wrong_for_data(self):
        self.assertFail(self.sim.api(TRACK, USER, key="gen-key-us01"), 401,
                        "App Secret key mismatch. Please login to the "
                        "dashboard to verify key", AUTH)

    def test_multi_key_is_accepted(self):
        self.assertAccepted(self.sim.api(
            "/v1/customer/WS_EU02", USER, ws="WS_EU02", key="multi-key-eu02",
            host="api-02.moengage.com"))

    def test_key_never_set_is_409(self):
        self.assertFail(self.sim.api("/v1/customer/WS_NOKEY", USER,
                                     ws="WS_NOKEY", key="anything"), 409,
                        "App Secret key is not set. Please login to the "
                        "dashboard to set a key", AUTH)

    def test_path_app_id_must_match_username(self):
        self.assertFail(self.sim.api("/v1/customer/WS_IN03", USER), 409,
                        "App key mismatch in params and authentication", AUTH)

    def test_query_app_id_must_match_username(self):
        body = {"identity_type": "customer_id", "identity_value": "x"}
        self.assertFail(self.sim.api("/v1/customer/delete?app_id=WS_IN03",
                                     body), 409,
                        "App key mismatch in params and authentication", AUTH)

    def test_merge_409_has_its_documented_full_stops(self):
        body = {"merge_data": [{"merged_user": "a", "retained_user": "b"}]}
        self.assertFail(self.sim.api("/v1/customer/merge?app_id=WS_IN03",
                                     body), 409,
                        "App key mismatch in params and authentication.",
                        AUTH + ".")

    def test_query_app_id_is_required(self):
        body = {"identity_type": "customer_id", "identity_value": "x"}
        self.assertFail(self.sim.api("/v1/customer/delete", body), 400,
                        "app_id is required in path/query params.",
                        "ParamsRequired")

    def test_workspace_on_another_data_center_host(self):
        # WS_US01 lives in DC 01: on api-02 it does not exist.
        self.assertFail(self.sim.api(TRACK, USER, host="api-02.moengage.com"),
                        401, "Invalid APP_ID used in Authentication Header",
                        AUTH)
        self.assertAccepted(self.sim.api(
            TRACK, USER, host="api-01.moengage.com:443"))

    def test_blocked_account(self):
        self.assertFail(self.sim.api("/v1/customer/WS_BLOCKED", USER,
                                     ws="WS_BLOCKED", key="data-key-blocked"),
                        403, "Your account is blocked. Please contact "
                        "MoEngage team.", "BlockedClient")

    def test_test_connection_requires_moe_appkey(self):
        body = {"app_id": "WS_US01", "app_secret": "data-key-us01",
                "source": "test", "region": "01"}
        path = "/v1/integrations/authentication"
        self.assertFail(self.sim.api(path, body), 401,
                        "MOE-APPKEY is missing in Header", AUTH)
        self.assertFail(self.sim.api(path, body,
                                     headers={"MOE-APPKEY": "WS_IN03"}), 401,
                        "MOE_APPKEY doesn't match the Username (APP_KEY) "
                        "used in Basic Auth authorization.", AUTH)
        st, hd, got, _ = self.sim.api(path, body,
                                      headers={"MOE-APPKEY": "WS_US01"})
        self.assertEqual((st, got), (200, {"status": "success",
                                           "app_name": "Acme US"}))
        self.assertRegex(hd["x-request-id"], r"^[A-Za-z]{8}$")

    def test_test_connection_checks_the_key(self):
        body = {"app_id": "WS_US01", "app_secret": "wrong",
                "source": "test", "region": "01"}
        self.assertFail(self.sim.api("/v1/integrations/authentication", body,
                                     key="wrong",
                                     headers={"MOE-APPKEY": "WS_US01"}),
                        401, "App Secret key mismatch. Please login to the "
                        "dashboard to verify key", AUTH)

    def test_failed_auth_counts_for_the_named_workspace(self):
        self.sim.api(TRACK, USER, key="wrong-key")
        self.sim.api(TRACK, USER)
        ws = self.sim.stats()["workspaces"]["WS_US01"]
        self.assertEqual((ws["requests"], ws["2xx"], ws["4xx"]), (2, 1, 1))


if __name__ == "__main__":
    unittest.main(verbosity=2)
