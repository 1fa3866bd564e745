/* SPDX-License-Identifier: MIT */
/*
 * catalog_segmentation.c: the Segmentation family's rows (reference 8.4;
 * custom-segments.yaml, cohort-audience.yaml). Host api-<dc>, Data key,
 * Basic auth. File segments v2 need MOE-DBNAME (the account's db_name) and
 * answer in {title, description}; filter segments v3 answer in {response_id,
 * type, error}; cohort sync in the Data envelope. File-segment operations
 * are limited to 10 an hour and 100 a day (rate_per_min 0: no per-minute
 * figure); v3 to 50 a minute (GET by id 100); cohort sync to 300 a minute
 * and 128 KB.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_LIST_SEGMENTS \
	"{\"type\":\"object\",\"required\":[]," \
	"\"properties\":{\"query\":{\"type\":\"object\"," \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"exact segment name\"}}}}," \
	"\"additionalProperties\":false}"

/*
 * A filter group of v3 segments (FilterGroupV3: its filters may be an empty
 * list), and the name/description/groups body (updated_by on update).
 */
#define SCHEMA_FILTER_GROUP \
	"{\"type\":\"object\",\"required\":[\"filter_operator\",\"filters\"]," \
	"\"properties\":{\"filter_operator\":{\"enum\":[\"and\",\"or\"]}," \
	"\"filters\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}"
#define SCHEMA_SEGMENT_PROPS \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"description\":{\"type\":\"string\"}," \
	"\"updated_by\":{\"type\":\"string\",\"format\":\"email\"}," \
	"\"included_filters\":" SCHEMA_FILTER_GROUP "," \
	"\"excluded_filters\":" SCHEMA_FILTER_GROUP "}"

#define SCHEMA_CREATE_SEGMENT \
	ML__SCHEMA_IN("\"body\"", "\"body\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"included_filters\"]," SCHEMA_SEGMENT_PROPS \
	"}")

#define SCHEMA_GET_SEGMENT ML__SCHEMA_IN("\"path\"", ML__S_PATH1("id"))

#define SCHEMA_UPDATE_SEGMENT \
	ML__SCHEMA_IN("\"body\",\"path\"", "\"body\":{\"type\":\"object\"," \
	"\"required\":[\"included_filters\"]," SCHEMA_SEGMENT_PROPS "}," \
	ML__S_PATH1("id"))

#define SCHEMA_CREATE_FILE_SEGMENT \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"attribute_name\",\"attribute_type\"," \
	"\"file_url\",\"expiry_time\"]," \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"segment name (unique on create)\"}," \
	"\"attribute_name\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"user attribute the CSV holds, e.g. uid\"}," \
	"\"attribute_type\":{\"enum\":[\"string\",\"double\"]}," \
	"\"file_url\":{\"type\":\"string\",\"format\":\"uri\"," \
	"\"description\":\"public http(s) URL " \
	"of a one-column CSV (<= 150 MB)\"}," \
	"\"callback_url\":{\"type\":\"string\",\"format\":\"uri\"}," \
	"\"emails\":{\"type\":\"array\",\"items\":{\"type\":\"string\"," \
	"\"minLength\":1}},\"expiry_time\":{\"type\":\"integer\"," \
	"\"minimum\":1,\"maximum\":36500," \
	"\"description\":\"days until the segment is archived\"}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_ADD_FILE_SEGMENT_USERS \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"attribute_name\",\"attribute_type\"," \
	"\"file_url\"],\"properties\":{\"name\":{\"type\":\"string\"," \
	"\"minLength\":1," \
	"\"description\":\"segment name (unique on create)\"}," \
	"\"attribute_name\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"user attribute the CSV holds, e.g. uid\"}," \
	"\"attribute_type\":{\"enum\":[\"string\",\"double\"]}," \
	"\"file_url\":{\"type\":\"string\",\"format\":\"uri\"," \
	"\"description\":\"public http(s) URL " \
	"of a one-column CSV (<= 150 MB)\"}," \
	"\"callback_url\":{\"type\":\"string\",\"format\":\"uri\"}," \
	"\"emails\":{\"type\":\"array\",\"items\":{\"type\":\"string\"," \
	"\"minLength\":1}},\"cs_id\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":false}"

#define SCHEMA_ARCHIVE_SEGMENT \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"name\"]," \
	"\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1}," \
	"\"cs_id\":{\"type\":\"string\",\"minLength\":1}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_SYNC_COHORT \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"action\",\"partner\",\"parameters\"]," \
	"\"properties\":{\"action\":{\"enum\":[\"add_members\"," \
	"\"remove_members\"]},\"partner\":{\"type\":\"string\"," \
	"\"minLength\":1},\"parameters\":{\"type\":\"object\"," \
	"\"required\":[\"cohort_name\",\"cohort_id\",\"members\"]," \
	"\"properties\":{\"cohort_name\":{\"type\":\"string\"," \
	"\"minLength\":1," \
	"\"description\":\"may not start with '.' or contain '|'\"}," \
	"\"cohort_id\":{\"type\":\"string\",\"minLength\":1}," \
	"\"description\":{\"type\":\"string\"}," \
	"\"members\":{\"type\":\"array\",\"minItems\":1," \
	"\"items\":{\"type\":\"object\",\"required\":[\"uid\"]," \
	"\"properties\":{\"uid\":{\"type\":\"string\"," \
	"\"minLength\":1}}}}}}}}},\"additionalProperties\":false}"

#define SEG_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_SEGMENTATION, ML_HOST_API, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_segmentation[] = {
	SEG_ROW("moengage_list_segments", "GET", "/v3/custom-segments",
	    ml_validate_list_segments,
	    "List filter segments (whole list; optional exact name filter)",
	    SCHEMA_LIST_SEGMENTS, ML_ENV_RESPONSE_TYPE, ML_PAGE_NONE, 50, 0,
	    ML_ACT_IDEMPOTENT),
	SEG_ROW("moengage_create_segment", "POST", "/v3/custom-segments",
	    ml_validate_create_segment,
	    "Create a filter segment from included/excluded filter groups",
	    SCHEMA_CREATE_SEGMENT, ML_ENV_RESPONSE_TYPE, ML_PAGE_NONE, 50, 0,
	    ML_ACT_BODY_REQUIRED),
	SEG_ROW("moengage_get_segment", "GET", "/v3/custom-segments/{id}",
	    NULL, "Get one filter segment by id", SCHEMA_GET_SEGMENT,
	    ML_ENV_RESPONSE_TYPE, ML_PAGE_NONE, 100, 0, ML_ACT_IDEMPOTENT),
	SEG_ROW("moengage_update_segment", "PATCH", "/v3/custom-segments/{id}",
	    ml_validate_update_segment,
	    "Update a filter segment's name, description or filters",
	    SCHEMA_UPDATE_SEGMENT, ML_ENV_RESPONSE_TYPE, ML_PAGE_NONE, 50, 0,
	    ML_ACT_BODY_REQUIRED),
	SEG_ROW("moengage_create_file_segment", "POST",
	    "/v2/custom-segments/file-segment",
	    ml_validate_create_file_segment,
	    "Create a file segment from a CSV URL (needs the account's "
	    "db_name; 10 an hour)", SCHEMA_CREATE_FILE_SEGMENT, ML_ENV_TITLE,
	    ML_PAGE_NONE, 0, ML_HDR_DBNAME, ML_ACT_BODY_REQUIRED),
	SEG_ROW("moengage_add_file_segment_users", "PUT",
	    "/v2/custom-segments/file-segment/add-users",
	    ml_validate_update_file_segment,
	    "Add the users of a CSV to a file segment (needs db_name)",
	    SCHEMA_ADD_FILE_SEGMENT_USERS, ML_ENV_TITLE, ML_PAGE_NONE, 0,
	    ML_HDR_DBNAME, ML_ACT_BODY_REQUIRED),
	SEG_ROW("moengage_remove_file_segment_users", "PUT",
	    "/v2/custom-segments/file-segment/remove-users",
	    ml_validate_update_file_segment,
	    "Remove the users of a CSV from a file segment (needs db_name)",
	    SCHEMA_ADD_FILE_SEGMENT_USERS, ML_ENV_TITLE, ML_PAGE_NONE, 0,
	    ML_HDR_DBNAME, ML_ACT_BODY_REQUIRED),
	SEG_ROW("moengage_replace_file_segment_users", "PUT",
	    "/v2/custom-segments/file-segment/replace",
	    ml_validate_update_file_segment,
	    "Replace a file segment's users with a CSV's (needs db_name)",
	    SCHEMA_ADD_FILE_SEGMENT_USERS, ML_ENV_TITLE, ML_PAGE_NONE, 0,
	    ML_HDR_DBNAME, ML_ACT_BODY_REQUIRED),
	SEG_ROW("moengage_archive_segment", "PATCH",
	    "/v2/custom-segments/archive", ml_validate_segment_name,
	    "Archive a file or filter segment by name or cs_id (needs "
	    "db_name)", SCHEMA_ARCHIVE_SEGMENT, ML_ENV_TITLE, ML_PAGE_NONE, 0,
	    ML_HDR_DBNAME, ML_ACT_BODY_REQUIRED),
	SEG_ROW("moengage_unarchive_segment", "PATCH",
	    "/v2/custom-segments/unarchive", ml_validate_segment_name,
	    "Unarchive a segment by name or cs_id (needs db_name)",
	    SCHEMA_ARCHIVE_SEGMENT, ML_ENV_TITLE, ML_PAGE_NONE, 0,
	    ML_HDR_DBNAME, ML_ACT_BODY_REQUIRED),
	SEG_ROW("moengage_sync_cohort", "POST", "/v1/integrations/cohortsync",
	    ml_validate_sync_cohort,
	    "Add or remove users (by uid) in a partner cohort segment",
	    SCHEMA_SYNC_COHORT, ML_ENV_DATA, ML_PAGE_NONE, 300, 0,
	    ML_ACT_BODY_REQUIRED),
	ML__ROW_END,
};
