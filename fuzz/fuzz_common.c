/* SPDX-License-Identifier: MIT */
/*
 * fuzz_common.c: see fuzz_common.h.
 */
#include "fuzz_common.h"

json_object *
fuzz_json_object(const uint8_t *data, size_t size)
{
	json_object *obj = NULL;

	if (ml_json_parse((const char *)data, size, 64 * 1024, 0, &obj,
	    NULL) != ML_OK)
		return NULL;
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}
