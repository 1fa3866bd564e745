/* SPDX-License-Identifier: MIT */
/* Unit tests: the Bulk Import packer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/batch.h>
#include <moelink/json.h>

/* An event element for customer c with a padded attribute of pad bytes. */
static int
make_event(char *out, size_t cap, const char *c, int seq, size_t pad)
{
	static const char fill[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	int w = pad < sizeof(fill) - 1 ? (int)pad : (int)sizeof(fill) - 1;

	return snprintf(out, cap, "{\"type\":\"event\",\"customer_id\":\"%s\","
	    "\"actions\":[{\"action\":\"Seq\",\"attributes\":{\"seq\":%d,"
	    "\"pad\":\"%.*s\"}}]}", c, seq, w, fill);
}

static const struct ml_batch_units one_event = { 0, 1 };

/* Pack elements 0..n-1 into bodies; returns the parsed bodies in order. */
static size_t
pack_all(struct ml_batch *b, char elems[][512], size_t n,
    json_object **bodies, size_t max_bodies)
{
	const char *text;
	size_t len, nb = 0, i = 0;
	struct ml_err err;

	while (i < n) {
		int rc = ml_batch_add(b, elems[i], strlen(elems[i]),
		    &one_event, &err);
		if (rc == ML_OK) {
			i++;
			continue;
		}
		assert_int_equal(rc, ML_ETOOBIG);
		assert_string_equal(err.kind, "batch_full");
		assert_int_equal(ml_batch_finish(b, &text, &len, &err), ML_OK);
		assert_true(len <= b->lim.max_bytes);
		assert_true(nb < max_bodies);
		assert_int_equal(ml_json_parse(text, len, 0, 0, &bodies[nb++],
		    &err), ML_OK);
		ml_batch_reset(b);
	}
	if (b->count > 0) {
		assert_int_equal(ml_batch_finish(b, &text, &len, &err), ML_OK);
		assert_true(nb < max_bodies);
		assert_int_equal(ml_json_parse(text, len, 0, 0, &bodies[nb++],
		    &err), ML_OK);
	}
	return nb;
}

static void
batch_body_is_valid_transition_json_with_exact_size(void **state)
{
	struct ml_batch b;
	struct ml_err err;
	const char *text;
	char el[512];
	size_t len, predicted;
	json_object *doc = NULL, *els;

	(void)state;
	ml_batch_init(&b, NULL);
	assert_int_equal(b.lim.max_bytes, ML_BATCH_DEFAULT_MAX);
	make_event(el, sizeof(el), "u1", 1, 10);
	assert_int_equal(ml_batch_add(&b, el, strlen(el), &one_event, &err),
	    ML_OK);
	assert_int_equal(ml_batch_add(&b, el, strlen(el), &one_event, &err),
	    ML_OK);
	predicted = ml_batch_size(&b);
	assert_int_equal(predicted, ml_batch_envelope_size() + 2 *
	    strlen(el) + 1);
	assert_int_equal(ml_batch_finish(&b, &text, &len, &err), ML_OK);
	assert_int_equal(len, predicted);
	assert_int_equal(strlen(text), len);
	assert_int_equal(ml_json_parse(text, len, 0, 0, &doc, &err), ML_OK);
	assert_string_equal(ml_json_str(doc, "type"), "transition");
	els = ml_json_get(doc, "elements", json_type_array);
	assert_non_null(els);
	assert_int_equal(json_object_array_length(els), 2);
	assert_int_equal(b.units.events, 2);
	json_object_put(doc);
	ml_batch_cleanup(&b);
}

static void
batch_never_exceeds_cap_and_fills_it(void **state)
{
	struct ml_batch_limits lim = { 2048, 0, 0, 0 };
	struct ml_batch b;
	struct ml_err err;
	char el[512];
	const char *text;
	size_t len;
	int i, rc;

	(void)state;
	ml_batch_init(&b, &lim);
	for (i = 0; ; i++) {
		make_event(el, sizeof(el), "u", i, 40);
		rc = ml_batch_add(&b, el, strlen(el), &one_event, &err);
		if (rc != ML_OK)
			break;
	}
	assert_int_equal(rc, ML_ETOOBIG);
	assert_int_equal(ml_batch_finish(&b, &text, &len, &err), ML_OK);
	assert_true(len <= 2048);
	/* Full: the refused element would have pushed it over. */
	assert_true(len + 1 + strlen(el) > 2048);
	ml_batch_cleanup(&b);
}

static void
batch_accepts_element_that_fits_exactly(void **state)
{
	struct ml_batch_limits lim = { 1024, 0, 0, 0 };
	struct ml_batch b;
	struct ml_err err;
	char el[1100];
	const char *text;
	size_t len, room;

	(void)state;
	ml_batch_init(&b, &lim);
	room = 1024 - ml_batch_envelope_size();
	len = (size_t)snprintf(el, sizeof(el), "{\"type\":\"customer\","
	    "\"customer_id\":\"u\",\"attributes\":{\"p\":\"");
	memset(el + len, 'y', room - len - 3);
	memcpy(el + room - 3, "\"}}", 4);
	assert_int_equal(strlen(el), room);
	assert_int_equal(ml_batch_add(&b, el, room, NULL, &err), ML_OK);
	assert_int_equal(ml_batch_finish(&b, &text, &len, &err), ML_OK);
	assert_int_equal(len, 1024);
	ml_batch_cleanup(&b);
}

static void
batch_rejects_element_larger_than_cap_with_reason(void **state)
{
	struct ml_batch_limits lim = { 1024, 0, 0, 0 };
	struct ml_batch b;
	struct ml_err err;
	char *el;
	size_t n = 1024 - ml_batch_envelope_size() + 1;

	(void)state;
	el = calloc(1, n + 1);
	assert_non_null(el);
	memset(el, 'z', n);
	ml_batch_init(&b, &lim);
	assert_int_equal(ml_batch_add(&b, el, n, NULL, &err), ML_EINVAL);
	assert_string_equal(err.kind, "element_too_large");
	assert_non_null(strstr(err.msg, "1024"));
	assert_int_equal(ml_batch_fits_alone(&b, n, NULL, &err), ML_EINVAL);
	/* The batch is still empty and usable. */
	assert_int_equal(b.count, 0);
	assert_int_equal(ml_batch_add(&b, "{}", 2, NULL, &err), ML_OK);
	free(el);
	ml_batch_cleanup(&b);
}

static void
batch_keeps_per_user_order_across_bodies(void **state)
{
	static char elems[600][512];
	struct ml_batch_limits lim = { 4096, 0, 0, 0 };
	static const char *const users[] = { "alice", "bob", "carol" };
	json_object *bodies[600];
	int last[3] = { -1, -1, -1 };
	struct ml_batch b;
	size_t i, j, nb, total = 0;

	(void)state;
	srand(7);
	for (i = 0; i < 600; i++)
		make_event(elems[i], sizeof(elems[i]), users[i % 3], (int)i,
		    (size_t)(rand() % 300));
	ml_batch_init(&b, &lim);
	nb = pack_all(&b, elems, 600, bodies, 600);
	assert_true(nb > 10);
	for (i = 0; i < nb; i++) {
		json_object *els = ml_json_get(bodies[i], "elements",
		    json_type_array);
		for (j = 0; j < json_object_array_length(els); j++) {
			json_object *e = json_object_array_get_idx(els, j);
			json_object *a = json_object_array_get_idx(
			    ml_json_get(e, "actions", json_type_array), 0);
			int seq = (int)ml_json_int(ml_json_get(a, "attributes",
			    json_type_object), "seq", -1);
			const char *cid = ml_json_str(e, "customer_id");
			int u = strcmp(cid, "alice") == 0 ? 0 :
			    strcmp(cid, "bob") == 0 ? 1 : 2;
			assert_true(seq > last[u]);
			last[u] = seq;
			total++;
		}
		json_object_put(bodies[i]);
	}
	assert_int_equal(total, 600);
	ml_batch_cleanup(&b);
}

static void
batch_caps_units_per_body(void **state)
{
	struct ml_batch_limits lim = { 0, 3, 5, 0 };
	struct ml_batch_units user = { 1, 0 }, ev4 = { 0, 4 }, ev9 = { 0, 9 };
	struct ml_batch b;
	struct ml_err err;

	(void)state;
	ml_batch_init(&b, &lim);
	assert_int_equal(ml_batch_add(&b, "{}", 2, &user, &err), ML_OK);
	assert_int_equal(ml_batch_add(&b, "{}", 2, &user, &err), ML_OK);
	assert_int_equal(ml_batch_add(&b, "{}", 2, &user, &err), ML_OK);
	assert_int_equal(ml_batch_add(&b, "{}", 2, &user, &err), ML_ETOOBIG);
	assert_int_equal(ml_batch_add(&b, "{}", 2, &ev4, &err), ML_OK);
	assert_int_equal(ml_batch_add(&b, "{}", 2, &ev4, &err), ML_ETOOBIG);
	assert_int_equal(ml_batch_add(&b, "{}", 2, &ev9, &err), ML_EINVAL);
	assert_string_equal(err.kind, "element_too_large");
	assert_int_equal(b.units.users, 3);
	assert_int_equal(b.units.events, 4);
	ml_batch_cleanup(&b);
}

static void
batch_finish_refuses_empty_and_add_after_finish(void **state)
{
	struct ml_batch b;
	struct ml_err err;
	const char *text;
	size_t len;

	(void)state;
	ml_batch_init(&b, NULL);
	assert_int_equal(ml_batch_finish(&b, &text, &len, &err), ML_EINVAL);
	assert_string_equal(err.kind, "batch_empty");
	assert_int_equal(ml_batch_add(&b, "{}", 2, NULL, &err), ML_OK);
	assert_int_equal(ml_batch_finish(&b, &text, &len, &err), ML_OK);
	assert_int_equal(ml_batch_add(&b, "{}", 2, NULL, &err), ML_EINVAL);
	assert_string_equal(err.kind, "batch_closed");
	ml_batch_reset(&b);
	assert_int_equal(ml_batch_add(&b, "{}", 2, NULL, &err), ML_OK);
	ml_batch_cleanup(&b);
}

static void
batch_limits_check_rejects_over_128k(void **state)
{
	struct ml_batch_limits lim = { ML_BATCH_HARD_MAX + 1, 0, 0, 0 };
	struct ml_batch b;
	struct ml_err err;

	(void)state;
	assert_int_equal(ml_batch_limits_check(&lim, &err), ML_EINVAL);
	assert_string_equal(err.field, "max_bytes");
	ml_batch_init(&b, &lim);
	assert_int_equal(b.lim.max_bytes, ML_BATCH_HARD_MAX);
	ml_batch_cleanup(&b);
	lim.max_bytes = ML_BATCH_HARD_MAX;
	assert_int_equal(ml_batch_limits_check(&lim, &err), ML_OK);
	lim.max_events = -1;
	assert_int_equal(ml_batch_limits_check(&lim, &err), ML_EINVAL);
}

static void
batch_element_units_by_type(void **state)
{
	static const struct {
		const char *json;
		int rc;
		long users, events;
	} cases[] = {
		{ "{\"type\":\"customer\",\"customer_id\":\"a\"}", ML_OK, 1, 0 },
		{ "{\"type\":\"device\",\"customer_id\":\"a\"}", ML_OK, 1, 0 },
		{ "{\"type\":\"event\",\"actions\":[{},{},{}]}", ML_OK, 0, 3 },
		{ "{\"type\":\"Event\"}", ML_EINVAL, 0, 0 },
		{ "[1]", ML_EINVAL, 0, 0 },
	};
	struct ml_batch_units u;
	struct ml_err err;
	json_object *o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ml_json_parse(cases[i].json,
		    strlen(cases[i].json), 0, 0, &o, &err), ML_OK);
		assert_int_equal(ml_batch_element_units(o, &u, &err),
		    cases[i].rc);
		if (cases[i].rc == ML_OK) {
			assert_int_equal(u.users, cases[i].users);
			assert_int_equal(u.events, cases[i].events);
		}
		json_object_put(o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batch_body_is_valid_transition_json_with_exact_size),
		cmocka_unit_test(batch_never_exceeds_cap_and_fills_it),
		cmocka_unit_test(batch_accepts_element_that_fits_exactly),
		cmocka_unit_test(batch_rejects_element_larger_than_cap_with_reason),
		cmocka_unit_test(batch_keeps_per_user_order_across_bodies),
		cmocka_unit_test(batch_caps_units_per_body),
		cmocka_unit_test(batch_finish_refuses_empty_and_add_after_finish),
		cmocka_unit_test(batch_limits_check_rejects_over_128k),
		cmocka_unit_test(batch_element_units_by_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
