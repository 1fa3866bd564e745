/* SPDX-License-Identifier: MIT */
/*
 * catalog_cards.c: the Cards (App Inbox) family's rows (cards.yaml). Host
 * api-<dc>, the general key (the Campaign report / Business events /
 * Custom templates / Catalog / Inform report tile), Basic auth, MOE-APPKEY
 * required, 50,000 requests a minute per workspace. Errors come as
 * {"status":false,"error","request_id"} (400), {"title","code"} (401, 429)
 * and {"title","message"} (500), which the title envelope reads.
 *
 * Input schemas follow the OpenAPI file. Adding an operation is adding a
 * row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_CARDS_USER \
	"\"uid\":{\"type\":\"string\",\"minLength\":1,\"description\":" \
	"\"MoEngage Standard ID (email or mobile); uid or unique_id\"}," \
	"\"unique_id\":{\"type\":\"string\",\"minLength\":1,\"description\":" \
	"\"the device id; uid or unique_id\"},"

#define SCHEMA_FETCH_CARDS \
	"{\"type\":\"object\",\"required\":[\"body\"],\"properties\":{" \
	"\"query\":{\"type\":\"object\",\"properties\":{\"page\":{\"type\":" \
	"\"integer\",\"minimum\":1},\"limit\":{\"type\":\"integer\"," \
	"\"minimum\":1,\"description\":\"default: every card\"}}}," \
	"\"body\":{\"type\":\"object\",\"properties\":{" SCHEMA_CARDS_USER \
	"\"platforms\":{\"type\":\"array\",\"items\":{\"enum\":[\"ANDROID\"," \
	"\"IOS\",\"WEB\"]}},\"card_category\":{\"type\":\"string\"}," \
	"\"prev_sync_card_ids\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"string\"}},\"last_updated_time\":{\"type\":\"integer\"," \
	"\"description\":\"epoch seconds of the previous sync\"}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_DELETE_CARDS \
	"{\"type\":\"object\",\"required\":[\"body\"],\"properties\":{" \
	"\"body\":{\"type\":\"object\",\"required\":[\"campaign_ids\"]," \
	"\"properties\":{" SCHEMA_CARDS_USER \
	"\"campaign_ids\":{\"type\":\"array\",\"minItems\":1,\"items\":{" \
	"\"type\":\"string\",\"minLength\":1}},\"platforms\":{\"type\":" \
	"\"array\",\"items\":{\"enum\":[\"ANDROID\",\"IOS\",\"WEB\"," \
	"\"android\",\"ios\",\"web\"]}}}}},\"additionalProperties\":false}"

#define CARDS_ROW(name_, method_, path_, fn_, sum_, schema_) \
	ML__ROW(name_, ML_FAM_CARDS, ML_HOST_API, method_, path_, \
	    ML_WS_NONE, ML_AUTH_BASIC, 0, ML_ENV_TITLE, ML_PAGE_NONE, 0, \
	    50000, fn_, sum_, schema_, ML_ACT_BODY_REQUIRED)

const struct ml_action ml__catalog_cards[] = {
	CARDS_ROW("moengage_fetch_cards", "POST", "/v1/cards/fetch",
	    ml_validate_fetch_cards,
	    "Fetch a user's active and updated cards (App Inbox)",
	    SCHEMA_FETCH_CARDS),
	CARDS_ROW("moengage_delete_cards", "DELETE", "/v1/cards/delete",
	    ml_validate_delete_cards,
	    "Delete a user's cards of some campaigns (App Inbox)",
	    SCHEMA_DELETE_CARDS),
	ML__ROW_END,
};
