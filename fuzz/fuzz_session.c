/* SPDX-License-Identifier: MIT */
/*
 * fuzz_session: libFuzzer target for the connect-session body parser
 * (ml_api_sessions_parse, POST /connect_sessions). Invariants: a success
 * has non-empty owner id and name, text fields without control bytes or
 * NULs, a ttl from 60 s to 30 days, and metadata that is a JSON object
 * within the store's cap; a refusal names the field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/json.h>

#include "fuzz_common.h"
#include "server/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, int required)
{
	const unsigned char *p;

	if (required && s[0] == '\0')
		abort();
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ml_store_session cs;
	struct ml_err err;
	json_object *obj, *meta = NULL;
	int64_t ttl = 0;

	obj = fuzz_json_object(data, size);
	if (obj == NULL)
		return 0;
	ml_store_session_init(&cs);
	ml_err_clear(&err);
	if (ml_api_sessions_parse(obj, &cs, &ttl, &err) == ML_OK) {
		check_text(cs.origin_owner_id, 1);
		check_text(cs.origin_owner_name, 1);
		check_text(cs.origin_username, 0);
		check_text(cs.label, 0);
		if (ttl < 60 || ttl > ML_API_SESSION_TTL_MAX)
			abort();
		if (cs.metadata != NULL) {
			if (strlen(cs.metadata) > ML_STORE_JSON_MAX ||
			    ml_json_parse(cs.metadata, strlen(cs.metadata), 0,
			    0, &meta, NULL) != ML_OK ||
			    !json_object_is_type(meta, json_type_object))
				abort();
			json_object_put(meta);
		}
	} else if (err.field[0] == '\0' || err.msg[0] == '\0') {
		abort();
	}
	ml_store_session_cleanup(&cs);
	json_object_put(obj);
	return 0;
}
