/* SPDX-License-Identifier: MIT */
/*
 * validate_recommendations.c: Recommendations input rules
 * (recommendations.yaml): the list takes size 1..100, batch_num >= 1 and a
 * comma-separated status list (Active, Processing, Archived, Failed); the
 * items call a user_id (its RECOMMENDATION-TYPE header is checked by the
 * request builder against its enum). Stateless and thread-safe; nothing
 * allocates.
 */
#include "moengage/validate_fam_int.h"

#include "moengage/validate_int.h"

static const char *const statuses[] = {
	"Active", "Processing", "Archived", "Failed", NULL,
};
static const char *const list_query[] = { "size", "batch_num", "status",
	NULL };
static const char *const no_query[] = { NULL };

int
ml_validate_list_recommendations(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)body;
	rc = ml__vquery_keys(query, list_query, err);
	if (rc == ML_OK)
		rc = ml__vint(query, "size", 1, ML_RECO_SIZE_MAX, 0, 1,
		    "query.", 0, NULL, err);
	if (rc == ML_OK)
		rc = ml__vint(query, "batch_num", 1, INT32_MAX, 0, 1, "query.",
		    0, NULL, err);
	if (rc == ML_OK)
		rc = ml__venum_list(query, "status", statuses, "query.", err);
	return rc;
}

int
ml_validate_recommendation_items(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "user_id", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "item_id", 0, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "include_fields", 0, 0, 0, "", err);
	return rc;
}
