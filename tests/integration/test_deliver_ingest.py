# SPDX-License-Identifier: MIT
"""POST /events as raw bytes: each element of the array is parsed on its
own and stored as the text the caller sent, so these tests send bodies by
hand: elements reach MoEngage byte for byte, brackets, commas and quotes
inside strings do not cut an element, a body that is not one JSON array is
refused whole whatever element is broken, the Bulk-shaped form and the
element cap still hold."""
import json
import unittest

from test_deliver import DeliverCase, event, user, wait_for


class IngestTest(DeliverCase):

    def setUp(self):
        self.env.sim.reset()
        wait_for("an empty outbox", lambda: self.env.queued() == 0)

    def post_raw(self, raw, query=""):
        return self.env.server.request(
            "POST", "/events" + query, raw=raw,
            headers=dict(self.env.auth(self.env.accounts[0]),
                         **{"Content-Type": "application/json"}))

    def bulk_bodies(self, want):
        def bodies():
            out = [r.get("body", "") for r in self.env.bulk_requests()]
            return out if sum(b.count('"customer_id"') for b in out) \
                >= want else None
        return "".join(wait_for("%d elements at the sim" % want, bodies))

    def test_elements_reach_moengage_as_sent(self):
        # Spacing, an escaped slash, a \u escape and key order as the caller
        # wrote them: the Bulk Import body carries exactly these bytes.
        el1 = ('{ "type" : "customer", "customer_id": "raw-1",\n'
               '  "attributes": {"site": "a\\/b", "name": "Zo\\u00e9"} }')
        el2 = ('{"customer_id":"raw-1","type":"event","actions":'
               '[{"action":"Seen","attributes":{"n":1.50}}]}')
        st, _, body = self.post_raw(("[\n  %s ,\n%s\n]\n" % (el1, el2))
                                    .encode())
        self.assertEqual(st, 202, body)
        self.assertEqual(body["accepted"], 2)
        sent = self.bulk_bodies(2)
        self.assertIn(el1, sent)
        self.assertIn(el2, sent)
        # And MoEngage read them as the caller meant.
        _, u = self.env.sim.admin("GET", "/_sim/users/%s/raw-1" %
                                  self.env.ws[0]["workspace_id"])
        self.assertEqual(u["attributes"]["site"], "a/b")
        self.assertEqual(u["attributes"]["name"], "Zo\u00e9")

    def test_brackets_commas_and_quotes_in_strings_do_not_cut(self):
        tricky = 'a],[{"x": 1}, \\"quoted\\" \\\\'
        els = [user("cut-%d" % i, note=tricky, i=i) for i in range(3)]
        raw = json.dumps(els).encode()
        st, _, body = self.post_raw(raw)
        self.assertEqual(st, 202, body)
        self.assertEqual(body["accepted"], 3)
        wait_for("three users", lambda: self.env.sim_ws()["users"] >= 3)
        for i in range(3):
            _, u = self.env.sim.admin("GET", "/_sim/users/%s/cut-%d" % (
                self.env.ws[0]["workspace_id"], i))
            self.assertEqual(u["attributes"]["note"], tricky)
            self.assertEqual(u["attributes"]["i"], i)

    def test_a_body_that_is_not_one_json_array_is_refused_whole(self):
        good = json.dumps(user("never-1"))
        bad_bodies = [
            "[%s, %s" % (good, good),             # not closed
            "[%s, %s] x" % (good, good),          # data after the array
            "[%s, ]" % good,                      # a value is missing
            "[%s,, %s]" % (good, good),
            "[%s, {\"type\": \"customer\",}]" % good,   # trailing comma
            "[%s, {'type': 'customer'}]" % good,  # single quotes
            "[%s, {\"a\": [1, 2}]" % good,        # brackets do not match
            "[%s] ]" % good,
            "[%s, \"unterminated]" % good,
        ]
        for raw in bad_bodies:
            for query in ("", "?partial=true"):
                st, _, body = self.post_raw(raw.encode(), query)
                self.assertEqual(st, 400, (raw, body))
                self.assertEqual(body["error"]["code"], "malformed_json",
                                 (raw, body))
        self.assertEqual(self.env.queued(), 0)

    def test_empty_and_non_array_bodies(self):
        for raw in (b"[]", b" [ ] "):
            st, _, body = self.post_raw(raw)
            self.assertEqual(st, 400, body)
            self.assertEqual(body["error"]["code"], "invalid_request")
        st, _, body = self.post_raw(b'{"type": "customer"}')
        self.assertEqual(st, 400, body)
        self.assertEqual(body["error"]["code"], "invalid_request")
        st, _, body = self.post_raw(b"")
        self.assertEqual(st, 400, body)

    def test_bulk_shaped_body_with_partial(self):
        good = user("bulk-shape-1", plan="pro")
        bad = {"type": "customer", "customer_id": "guest"}
        st, _, body = self.post_raw(json.dumps(
            {"elements": [good, bad]}).encode())
        self.assertEqual(st, 400, body)
        self.assertEqual([r["index"] for r in body["rejected"]], [1])
        st, _, body = self.post_raw(json.dumps(
            {"elements": [good, bad], "partial": True}).encode())
        self.assertEqual(st, 202, body)
        self.assertEqual((body["accepted"], body["rejected_count"]), (1, 1))
        wait_for("the user", lambda: self.env.sim_ws()["users"] >= 1)

    def test_invalid_elements_are_named_by_index_in_any_position(self):
        els = [event("idx-%d" % i) for i in range(7)]
        els[0] = {"type": "customer", "customer_id": "guest"}
        els[6] = {"type": "device", "customer_id": "idx-6"}  # no push_id
        st, _, body = self.post_raw(json.dumps(els).encode(),
                                    "?partial=true")
        self.assertEqual(st, 202, body)
        self.assertEqual([r["index"] for r in body["rejected"]], [0, 6])
        self.assertEqual(body["accepted"], 5)

    def test_more_elements_than_the_cap_is_413(self):
        els = [event("cap-%d" % (i % 10)) for i in range(10001)]
        st, _, body = self.post_raw(json.dumps(els).encode())
        self.assertEqual(st, 413, body)
        self.assertEqual(body["error"]["code"], "payload_too_large")
        self.assertEqual(self.env.queued(), 0)


if __name__ == "__main__":
    unittest.main()
