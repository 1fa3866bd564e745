/* SPDX-License-Identifier: MIT */
/*
 * fuzz_link_creds: libFuzzer target for ml_link_creds_parse, which reads
 * the credential bodies of POST /hub/api/link, POST /accounts and PATCH
 * /accounts/{id} (link.c), and for ml_link_wipe_json. Invariants: a
 * success gives a workspace id and data center that validate again, a
 * Data or multi-permission key, keys of printable ASCII without spaces and
 * a db_name that passes its own check; a failure sets a code and message;
 * after the wipe no key member holds a non-NUL byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/json.h>

#include "fuzz_common.h"
#include "server/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_key(const char *k)
{
	const unsigned char *p;

	if (k == NULL)
		return;
	if (k[0] == '\0')
		abort();
	for (p = (const unsigned char *)k; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			abort();
}

static void
check_wiped(json_object *obj)
{
	static const char *const keys[] = { "data_key", "general_key",
	    "push_key", "inform_key", "personalize_key", "api_key", NULL };
	json_object *v;
	const char *s;
	size_t i;
	int j;

	for (i = 0; keys[i] != NULL; i++) {
		v = ml_json_get(obj, keys[i], json_type_string);
		if (v == NULL)
			continue;
		s = json_object_get_string(v);
		for (j = 0; j < json_object_get_string_len(v); j++)
			if (s[j] != '\0')
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ml_link_creds c;
	struct ml_account again;
	struct ml_err err;
	json_object *obj;
	int i, rc;

	obj = fuzz_json_object(data, size);
	if (obj == NULL)
		return 0;
	ml_link_creds_init(&c);
	ml_err_clear(&err);
	/* PATCH's defaults on odd-length inputs, the Hub's none otherwise. */
	rc = ml_link_creds_parse(obj, size % 2 ? "WS_DEF" : NULL,
	    size % 2 ? "02" : NULL, &c, &err);
	if (rc == ML_OK) {
		ml_account_init(&again);
		if (ml_account_set(&again, c.acct.workspace_id,
		    c.acct.data_center, NULL) != ML_OK)
			abort();
		ml_account_cleanup(&again);
		if (c.acct.keys.key[ML_KEY_DATA] == NULL &&
		    c.acct.keys.key[ML_KEY_MULTI] == NULL)
			abort();
		for (i = 0; i < ML_KEY_SLOT_COUNT; i++)
			check_key(c.acct.keys.key[i]);
		if (ml_link_check_db_name(c.acct.db_name, NULL) != ML_OK)
			abort();
	} else if (err.msg[0] == '\0' || err.kind[0] == '\0') {
		abort();
	}
	ml_link_creds_cleanup(&c);
	ml_link_wipe_json(obj);
	check_wiped(obj);
	check_wiped(ml_json_get(obj, "credentials", json_type_object));
	json_object_put(obj);
	return 0;
}
