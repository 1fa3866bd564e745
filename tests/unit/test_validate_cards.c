/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the Cards validators (validate_cards.c, cards.yaml): a user
 * by uid or unique_id, page and limit >= 1, the platforms enum (any case
 * for delete, as its schema lists), campaign_ids required for delete; and
 * the family's key slot and rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <string.h>

#include <moelink/catalog.h>
#include <moelink/json.h>
#include <moelink/keys.h>

#include "moengage/validate_fam_int.h"

static int
check(ml_validate_fn fn, const char *body, const char *query,
    struct ml_err *err)
{
	json_object *b = tu_json(body), *q = tu_json(query);
	int rc;

	ml_err_clear(err);
	rc = fn(b, q, err);
	json_object_put(b);
	json_object_put(q);
	return rc;
}

static void
validate_cards_family_rows_and_slot(void **state)
{
	enum ml_family f;

	(void)state;
	assert_string_equal(ml_family_name(ML_FAM_CARDS), "cards");
	assert_int_equal(ml_family_parse("cards", &f), ML_OK);
	assert_int_equal(f, ML_FAM_CARDS);
	assert_int_equal(ml_family_key_slot(ML_FAM_CARDS), ML_KEY_GENERAL);
	assert_int_equal(ml_catalog_find("moengage_fetch_cards")->family,
	    ML_FAM_CARDS);
	assert_string_equal(ml_catalog_find("moengage_delete_cards")->method,
	    "DELETE");
	/* A proxied path under /v1/cards is the Cards family's. */
	assert_int_equal(ml_catalog_family_of(ML_HOST_API, "/v1/cards/other"),
	    ML_FAM_CARDS);
}

static void
validate_cards_accepts_the_files_examples(void **state)
{
	struct ml_err err;

	(void)state;
	assert_int_equal(check(ml_validate_fetch_cards, "{\"uid\":"
	    "\"user@example.com\",\"platforms\":[\"ANDROID\",\"WEB\"],"
	    "\"last_updated_time\":1695987441,\"prev_sync_card_ids\":[\"6516b"
	    "30d2712560fdfae50c3_F_T_CA_AB_0_P_0_L_0_web\"],\"card_category\":"
	    "\"Announcements\"}", "{\"page\":\"1\",\"limit\":5}", &err), ML_OK);
	assert_int_equal(check(ml_validate_delete_cards, "{\"uid\":"
	    "\"user@example.com\",\"campaign_ids\":[\"campaign_id1\","
	    "\"campaign_id2\"],\"platforms\":[\"android\",\"ios\"]}", NULL,
	    &err), ML_OK);
	assert_int_equal(check(ml_validate_delete_cards, "{\"unique_id\":"
	    "\"dev1\",\"campaign_ids\":[\"c\"]}", NULL, &err), ML_OK);
}

static void
validate_cards_refusals_name_the_field(void **state)
{
	static const struct {
		int del;
		const char *body, *query, *field;
	} bad[] = {
		{ 0, "{}", NULL, "uid" },
		{ 0, "{\"uid\":\"u\"}", "{\"page\":0}", "query.page" },
		{ 0, "{\"uid\":\"u\"}", "{\"limit\":\"0\"}", "query.limit" },
		{ 0, "{\"uid\":\"u\"}", "{\"size\":1}", "query.size" },
		{ 0, "{\"uid\":\"u\",\"platforms\":[\"web\"]}", NULL,
		    "platforms[0]" },
		{ 0, "{\"uid\":\"u\",\"last_updated_time\":\"x\"}", NULL,
		    "last_updated_time" },
		{ 1, "{\"uid\":\"u\"}", NULL, "campaign_ids" },
		{ 1, "{\"uid\":\"u\",\"campaign_ids\":[]}", NULL,
		    "campaign_ids" },
		{ 1, "{\"campaign_ids\":[\"c\"]}", NULL, "uid" },
		{ 1, "{\"uid\":\"u\",\"campaign_ids\":[\"c\"],\"platforms\":"
		    "[\"tv\"]}", NULL, "platforms[0]" },
	};
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(bad[i].del ? ml_validate_delete_cards :
		    ml_validate_fetch_cards, bad[i].body, bad[i].query, &err),
		    ML_EINVAL);
		if (strcmp(err.field, bad[i].field) != 0)
			fail_msg("%s: field '%s', want '%s'", bad[i].body,
			    err.field, bad[i].field);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validate_cards_family_rows_and_slot),
		cmocka_unit_test(validate_cards_accepts_the_files_examples),
		cmocka_unit_test(validate_cards_refusals_name_the_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
