/* SPDX-License-Identifier: MIT */
/*
 * fuzz_common.h: what several libFuzzer targets share.
 */
#ifndef ML_FUZZ_COMMON_H
#define ML_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <moelink/json.h>

/*
 * The input parsed as a JSON object of at most 64 KiB (as the server's
 * bodies are), or NULL when it is not one: then the target has nothing to
 * check. The caller puts the object.
 */
json_object *fuzz_json_object(const uint8_t *data, size_t size);

#endif
