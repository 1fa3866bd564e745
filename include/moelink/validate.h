/* SPDX-License-Identifier: MIT */
/*
 * validate.h: MoEngage's input rules, checked before anything is sent, so a
 * request MoEngage would refuse (or, worse, accept and silently drop or
 * blacklist) fails locally with a message that says what to change.
 *
 * Every validator returns ML_OK or ML_EINVAL with err->kind
 * "validation_failed", err->field the path of the offending input
 * ("elements[2].actions[0].platform") and err->msg a sentence for a person.
 * They never allocate and never keep a reference to their input.
 *
 * The action rows (catalog.h) point at the per-action validators; the
 * delivery pipeline calls ml_validate_data_element() on each queued user or
 * event before packing it into a Bulk Import request.
 */
#ifndef MOELINK_VALIDATE_H
#define MOELINK_VALIDATE_H

#include <json-c/json.h>

#include <moelink/err.h>

/* Caps MoEngage documents (reference 4.1, 4.2). */
#define ML_GET_USER_MAX_IDENTIFIERS 20
#define ML_MERGE_MAX_PAIRS 50
#define ML_TIMEZONE_OFFSET_MAX 54000

/*
 * One Data API object as the single APIs and Bulk Import take it: a
 * customer, event or device object, chosen by its lowercase `type`. Field
 * paths are relative to the element.
 */
int ml_validate_data_element(json_object *el, struct ml_err *err);

/* The Data API actions (signature of ml_validate_fn; query is unused). */
int ml_validate_track_user(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_track_event(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_track_device(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_bulk_import(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_device_opt_out(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_merge_users(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_delete_user(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_get_user(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_test_connection(json_object *body, json_object *query,
    struct ml_err *err);
/* GDPR/CCPA erasure: request_type, submitted_time, api_version, identities. */
int ml_validate_gdpr_request(json_object *body, json_object *query,
    struct ml_err *err);
/* Message Archival: the eight fields and enums of message-archival.yaml. */
int ml_validate_view_archived_message(json_object *body, json_object *query,
    struct ml_err *err);
/*
 * File Imports (fileimports-data-api): trigger takes no body; import
 * details takes optional filters (a value or an array of values), offset
 * and a date range with its format; run history needs import_id or
 * import_name.
 */
int ml_validate_trigger_file_import(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_file_import_status(json_object *body, json_object *query,
    struct ml_err *err);
int ml_validate_file_import_history(json_object *body, json_object *query,
    struct ml_err *err);
/* Track App Install: query appId, src, appAttributionKey; no body. */
int ml_validate_track_install(json_object *body, json_object *query,
    struct ml_err *err);

/*
 * 1 if s is a platform MoEngage accepts on an event, a user's platforms or
 * a Bulk device: ANDROID, iOS, web, TV, unknown, in the spellings its
 * documents use (Android, IOS, Web, Windows, ...). Track Device takes only
 * ANDROID, iOS, web or TV, exactly.
 */
int ml_validate_platform_ok(const char *s);
/* 1 if MoEngage refuses s as a customer_id ("guest", "null", "0", ...). */
int ml_validate_customer_id_blocked(const char *s);
/*
 * 1 if name may be used as a user or event attribute name: not empty, no
 * "moe_" prefix (except MoEngage's own documented attributes such as
 * moe_unsubscribe), and, for user attributes, not "id" or "_id".
 */
int ml_validate_attr_name_ok(const char *name, int user_attr);

#endif
