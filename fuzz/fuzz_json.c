/* SPDX-License-Identifier: MIT */
/*
 * fuzz_json: libFuzzer target for ml_json_parse, the one parser every byte
 * from callers, files and MoEngage goes through. Invariants: a success gives
 * an object that serializes and re-parses; a failure gives no object and a
 * malformed_json/payload_too_large error with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *o = NULL, *again = NULL;
	struct ml_err err;
	const char *text;
	int rc;

	ml_err_clear(&err);
	rc = ml_json_parse((const char *)data, size, 1u << 20, 0, &o, &err);
	if (rc != ML_OK) {
		if (o != NULL || err.msg[0] == '\0' ||
		    (strcmp(err.kind, "malformed_json") != 0 &&
		    strcmp(err.kind, "payload_too_large") != 0))
			abort();
		return 0;
	}
	/* What we accepted, we can write out and read back. */
	text = ml_json_text(o);
	if (text == NULL || ml_json_parse(text, strlen(text), 0, 64, &again,
	    &err) != ML_OK)
		abort();
	json_object_put(again);
	json_object_put(o);
	return 0;
}
