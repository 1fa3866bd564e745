/* SPDX-License-Identifier: MIT */
/*
 * validate_personalize.c: Personalize input rules
 * (personalize-experience.yaml): fetch takes optional identifiers (their
 * user_identifiers an object as in the examples or a string as in the
 * schema), at most 25 experience keys (none: every experience), and the
 * optional in-session DAY_OF_THE_WEEK and TIME_OF_THE_DAY from their
 * enums; metadata an optional comma-separated status list; events 1..100
 * users, each with actions shown/clicked carrying the six
 * experience_context attributes, and a timezone offset within +-54000
 * seconds.
 * Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <moelink/json.h>

#include "moengage/validate_int.h"

static const char *const days[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday", NULL,
};
static const char *const hours[] = {
	"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11",
	"12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23",
	NULL,
};
static const char *const statuses[] = {
	"Active", "Paused", "Scheduled", NULL,
};
static const char *const actions[] = {
	"MOE_PERSONALIZATION_MESSAGE_SHOWN",
	"MOE_PERSONALIZATION_MESSAGE_CLICKED", NULL,
};
/* experience_context members an event carries back as attributes. */
static const char *const context_keys[] = {
	"cid", "experience", "moe_locale_id", "moe_variation_id",
	"audience_name", "audience_id", NULL,
};
static const char *const no_query[] = { NULL };
static const char *const metadata_query[] = { "status", NULL };

int
ml_validate_fetch_experiences(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *ids = NULL, *uids;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "identifiers", 0, "", &ids, err);
	if (rc == ML_OK && ids != NULL &&
	    json_object_object_get_ex(ids, "user_identifiers", &uids) &&
	    !json_object_is_type(uids, json_type_object) &&
	    !json_object_is_type(uids, json_type_string))
		rc = ml__vfail(err, "identifiers.", "user_identifiers",
		    "must be an object (or a string)");
	if (rc == ML_OK)
		rc = ml__vstrings(body, "experience_key", 0,
		    ML_PERSONALIZE_KEYS_MAX, 0, "", err);
	if (rc == ML_OK)
		rc = ml__venum(body, "DAY_OF_THE_WEEK", days, 0, "", err);
	if (rc == ML_OK)
		rc = ml__venum(body, "TIME_OF_THE_DAY", hours, 0, "", err);
	return rc;
}

int
ml_validate_experience_metadata(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)body;
	rc = ml__vquery_keys(query, metadata_query, err);
	if (rc == ML_OK)
		rc = ml__venum_list(query, "status", statuses, "query.", err);
	return rc;
}

/*
 * An action: shown or clicked, and attributes, the experience_context the
 * fetch answered (its six members are required; a missing one is the
 * documented 400).
 */
static int
pers_action(json_object *a, const char *prefix, void *ud, struct ml_err *err)
{
	char p[ML__VPATH_MAX];
	json_object *attrs = NULL;
	size_t i;
	int rc;

	(void)ud;
	rc = ml__venum(a, "action", actions, 1, prefix, err);
	if (rc == ML_OK)
		rc = ml__vstring(a, "moe_event_uuid", 0, prefix, NULL, err);
	if (rc == ML_OK)	/* Unix seconds */
		rc = ml__vint(a, "event_time", 0, INT64_MAX, 0, 0, prefix, 0,
		    NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(a, "attributes", 1, prefix, &attrs, err);
	ml__vpath(p, sizeof(p), prefix, "attributes.", -1);
	for (i = 0; rc == ML_OK && context_keys[i] != NULL; i++)
		rc = ml__vstring(attrs, context_keys[i], 1, p, NULL, err);
	return rc;
}

static int
pers_user(json_object *el, const char *prefix, void *ud, struct ml_err *err)
{
	int rc;

	(void)ud;
	rc = ml__vstring(el, "customer_id", 1, prefix, NULL, err);
	if (rc == ML_OK)
		rc = ml__vint(el, "user_timezone_offset", -54000, 54000, 0, 0,
		    prefix, 0, NULL, err);
	if (rc == ML_OK)
		rc = ml__veach(el, "actions", 1, 0, 1, prefix, "{\"action\"}",
		    pers_action, NULL, err);
	return rc;
}

int
ml_validate_experience_events(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__veach(body, "elements", 1, ML_PERSONALIZE_USERS_MAX, 1,
		    "", "{\"customer_id\", \"actions\"}", pers_user, NULL, err);
	return rc;
}
