/* SPDX-License-Identifier: MIT */
/*
 * validate_inform.c: Inform input rules (inform.yaml): the alert, named by
 * alert_id or its alternative alert_reference_name, a transaction_id of
 * 1..50 characters (MoEngage deduplicates on it for 5 minutes, so a retry
 * that resends the same body is safe) and a non-empty payloads object whose
 * channels each name a recipient.
 * Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <stdio.h>

#include "moengage/validate_int.h"

static const char *const no_query[] = { NULL };

int
ml_validate_send_inform(json_object *body, json_object *query,
    struct ml_err *err)
{
	char prefix[ML__VPATH_MAX];
	const char *alert = NULL, *ref = NULL;
	json_object *payloads;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstrmax(body, "transaction_id", ML_INFORM_TXN_MAX, 1,
		    "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "alert_id", 0, "", &alert, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "alert_reference_name", 0, "", &ref, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "payloads", 1, "", &payloads, err);
	if (rc)
		return rc;
	if (json_object_object_length(payloads) == 0)
		return ml__vfail(err, "", "payloads", "needs at least one "
		    "channel (SMS, EMAIL, PUSH, WHATSAPP, ...)");
	json_object_object_foreach(payloads, ch, p) {
		snprintf(prefix, sizeof(prefix), "payloads.%s.", ch);
		if (!json_object_is_type(p, json_type_object))
			return ml__vfail(err, prefix, "", "must be an object "
			    "with a recipient");
		rc = ml__vstring(p, "recipient", 1, prefix, NULL, err);
		if (rc)
			return rc;
	}
	if (alert == NULL && ref == NULL)
		return ml__vfail(err, "", "alert_id", "or alert_reference_name "
		    "must name the alert to send");
	return ML_OK;
}
