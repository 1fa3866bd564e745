/* SPDX-License-Identifier: MIT */
/*
 * catalog_fam_int.h: what the row files of the families beyond Data share
 * (not public): one row initializer with designated fields (so a field
 * added to struct ml_action later cannot shift the rows), the input-schema
 * wrapper for rows that take a query, path parameters or headers besides
 * (or instead of) a body, and a few schema fragments.
 */
#ifndef ML_CATALOG_FAM_INT_H
#define ML_CATALOG_FAM_INT_H

#include "moengage/catalog_int.h"
#include "moengage/validate_fam_int.h"

/* Every row sends MOE-APPKEY (request.c always adds it). */
#define ML__ROW(name_, fam_, host_, method_, path_, ws_, auth_, hdrs_, \
    env_, page_, max_, rate_, fn_, sum_, schema_, flags_) \
	{ .name = (name_), .family = (fam_), .host = (host_), \
	    .method = (method_), .path = (path_), .ws_place = (ws_), \
	    .auth = (auth_), .headers = ML_HDR_APPKEY | (hdrs_), \
	    .envelope = (env_), .paging = (page_), .max_body = (max_), \
	    .rate_per_min = (rate_), .validate = (fn_), .summary = (sum_), \
	    .input_schema = (schema_), .flags = (flags_), \
	    .default_body = NULL }

#define ML__ROW_END { .name = NULL }

/* Payload caps other than the 128 KiB default. */
#define ML__CATALOG_MAX_BODY (5u * 1024u * 1024u)
#define ML__RECO_MAX_BODY (1024u * 1024u)

/*
 * The {body?, query?, path?, headers?} input schema: req is the list of
 * required members ("\"body\"" or ""), props their schemas.
 */
#define ML__SCHEMA_IN(req, props) \
	"{\"type\":\"object\",\"required\":[" req "],\"properties\":{" \
	props "},\"additionalProperties\":false}"

#define ML__S_STR "{\"type\":\"string\",\"minLength\":1}"
#define ML__S_STRS "{\"type\":\"array\",\"items\":" ML__S_STR "}"
/* "path":{one required string parameter} */
#define ML__S_PATH1(p) \
	"\"path\":{\"type\":\"object\",\"required\":[\"" p "\"]," \
	"\"properties\":{\"" p "\":" ML__S_STR "}}"

#endif
