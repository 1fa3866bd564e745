/* SPDX-License-Identifier: MIT */
/* Unit tests: data centers and host names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <moelink/dc.h>

static void
dc_every_dc_and_kind_builds_host(void **state)
{
	static const char *const kinds[] = { "api", "pushapi", "sdk",
	    "sandbox-api", "fileimports-data-api" };
	const struct ml_dc_info *dcs = ml_dc_list();
	char host[ML_HOST_MAX], base[ML_BASE_URL_MAX], want[128];
	struct ml_err err;
	int d, k;

	(void)state;
	for (d = 0; d < ML_DC_COUNT; d++) {
		for (k = 0; k < ML_HOST_KIND_COUNT; k++) {
			assert_int_equal(ml_dc_host((enum ml_host_kind)k,
			    dcs[d].id, host, sizeof(host), base, sizeof(base),
			    &err), ML_OK);
			snprintf(want, sizeof(want), "%s-%s.moengage.com",
			    kinds[k], dcs[d].id);
			assert_string_equal(host, want);
			snprintf(want, sizeof(want), "https://%s-%s.moengage.com",
			    kinds[k], dcs[d].id);
			assert_string_equal(base, want);
		}
	}
}

static void
dc_rejects_near_misses_with_allowed_list(void **state)
{
	static const char *const bad[] = { "1", "07", "eu", "", "00", "1O1",
	    "01 ", "100", "001", "EU", "us" };
	char host[ML_HOST_MAX];
	struct ml_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ml_err_clear(&err);
		assert_int_equal(ml_dc_host(ML_HOST_API, bad[i], host,
		    sizeof(host), NULL, 0, &err), ML_EDC);
		assert_string_equal(err.kind, "invalid_data_center");
		assert_non_null(strstr(err.msg, ML_DC_ALLOWED));
	}
	assert_int_equal(ml_dc_lookup(NULL, NULL, &err), ML_EDC);
}

static void
dc_regions_match_moengage_docs(void **state)
{
	const struct ml_dc_info *i;

	(void)state;
	assert_int_equal(ml_dc_lookup("01", &i, NULL), ML_OK);
	assert_string_equal(i->region, "US");
	assert_int_equal(ml_dc_lookup("02", &i, NULL), ML_OK);
	assert_string_equal(i->region, "EU");
	assert_int_equal(ml_dc_lookup("03", &i, NULL), ML_OK);
	assert_string_equal(i->region, "India");
	assert_int_equal(ml_dc_lookup("04", &i, NULL), ML_OK);
	assert_string_equal(i->region, "US");
	assert_int_equal(ml_dc_lookup("05", &i, NULL), ML_OK);
	assert_string_equal(i->region, "Singapore");
	assert_int_equal(ml_dc_lookup("06", &i, NULL), ML_OK);
	assert_string_equal(i->region, "Indonesia");
	assert_int_equal(ml_dc_lookup("101", &i, NULL), ML_OK);
}

static void
dc_parse_host_roundtrip(void **state)
{
	enum ml_host_kind k;
	char dc[4];

	(void)state;
	assert_int_equal(ml_dc_parse_host("api-02.moengage.com", &k, dc,
	    sizeof(dc)), ML_OK);
	assert_int_equal(k, ML_HOST_API);
	assert_string_equal(dc, "02");
	assert_int_equal(ml_dc_parse_host("SANDBOX-API-101.moengage.com:8443",
	    &k, dc, sizeof(dc)), ML_OK);
	assert_int_equal(k, ML_HOST_SANDBOX_API);
	assert_string_equal(dc, "101");
	assert_int_equal(ml_dc_parse_host("fileimports-data-api-05.moengage.com",
	    &k, dc, sizeof(dc)), ML_OK);
	assert_int_equal(k, ML_HOST_FILEIMPORTS);
	assert_int_not_equal(ml_dc_parse_host("api-07.moengage.com", &k, dc,
	    sizeof(dc)), ML_OK);
	assert_int_not_equal(ml_dc_parse_host("api-01.moengage.com.evil.com",
	    &k, dc, sizeof(dc)), ML_OK);
	assert_int_not_equal(ml_dc_parse_host("evil-01.moengage.com", &k, dc,
	    sizeof(dc)), ML_OK);
	assert_int_not_equal(ml_dc_parse_host("api.moengage.com", &k, dc,
	    sizeof(dc)), ML_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dc_every_dc_and_kind_builds_host),
		cmocka_unit_test(dc_rejects_near_misses_with_allowed_list),
		cmocka_unit_test(dc_regions_match_moengage_docs),
		cmocka_unit_test(dc_parse_host_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
