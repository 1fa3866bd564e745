/* SPDX-License-Identifier: MIT */
/*
 * validate_fam_int.h: the validators of the API families beyond Data
 * (segmentation, push, campaign report, business events, templates,
 * content blocks, catalog, subscription, personalize, recommendations,
 * inform) and the few typed checks they share (validate_fam.c). Not
 * public: the action rows point at these functions, and callers reach them
 * through ml_request_build(), which runs them before anything is sent.
 *
 * Every function returns ML_OK or ML_EINVAL with err->kind
 * "validation_failed", err->field the offending input ("query.size",
 * "items[3].id") and a sentence saying what to change. None allocates.
 */
#ifndef ML_VALIDATE_FAM_INT_H
#define ML_VALIDATE_FAM_INT_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include <moelink/err.h>

/* Documented caps (reference 5-8; the OpenAPI files). */
#define ML_PUSH_CAMPAIGN_NAME_MIN 5
#define ML_PUSH_IN_VALUES_MAX 50
#define ML_STATS_CAMPAIGN_IDS_MAX 10
#define ML_STATS_RANGE_DAYS_MAX 30
#define ML_STATS_LIMIT_MAX 10
#define ML_BE_V5_LIMIT_MAX 20
#define ML_TEMPLATE_ENTRIES_MAX 15
#define ML_CATALOG_ITEMS_MAX 50
#define ML_CATALOG_ATTRIBUTES_MAX 50
#define ML_SUBSCRIPTION_BULK_MAX 50
#define ML_RESUBSCRIBE_MAX 100
#define ML_SUB5_ATTRS_MAX 5
#define ML_SUB5_ATTR_NAME_MAX 50
#define ML_SUB5_ATTR_VALUE_MAX 255
#define ML_PERSONALIZE_KEYS_MAX 25
#define ML_PERSONALIZE_USERS_MAX 100
#define ML_RECO_SIZE_MAX 100
#define ML_INFORM_TXN_MAX 50

/* ---- shared checks (validate_fam.c) ----------------------------------- */

/*
 * obj[key] must be an integer in [min, max] if present (or required). In a
 * query (as_query) a decimal string is accepted too. *out (may be NULL)
 * gets the value, or def when absent.
 */
int ml__vint(json_object *obj, const char *key, int64_t min, int64_t max,
    int required, int as_query, const char *prefix, int64_t def,
    int64_t *out, struct ml_err *err);

/* obj[key] must be a string of at most max bytes (and not empty). */
int ml__vstrmax(json_object *obj, const char *key, size_t max, int required,
    const char *prefix, const char **out, struct ml_err *err);

/* obj[key] must be an array of min..max non-empty strings. */
int ml__vstrings(json_object *obj, const char *key, size_t min, size_t max,
    int required, const char *prefix, struct ml_err *err);

/* Like ml__venum, but the case of the value does not matter. */
int ml__venum_nocase(json_object *obj, const char *key,
    const char *const *allowed, int required, const char *prefix,
    struct ml_err *err);

/*
 * obj[key], a comma-separated list ("Active,Paused"), must be made of
 * allowed values only (exact case).
 */
int ml__venum_list(json_object *obj, const char *key,
    const char *const *allowed, const char *prefix, struct ml_err *err);

/* obj[key] must be a boolean if present (or required). */
int ml__vbool(json_object *obj, const char *key, int required,
    const char *prefix, struct ml_err *err);

/*
 * obj[key] must be a "YYYY-MM-DD" calendar date; *days gets the days since
 * 1970-01-01.
 */
int ml__vdate(json_object *obj, const char *key, int required,
    const char *prefix, long *days, struct ml_err *err);

/* query may be NULL or an object whose keys are all in allowed. */
int ml__vquery_keys(json_object *query, const char *const *allowed,
    struct ml_err *err);

/* Both: body is a JSON object and query holds only allowed keys. */
int ml__vbody(json_object *body, json_object *query,
    const char *const *allowed, struct ml_err *err);

/* ---- per family (validate_<family>.c) --------------------------------- */

#define ML__VALIDATOR(name) \
	int ml_validate_##name(json_object *body, json_object *query, \
	    struct ml_err *err)

/* validate_segmentation.c */
ML__VALIDATOR(list_segments);
ML__VALIDATOR(create_segment);
ML__VALIDATOR(update_segment);
ML__VALIDATOR(create_file_segment);
ML__VALIDATOR(update_file_segment);
ML__VALIDATOR(segment_name);
ML__VALIDATOR(sync_cohort);
/* validate_push.c */
ML__VALIDATOR(send_push);

/* validate_cards.c */
ML__VALIDATOR(fetch_cards);
ML__VALIDATOR(delete_cards);

ML__VALIDATOR(live_activity_start);
ML__VALIDATOR(live_activity_update);
#define ML_LIVE_ACTIVITY_IOS_MAX 5120	/* bytes of "ios" (413 beyond) */
/* validate_campaign_report.c */
ML__VALIDATOR(campaign_stats);
ML__VALIDATOR(download_report);
/* validate_business_events.c */
ML__VALIDATOR(create_business_event);
ML__VALIDATOR(trigger_business_event);
ML__VALIDATOR(search_business_events);
ML__VALIDATOR(list_business_events);
ML__VALIDATOR(search_business_events_v5);
ML__VALIDATOR(trigger_business_event_v5);
/* validate_templates.c */
ML__VALIDATOR(create_template);		/* osm, inapp, email */
ML__VALIDATOR(update_template);
ML__VALIDATOR(create_push_template);
ML__VALIDATOR(update_push_template);
ML__VALIDATOR(create_sms_template);
ML__VALIDATOR(update_sms_template);
ML__VALIDATOR(search_templates);
/* validate_content_blocks.c */
ML__VALIDATOR(create_content_block);
ML__VALIDATOR(update_content_block);
ML__VALIDATOR(get_content_blocks);
ML__VALIDATOR(search_content_blocks);
/* validate_catalog.c */
ML__VALIDATOR(create_catalog);
ML__VALIDATOR(add_catalog_attributes);
ML__VALIDATOR(add_catalog_items);
ML__VALIDATOR(update_catalog_items);
ML__VALIDATOR(catalog_item_ids);
/* validate_subscription.c */
ML__VALIDATOR(get_subscription);
ML__VALIDATOR(update_subscription);
ML__VALIDATOR(bulk_update_subscription);
ML__VALIDATOR(email_opt_in);
ML__VALIDATOR(bulk_resubscribe);
ML__VALIDATOR(list_subscription_categories);
ML__VALIDATOR(get_subscription_v5);
ML__VALIDATOR(update_subscription_v5);
/* validate_personalize.c */
ML__VALIDATOR(fetch_experiences);
ML__VALIDATOR(experience_metadata);
ML__VALIDATOR(experience_events);
/* validate_recommendations.c */
ML__VALIDATOR(list_recommendations);
ML__VALIDATOR(recommendation_items);
/* validate_inform.c */
ML__VALIDATOR(send_inform);

#endif
