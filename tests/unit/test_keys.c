/* SPDX-License-Identifier: MIT */
/* Unit tests: families, key slots and which key a call uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <moelink/keys.h>
#include <moelink/mem.h>

static void
keys_each_family_uses_its_documented_slot(void **state)
{
	static const struct {
		enum ml_family fam;
		enum ml_key_slot slot;
	} want[] = {
		{ ML_FAM_DATA, ML_KEY_DATA },
		{ ML_FAM_SEGMENTATION, ML_KEY_DATA },
		{ ML_FAM_SUBSCRIPTION, ML_KEY_DATA },
		{ ML_FAM_PUSH, ML_KEY_PUSH },
		{ ML_FAM_CAMPAIGN_REPORT, ML_KEY_GENERAL },
		{ ML_FAM_BUSINESS_EVENTS, ML_KEY_GENERAL },
		{ ML_FAM_TEMPLATES, ML_KEY_GENERAL },
		{ ML_FAM_CONTENT_BLOCKS, ML_KEY_GENERAL },
		{ ML_FAM_CATALOG, ML_KEY_GENERAL },
		{ ML_FAM_RECOMMENDATIONS, ML_KEY_GENERAL },
		{ ML_FAM_PERSONALIZE, ML_KEY_PERSONALIZE },
		{ ML_FAM_INFORM, ML_KEY_INFORM },
		{ ML_FAM_CARDS, ML_KEY_GENERAL },
	};
	struct ml_keyset ks;
	const char *key;
	enum ml_key_slot used;
	char val[32];
	size_t i;
	int s;

	(void)state;
	ml_keyset_init(&ks);
	/* A distinct key in every slot but multi. */
	for (s = 0; s < ML_KEY_MULTI; s++) {
		memcpy(val, "key-", 4);
		ml_strlcpy(val + 4, ml_key_slot_name((enum ml_key_slot)s),
		    sizeof(val) - 4);
		assert_int_equal(ml_keyset_set(&ks, (enum ml_key_slot)s, val),
		    ML_OK);
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(ml_family_key_slot(want[i].fam), want[i].slot);
		assert_int_equal(ml_keyset_pick(&ks, want[i].fam, &key, &used,
		    NULL), ML_OK);
		assert_int_equal(used, want[i].slot);
		assert_string_equal(key + 4, ml_key_slot_name(want[i].slot));
	}
	ml_keyset_cleanup(&ks);
}

static void
keys_multi_key_fills_empty_slots_only(void **state)
{
	struct ml_keyset ks;
	const char *key;
	enum ml_key_slot used;

	(void)state;
	ml_keyset_init(&ks);
	assert_int_equal(ml_keyset_set(&ks, ML_KEY_MULTI, "multi"), ML_OK);
	assert_int_equal(ml_keyset_set(&ks, ML_KEY_DATA, "data"), ML_OK);
	assert_int_equal(ml_keyset_pick(&ks, ML_FAM_DATA, &key, &used, NULL),
	    ML_OK);
	assert_string_equal(key, "data");
	assert_int_equal(ml_keyset_pick(&ks, ML_FAM_CATALOG, &key, &used, NULL),
	    ML_OK);
	assert_string_equal(key, "multi");
	assert_int_equal(used, ML_KEY_MULTI);
	ml_keyset_cleanup(&ks);
	assert_true(ml_keyset_empty(&ks));
}

static void
keys_missing_key_names_the_slot(void **state)
{
	struct ml_keyset ks;
	struct ml_err err;
	const char *key = "x";

	(void)state;
	ml_keyset_init(&ks);
	ml_keyset_set(&ks, ML_KEY_DATA, "data");
	ml_err_clear(&err);
	assert_int_equal(ml_keyset_pick(&ks, ML_FAM_PERSONALIZE, &key, NULL,
	    &err), ML_ENOKEY);
	assert_null(key);
	assert_string_equal(err.kind, "missing_api_key");
	assert_string_equal(err.field, "personalize");
	assert_non_null(strstr(err.msg, "Personalize API key"));
	ml_keyset_cleanup(&ks);
}

static void
keys_set_empty_clears_and_copy_is_deep(void **state)
{
	struct ml_keyset a, b;

	(void)state;
	ml_keyset_init(&a);
	ml_keyset_init(&b);
	assert_true(ml_keyset_empty(&a));
	ml_keyset_set(&a, ML_KEY_PUSH, "p");
	assert_false(ml_keyset_empty(&a));
	ml_keyset_set(&a, ML_KEY_PUSH, "");
	assert_true(ml_keyset_empty(&a));
	ml_keyset_set(&a, ML_KEY_GENERAL, "g");
	assert_int_equal(ml_keyset_copy(&b, &a), ML_OK);
	assert_string_equal(b.key[ML_KEY_GENERAL], "g");
	assert_ptr_not_equal(b.key[ML_KEY_GENERAL], a.key[ML_KEY_GENERAL]);
	assert_int_equal(ml_keyset_set(&a, ML_KEY_SLOT_COUNT, "x"), ML_EINVAL);
	/* Out of memory while copying leaves the destination empty. */
	ml_mem_fail_after(1, 0);
	assert_int_equal(ml_keyset_copy(&b, &a), ML_ENOMEM);
	ml_mem_fail_after(0, 0);
	assert_true(ml_keyset_empty(&b));
	ml_keyset_cleanup(&a);
	ml_keyset_cleanup(&b);
}

static void
keys_names_round_trip(void **state)
{
	enum ml_family f;
	enum ml_key_slot s;
	int i;

	(void)state;
	for (i = 0; i < ML_FAM_COUNT; i++) {
		assert_int_equal(ml_family_parse(ml_family_name(
		    (enum ml_family)i), &f), ML_OK);
		assert_int_equal(f, i);
	}
	for (i = 0; i < ML_KEY_SLOT_COUNT; i++) {
		assert_int_equal(ml_key_slot_parse(ml_key_slot_name(
		    (enum ml_key_slot)i), &s), ML_OK);
		assert_int_equal(s, i);
	}
	assert_int_equal(ml_family_parse("Data", &f), ML_EINVAL);
	assert_int_equal(ml_key_slot_parse("", &s), ML_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_each_family_uses_its_documented_slot),
		cmocka_unit_test(keys_multi_key_fills_empty_slots_only),
		cmocka_unit_test(keys_missing_key_names_the_slot),
		cmocka_unit_test(keys_set_empty_clears_and_copy_is_deep),
		cmocka_unit_test(keys_names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
