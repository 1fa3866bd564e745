/* SPDX-License-Identifier: MIT */
/*
 * catalog_content_blocks.c: the Content Blocks family's rows (reference 8.2;
 * content-blocks.yaml). Host api-<dc>, base /v1/external/campaigns, the
 * general key, MOE-APPKEY required. Errors in {title, description, code}
 * (create and update also {error, message, details}: envelope.c falls back).
 * Create answers 200 with an empty body (older pages: 202). No rate limit is
 * documented; search is not paged.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_CREATE_CONTENT_BLOCK \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"label\",\"raw_content\",\"content_type\"," \
	"\"created_by\"],\"properties\":{\"name\":{\"type\":\"string\"," \
	"\"minLength\":1},\"label\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"unique\"},\"raw_content\":{\"type\":\"string\"," \
	"\"minLength\":1},\"content_type\":{\"enum\":[\"HTML\",\"TEXT\"]}," \
	"\"created_by\":{\"type\":\"string\",\"minLength\":1}," \
	"\"status\":{\"enum\":[\"ACTIVE\",\"DRAFT\"]}," \
	"\"description\":{\"type\":\"string\"}," \
	"\"content_block_used\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1}}," \
	"\"images_used\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"link\"]," \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"link\":{\"type\":\"string\",\"minLength\":1}}}}," \
	"\"source\":{\"enum\":[\"CAMPAIGNS\",\"INFORM\"]}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_UPDATE_CONTENT_BLOCK \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\",\"required\":[\"id\"," \
	"\"name\",\"status\",\"raw_content\",\"updated_by\"]," \
	"\"properties\":{\"id\":{\"type\":\"string\",\"minLength\":1}," \
	"\"name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"status\":{\"enum\":[\"ACTIVE\",\"DRAFT\"]}," \
	"\"raw_content\":{\"type\":\"string\",\"minLength\":1}," \
	"\"updated_by\":{\"type\":\"string\",\"minLength\":1}," \
	"\"content_type\":{\"enum\":[\"HTML\",\"TEXT\"]}," \
	"\"description\":{\"type\":\"string\"}," \
	"\"images_used\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"object\"}}," \
	"\"source\":{\"enum\":[\"CAMPAIGNS\",\"INFORM\"]}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_GET_CONTENT_BLOCKS \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"ids\"],\"properties\":{\"ids\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1},\"minItems\":1}," \
	"\"is_raw_content_required\":{\"type\":\"boolean\"}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_SEARCH_CONTENT_BLOCKS \
	"{\"type\":\"object\",\"required\":[]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"properties\":{\"filters\":{\"type\":\"object\"," \
	"\"properties\":{\"content_type\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1}}," \
	"\"team_ids\":{\"type\":\"array\",\"items\":{\"type\":\"string\"," \
	"\"minLength\":1}},\"tag_ids\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1}}," \
	"\"status\":{\"type\":\"array\",\"items\":{\"type\":\"string\"," \
	"\"minLength\":1}},\"updated_by\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1}}," \
	"\"search_text\":{\"type\":\"string\"}}}}}}," \
	"\"additionalProperties\":false}"

#define CB_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_CONTENT_BLOCKS, ML_HOST_API, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_content_blocks[] = {
	CB_ROW("moengage_create_content_block", "POST",
	    "/v1/external/campaigns/content-blocks",
	    ml_validate_create_content_block,
	    "Create a content block (HTML or TEXT) for campaigns or Inform",
	    SCHEMA_CREATE_CONTENT_BLOCK, ML_ENV_TITLE, ML_PAGE_NONE, 0, 0,
	    ML_ACT_BODY_REQUIRED),
	CB_ROW("moengage_update_content_block", "PUT",
	    "/v1/external/campaigns/content-blocks",
	    ml_validate_update_content_block, "Update a content block by id",
	    SCHEMA_UPDATE_CONTENT_BLOCK, ML_ENV_TITLE, ML_PAGE_NONE, 0, 0,
	    ML_ACT_BODY_REQUIRED),
	CB_ROW("moengage_get_content_blocks", "POST",
	    "/v1/external/campaigns/content-blocks/get-by-ids",
	    ml_validate_get_content_blocks, "Get content blocks by their ids",
	    SCHEMA_GET_CONTENT_BLOCKS, ML_ENV_TITLE, ML_PAGE_NONE, 0, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	CB_ROW("moengage_search_content_blocks", "POST",
	    "/v1/external/campaigns/content-blocks/search",
	    ml_validate_search_content_blocks,
	    "Search content blocks by filters (empty filters: all)",
	    SCHEMA_SEARCH_CONTENT_BLOCKS, ML_ENV_TITLE, ML_PAGE_NONE, 0, 0,
	    ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
