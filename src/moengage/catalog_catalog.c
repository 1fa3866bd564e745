/* SPDX-License-Identifier: MIT */
/*
 * catalog_catalog.c: the Catalog family's rows (reference 8.3;
 * catalog.yaml). Host api-<dc>, base /v1/catalog, the general key, MOE-
 * APPKEY required. Errors in {error-code, message}. At most 50 items a
 * request and 5 MB a payload; 100 requests a minute (or 1,000 an hour)
 * across the Catalog APIs.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_CREATE_CATALOG \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"price_currency\",\"attributes\"]," \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"price_currency\":{\"type\":\"string\",\"pattern\":" \
	"\"^[A-Z]{3}$\",\"description\":\"ISO 4217, e.g. USD\"}," \
	"\"attributes\":{\"type\":\"array\"," \
	"\"minItems\":1,\"maxItems\":50,\"items\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"type\"]," \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"type\":{\"enum\":[\"string\",\"bool\",\"double\",\"datetime\"," \
	"\"geopoint\"]}}}}}}},\"additionalProperties\":false}"

#define SCHEMA_ADD_CATALOG_ATTRIBUTES \
	"{\"type\":\"object\",\"required\":[\"body\",\"path\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"attributes\"]," \
	"\"properties\":{\"attributes\":{\"type\":\"array\",\"minItems\":1," \
	"\"maxItems\":50,\"items\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"type\"]," \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"type\":{\"enum\":[\"string\",\"bool\",\"double\",\"datetime\"," \
	"\"geopoint\"]}}}}}},\"path\":{\"type\":\"object\"," \
	"\"required\":[\"catalog_id\"]," \
	"\"properties\":{\"catalog_id\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":false}"

#define SCHEMA_ADD_CATALOG_ITEMS \
	"{\"type\":\"object\",\"required\":[\"body\",\"path\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"items\"]," \
	"\"properties\":{\"items\":{\"type\":\"array\",\"minItems\":1," \
	"\"maxItems\":50,\"items\":{\"type\":\"object\"," \
	"\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"title\":{\"type\":\"string\",\"minLength\":1}," \
	"\"link\":{\"type\":\"string\",\"minLength\":1}," \
	"\"image_link\":{\"type\":\"string\",\"minLength\":1}}}}}}," \
	"\"path\":{\"type\":\"object\",\"required\":[\"catalog_id\"]," \
	"\"properties\":{\"catalog_id\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":false}"

#define SCHEMA_UPDATE_CATALOG_ITEMS \
	"{\"type\":\"object\",\"required\":[\"body\",\"path\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"items\"]," \
	"\"properties\":{\"items\":{\"type\":\"array\",\"minItems\":1," \
	"\"maxItems\":50,\"items\":{\"type\":\"object\",\"required\":[\"id\"," \
	"\"attributes\"],\"properties\":{\"id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"attributes\":{\"type\":\"object\"}}}}}}," \
	"\"path\":{\"type\":\"object\",\"required\":[\"catalog_id\"]," \
	"\"properties\":{\"catalog_id\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":false}"

#define SCHEMA_DELETE_CATALOG_ITEMS \
	"{\"type\":\"object\",\"required\":[\"body\",\"path\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"items\"]," \
	"\"properties\":{\"items\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1},\"minItems\":1," \
	"\"maxItems\":50}}},\"path\":{\"type\":\"object\"," \
	"\"required\":[\"catalog_id\"]," \
	"\"properties\":{\"catalog_id\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":false}"

#define CAT_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_CATALOG, ML_HOST_API, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    ML__CATALOG_MAX_BODY, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_catalog[] = {
	CAT_ROW("moengage_create_catalog", "POST", "/v1/catalog",
	    ml_validate_create_catalog,
	    "Create a catalog with its attributes (id, title, link, "
	    "image_link required)", SCHEMA_CREATE_CATALOG, ML_ENV_CATALOG,
	    ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	CAT_ROW("moengage_add_catalog_attributes", "PATCH",
	    "/v1/catalog/{catalog_id}/attributes",
	    ml_validate_add_catalog_attributes, "Add attributes to a catalog",
	    SCHEMA_ADD_CATALOG_ATTRIBUTES, ML_ENV_CATALOG, ML_PAGE_NONE, 100,
	    0, ML_ACT_BODY_REQUIRED),
	CAT_ROW("moengage_add_catalog_items", "POST",
	    "/v1/catalog/{catalog_id}/items", ml_validate_add_catalog_items,
	    "Ingest up to 50 items into a catalog", SCHEMA_ADD_CATALOG_ITEMS,
	    ML_ENV_CATALOG, ML_PAGE_NONE, 100, 0, ML_ACT_BODY_REQUIRED),
	CAT_ROW("moengage_update_catalog_items", "PATCH",
	    "/v1/catalog/{catalog_id}/items", ml_validate_update_catalog_items,
	    "Update attributes of up to 50 catalog items",
	    SCHEMA_UPDATE_CATALOG_ITEMS, ML_ENV_CATALOG, ML_PAGE_NONE, 100, 0,
	    ML_ACT_BODY_REQUIRED),
	CAT_ROW("moengage_delete_catalog_items", "POST",
	    "/v1/catalog/{catalog_id}/items/bulk-delete",
	    ml_validate_catalog_item_ids,
	    "Delete up to 50 catalog items by id", SCHEMA_DELETE_CATALOG_ITEMS,
	    ML_ENV_CATALOG, ML_PAGE_NONE, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	CAT_ROW("moengage_search_catalog_items", "POST",
	    "/v1/catalog/{catalog_id}/items/search",
	    ml_validate_catalog_item_ids, "Get up to 50 catalog items by id",
	    SCHEMA_DELETE_CATALOG_ITEMS, ML_ENV_CATALOG, ML_PAGE_NONE, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
