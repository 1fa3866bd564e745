/* SPDX-License-Identifier: MIT */
/*
 * catalog_recommendations.c: the Recommendations family's rows (reference
 * 8.7; recommendations.yaml). Host api-<dc>, the general key, MOE-APPKEY
 * required, errors in {code, message}, 1 MB payloads. The list is paged by
 * size (1..100) and batch_num and allowed 100 requests a minute; metadata
 * 1,000; results 10,000, with the RECOMMENDATION-TYPE header taken from the
 * call's headers.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_LIST_RECOMMENDATIONS \
	"{\"type\":\"object\",\"required\":[]," \
	"\"properties\":{\"query\":{\"type\":\"object\"," \
	"\"properties\":{\"size\":{\"type\":\"integer\",\"minimum\":1," \
	"\"maximum\":100},\"batch_num\":{\"type\":\"integer\",\"minimum\":1}," \
	"\"status\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"comma-separated: Active, Processing, Archived," \
	" Failed\"}}}},\"additionalProperties\":false}"

#define SCHEMA_GET_RECOMMENDATION \
	"{\"type\":\"object\",\"required\":[\"path\"]," \
	"\"properties\":{\"path\":{\"type\":\"object\"," \
	"\"required\":[\"recommendation_id\"]," \
	"\"properties\":{\"recommendation_id\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":false}"

#define SCHEMA_GET_RECOMMENDATION_ITEMS \
	"{\"type\":\"object\",\"required\":[\"body\",\"path\",\"headers\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"user_id\"]," \
	"\"properties\":{\"user_id\":{\"type\":\"string\",\"minLength\":1}," \
	"\"item_id\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"for similar_item and frequently_* types\"}," \
	"\"include_fields\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1}}}," \
	"\"additionalProperties\":true},\"path\":{\"type\":\"object\"," \
	"\"required\":[\"recommendation_id\"]," \
	"\"properties\":{\"recommendation_id\":{\"type\":\"string\"," \
	"\"minLength\":1}}},\"headers\":{\"type\":\"object\"," \
	"\"required\":[\"RECOMMENDATION-TYPE\"]," \
	"\"properties\":{\"RECOMMENDATION-TYPE\":{\"enum\":[\"user_action\"," \
	"\"item_attribute\",\"catalog_alert\",\"similar_item\"," \
	"\"frequently_viewed_together\",\"frequently_bought_together\"," \
	"\"trending_item\",\"user_personalization\"]}}}}," \
	"\"additionalProperties\":false}"

#define RECO_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_RECOMMENDATIONS, ML_HOST_API, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    ML__RECO_MAX_BODY, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_recommendations[] = {
	RECO_ROW("moengage_list_recommendations", "GET", "/v1/recommendations",
	    ml_validate_list_recommendations,
	    "List recommendations (paged by size and batch_num)",
	    SCHEMA_LIST_RECOMMENDATIONS, ML_ENV_CODE_MESSAGE,
	    ML_PAGE_SIZE_BATCH, 100, 0, ML_ACT_IDEMPOTENT),
	RECO_ROW("moengage_get_recommendation", "GET",
	    "/v1/recommendations/{recommendation_id}", NULL,
	    "Get one recommendation's metadata", SCHEMA_GET_RECOMMENDATION,
	    ML_ENV_CODE_MESSAGE, ML_PAGE_NONE, 1000, 0, ML_ACT_IDEMPOTENT),
	RECO_ROW("moengage_get_recommendation_items", "POST",
	    "/v1/recommendations/{recommendation_id}/items",
	    ml_validate_recommendation_items,
	    "Get a recommendation's items for a user (RECOMMENDATION-TYPE "
	    "header)", SCHEMA_GET_RECOMMENDATION_ITEMS, ML_ENV_CODE_MESSAGE,
	    ML_PAGE_NONE, 10000, ML_HDR_RECO_TYPE,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
