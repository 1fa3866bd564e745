/* SPDX-License-Identifier: MIT */
/*
 * validate_campaign_report.c: Campaign Report input rules
 * (stats-report.yaml): campaign stats need request_id, start and end dates
 * (YYYY-MM-DD, end not before start, at most 30 days apart), the
 * attribution and metric types from their enums, at most 10 campaign ids,
 * and offset >= 0 with a limit of 1..10. The report download takes only its
 * path (the file name); its Signature header is built from it.
 * Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include "moengage/validate_int.h"

static const char *const attribution_types[] = {
	"VIEW_THROUGH", "CLICK_THROUGH", "IN_SESSION", "TOTAL_CONVERSIONS",
	"CLICK_CONVERSIONS", NULL,
};
static const char *const metric_types[] = { "TOTAL", "UNIQUE", NULL };
static const char *const no_query[] = { NULL };

int
ml_validate_campaign_stats(json_object *body, json_object *query,
    struct ml_err *err)
{
	long start = 0, end = 0;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "request_id", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "campaign_ids", 0,
		    ML_STATS_CAMPAIGN_IDS_MAX, 0, "", err);
	if (rc == ML_OK)
		rc = ml__vdate(body, "start_date", 1, "", &start, err);
	if (rc == ML_OK)
		rc = ml__vdate(body, "end_date", 1, "", &end, err);
	if (rc == ML_OK && end < start)
		rc = ml__vfail(err, "", "end_date", "is before start_date");
	if (rc == ML_OK && end - start > ML_STATS_RANGE_DAYS_MAX)
		rc = ml__vfail(err, "", "end_date", "is %ld days after "
		    "start_date; MoEngage allows at most %d", end - start,
		    ML_STATS_RANGE_DAYS_MAX);
	if (rc == ML_OK)
		rc = ml__venum(body, "attribution_type", attribution_types, 1,
		    "", err);
	if (rc == ML_OK)
		rc = ml__venum(body, "metric_type", metric_types, 1, "", err);
	if (rc == ML_OK)
		rc = ml__vint(body, "offset", 0, INT32_MAX, 0, 0, "", 0, NULL,
		    err);
	if (rc == ML_OK)
		rc = ml__vint(body, "limit", 1, ML_STATS_LIMIT_MAX, 0, 0, "", 0,
		    NULL, err);
	return rc;
}

int
ml_validate_download_report(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vquery_keys(query, no_query, err);
	if (rc == ML_OK && body != NULL)
		rc = ml__vfail(err, "", "body", "the report download takes no "
		    "body; give the file name as path.filename");
	return rc;
}
