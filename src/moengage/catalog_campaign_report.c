/* SPDX-License-Identifier: MIT */
/*
 * catalog_campaign_report.c: the Campaign Report family's rows (reference 6;
 * stats-report.yaml). Host api-<dc>, the general (Campaign Report) key,
 * errors in {title, description, code}. Campaign stats is paged by
 * offset/limit (limit at most 10) and allowed 100 calls a minute; the report
 * download is authenticated by its Signature header, sha256_hex(workspace
 * id|file name|key), which request.c builds.
 *
 * Input schemas follow the OpenAPI files. Adding an operation is adding
 * a row here (catalog.c lists the array).
 */
#include "moengage/catalog_fam_int.h"

#define SCHEMA_GET_CAMPAIGN_STATS \
	"{\"type\":\"object\",\"required\":[\"body\"]," \
	"\"properties\":{\"body\":{\"type\":\"object\"," \
	"\"required\":[\"request_id\",\"start_date\",\"end_date\"," \
	"\"attribution_type\",\"metric_type\"]," \
	"\"properties\":{\"request_id\":{\"type\":\"string\"," \
	"\"minLength\":1},\"campaign_ids\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"string\",\"minLength\":1},\"maxItems\":10}," \
	"\"start_date\":{\"type\":\"string\",\"format\":\"date\"}," \
	"\"end_date\":{\"type\":\"string\",\"format\":\"date\"," \
	"\"description\":\"at most 30 days after start_date\"}," \
	"\"attribution_type\":{\"enum\":[\"VIEW_THROUGH\",\"CLICK_THROUGH\"," \
	"\"IN_SESSION\",\"TOTAL_CONVERSIONS\",\"CLICK_CONVERSIONS\"]}," \
	"\"metric_type\":{\"enum\":[\"TOTAL\",\"UNIQUE\"]}," \
	"\"offset\":{\"type\":\"integer\",\"minimum\":0}," \
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10}}}}," \
	"\"additionalProperties\":false}"

#define SCHEMA_DOWNLOAD_CAMPAIGN_REPORT \
	"{\"type\":\"object\",\"required\":[\"path\"]," \
	"\"properties\":{\"path\":{\"type\":\"object\"," \
	"\"required\":[\"filename\"]," \
	"\"properties\":{\"filename\":{\"type\":\"string\"," \
	"\"minLength\":1}}}},\"additionalProperties\":false}"

#define REPORT_ROW(name_, method_, path_, fn_, sum_, schema_, env_, page_, \
    rate_, hdrs_, flags_) \
	ML__ROW(name_, ML_FAM_CAMPAIGN_REPORT, ML_HOST_API, method_, \
	    path_, ML_WS_NONE, ML_AUTH_BASIC, hdrs_, env_, page_, \
	    0, rate_, fn_, sum_, schema_, flags_)

const struct ml_action ml__catalog_campaign_report[] = {
	REPORT_ROW("moengage_get_campaign_stats", "POST",
	    "/core-services/v1/campaign-stats", ml_validate_campaign_stats,
	    "Campaign stats for up to 10 campaigns over at most 30 days "
	    "(paged)", SCHEMA_GET_CAMPAIGN_STATS, ML_ENV_TITLE,
	    ML_PAGE_OFFSET_LIMIT, 100, 0,
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	ML__ROW("moengage_download_campaign_report", ML_FAM_CAMPAIGN_REPORT,
	    ML_HOST_API, "GET",
	    "/campaign_reports/rest_api/{workspace_id}/{filename}", ML_WS_PATH,
	    ML_AUTH_REPORT_SIGNATURE, 0, ML_ENV_TITLE, ML_PAGE_NONE, 0, 0,
	    ml_validate_download_report,
	    "Download a generated campaign report file (kept 7 days)",
	    SCHEMA_DOWNLOAD_CAMPAIGN_REPORT, ML_ACT_IDEMPOTENT),
	ML__ROW_END,
};
