/* SPDX-License-Identifier: MIT */
/*
 * catalog_data.c: the Data API family's rows (reference 2.4, 4.1, 4.2;
 * data.yaml, rate-limits.mdx). Host api-<dc>, Data key, Basic auth, the
 * {"status":"fail","error":{...}} envelope, no paging.
 *
 * rate_per_min is what MoEngage documents per workspace, in its unit: user
 * updates (track user, merge), events (track event), device updates, users
 * (get user), requests (opt-out, delete), users and events each (bulk).
 * Bulk Import's description caps one call at 100 KB; the others at 128 KB.
 * GDPR erasure (gdpr-ccpa.yaml) has no documented rate limit. Track App
 * Install is the one unauthenticated operation (security: [] in data.yaml).
 * Message Archival (message-archival.yaml) takes the Data key but answers
 * 500s as {"title","description","code"}, hence the title envelope. The
 * File Imports rows are on the fileimports-data-api host (data.yaml's
 * per-operation servers); trigger is limited per import (once in five
 * minutes), not per minute, so its rate is 0.
 */
#include <moelink/account.h>
#include <moelink/json.h>
#include <moelink/validate.h>

#include "moengage/catalog_int.h"

#define SCHEMA_CUSTOMER \
	"{\"type\":\"object\",\"required\":[\"type\"],\"properties\":{" \
	"\"type\":{\"const\":\"customer\",\"description\":\"lowercase\"}," \
	"\"customer_id\":{\"type\":\"string\",\"description\":\"your unique " \
	"user id (required unless Identity Resolution is on)\"}," \
	"\"update_existing_only\":{\"type\":\"boolean\"}," \
	"\"attributes\":{\"type\":\"object\",\"description\":\"user " \
	"attributes; names may not be id, _id or start with moe_\"}," \
	"\"platforms\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
	"\"properties\":{\"platform\":{\"type\":\"string\",\"enum\":[" \
	"\"ANDROID\",\"iOS\",\"web\"]},\"active\":{\"type\":\"string\"," \
	"\"enum\":[\"true\",\"false\"]}}}}," \
	"\"unset_attributes\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"object\",\"required\":[\"type\",\"attr\"],\"properties\":{" \
	"\"type\":{\"enum\":[\"equals\",\"prefix\",\"suffix\",\"contains\"]}," \
	"\"attr\":{\"type\":\"string\"},\"case_sensitive\":{\"type\":" \
	"\"boolean\"}}}}}}"

#define SCHEMA_EVENT \
	"{\"type\":\"object\",\"required\":[\"type\",\"actions\"]," \
	"\"properties\":{\"type\":{\"const\":\"event\"}," \
	"\"customer_id\":{\"type\":\"string\"}," \
	"\"device_id\":{\"type\":\"string\"}," \
	"\"user_identifiers\":{\"type\":\"object\",\"description\":\"instead " \
	"of customer_id with Identity Resolution\"}," \
	"\"actions\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":" \
	"\"object\",\"required\":[\"action\"],\"properties\":{" \
	"\"action\":{\"type\":\"string\",\"minLength\":1,\"description\":" \
	"\"event name; may not start with moe_\"}," \
	"\"attributes\":{\"type\":\"object\"}," \
	"\"platform\":{\"type\":\"string\",\"enum\":[\"ANDROID\",\"iOS\"," \
	"\"web\",\"TV\",\"unknown\"]}," \
	"\"app_version\":{\"type\":\"string\"}," \
	"\"current_time\":{\"type\":[\"integer\",\"string\"]}," \
	"\"user_time\":{\"type\":[\"integer\",\"string\"]}," \
	"\"user_timezone_offset\":{\"type\":\"integer\",\"minimum\":-54000," \
	"\"maximum\":54000}}}}}}"

#define SCHEMA_DEVICE \
	"{\"type\":\"object\",\"required\":[\"type\",\"customer_id\"," \
	"\"device_id\",\"attributes\"],\"properties\":{" \
	"\"type\":{\"const\":\"device\"}," \
	"\"customer_id\":{\"type\":\"string\"}," \
	"\"device_id\":{\"type\":\"string\"}," \
	"\"attributes\":{\"type\":\"object\",\"required\":[\"platform\"," \
	"\"push_id\"],\"properties\":{\"platform\":{\"type\":\"string\"," \
	"\"enum\":[\"ANDROID\",\"iOS\",\"web\",\"TV\"]}," \
	"\"push_id\":{\"type\":\"string\"},\"model\":{\"type\":\"string\"}," \
	"\"app_version\":{\"type\":\"string\"},\"os_version\":{\"type\":" \
	"\"string\"},\"moe_push_opted\":{\"type\":\"string\",\"enum\":[" \
	"\"True\",\"False\"]}}}}}"

#define SCHEMA_BULK \
	"{\"type\":\"object\",\"required\":[\"type\",\"elements\"]," \
	"\"properties\":{\"type\":{\"const\":\"transition\"}," \
	"\"elements\":{\"type\":\"array\",\"minItems\":1,\"items\":{" \
	"\"anyOf\":[" SCHEMA_CUSTOMER "," SCHEMA_EVENT "," SCHEMA_DEVICE \
	"]}}}}"

#define SCHEMA_OPT_OUT \
	"{\"type\":\"object\",\"required\":[\"user_identifier_type\"," \
	"\"user_identifier_value\",\"action_type\"],\"properties\":{" \
	"\"user_identifier_type\":{\"type\":\"string\"}," \
	"\"user_identifier_value\":{\"type\":\"string\"}," \
	"\"action_type\":{\"enum\":[\"block\",\"unblock\"]}," \
	"\"reason\":{\"type\":\"string\"}," \
	"\"client_reference_id\":{\"type\":\"string\"}," \
	"\"device_identifiers\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"object\",\"properties\":{\"push_id\":{\"type\":\"string\"}," \
	"\"moe_gaid\":{\"type\":\"string\"},\"unique_id\":{\"type\":" \
	"\"string\"},\"device_unique_id\":{\"type\":\"string\"}}}}}}"

#define SCHEMA_MERGE \
	"{\"type\":\"object\",\"required\":[\"merge_data\"],\"properties\":{" \
	"\"merge_data\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":50," \
	"\"items\":{\"type\":\"object\",\"required\":[\"merged_user\"," \
	"\"retained_user\"],\"properties\":{\"merged_user\":{\"type\":" \
	"\"string\"},\"retained_user\":{\"type\":\"string\"}}}}}}"

#define SCHEMA_DELETE \
	"{\"type\":\"object\",\"required\":[\"identity_type\"," \
	"\"identity_value\"],\"properties\":{\"identity_type\":{\"enum\":[" \
	"\"customer_id\",\"moengage_id\"]},\"identity_value\":{\"type\":" \
	"\"string\"}}}"

#define SCHEMA_GET_USER \
	"{\"type\":\"object\",\"required\":[\"data\"],\"properties\":{" \
	"\"data\":{\"type\":\"object\",\"required\":[\"identifiers\"]," \
	"\"properties\":{\"identifiers\":{\"type\":\"array\",\"minItems\":1," \
	"\"maxItems\":20,\"items\":{\"type\":\"object\",\"required\":[" \
	"\"identifier_type\",\"identifier\"],\"properties\":{" \
	"\"identifier_type\":{\"enum\":[\"customer_id\",\"moengage_id\"," \
	"\"id\"]},\"identifier\":{\"type\":\"string\"}}}}," \
	"\"user_fields_to_export\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"string\"}}}}}}"

#define SCHEMA_TEST_CONNECTION \
	"{\"type\":\"object\",\"description\":\"built from the account when " \
	"omitted\",\"required\":[\"app_id\",\"app_secret\",\"source\"," \
	"\"region\"],\"properties\":{\"app_id\":{\"type\":\"string\"}," \
	"\"app_secret\":{\"type\":\"string\"},\"source\":{\"type\":" \
	"\"string\"},\"region\":{\"type\":\"string\"}}}"

#define SCHEMA_GDPR \
	"{\"type\":\"object\",\"required\":[\"request_type\"," \
	"\"submitted_time\",\"identities\",\"api_version\"]," \
	"\"properties\":{\"request_type\":{\"type\":\"string\"," \
	"\"description\":\"erasure\"},\"submitted_time\":{\"type\":" \
	"\"string\",\"format\":\"date-time\"},\"api_version\":{\"type\":" \
	"\"string\",\"description\":\"1.0\"},\"identities\":{\"type\":" \
	"\"array\",\"minItems\":1,\"items\":{\"type\":\"object\"," \
	"\"required\":[\"identity_type\",\"identity_value\"]," \
	"\"properties\":{\"identity_type\":{\"enum\":[\"ID\"," \
	"\"user_secondary_id\",\"email\",\"mobile\"," \
	"\"google_advertising_id\",\"advertising_identifier\"]}," \
	"\"identity_value\":{\"type\":\"string\"}}}}}}"

#define SCHEMA_INSTALL \
	"{\"type\":\"object\",\"required\":[\"query\"],\"properties\":{" \
	"\"query\":{\"type\":\"object\",\"required\":[\"appId\",\"src\"," \
	"\"appAttributionKey\"],\"properties\":{\"appId\":{\"type\":" \
	"\"string\",\"description\":\"the workspace id\"},\"src\":{" \
	"\"type\":\"string\",\"description\":\"attribution partner\"}," \
	"\"appAttributionKey\":{\"type\":\"string\"},\"publisher_name\":{" \
	"\"type\":\"string\"},\"campaign_name\":{\"type\":\"string\"}," \
	"\"advertising_id\":{\"type\":\"string\"},\"idfv\":{\"type\":" \
	"\"string\"}}}},\"additionalProperties\":false}"

#define SCHEMA_ARCHIVAL \
	"{\"type\":\"object\",\"required\":[\"user_id\",\"delivery_type\"," \
	"\"campaign_type\",\"campaign_channel\",\"sent_epoch_time\"," \
	"\"campaign_id\",\"event_name\",\"platform\"],\"properties\":{" \
	"\"user_id\":{\"type\":\"string\"},\"delivery_type\":{\"enum\":[" \
	"\"ONE_TIME\",\"PERIODIC\",\"EVENT_TRIGGERED\"," \
	"\"LOCATION_TRIGGERED\",\"DEVICE_TRIGGERED\",\"API_TRIGGERED\"," \
	"\"BUSINESS_EVENT_TRIGGERED\"]},\"campaign_type\":{\"enum\":[" \
	"\"General Push Campaign\",\"Autotrigger Campaign\"," \
	"\"Geo-fencing Campaign\",\"Business Event Trigger Push Campaign\"," \
	"\"sms\",\"Business Event Trigger SMS Campaign\",\"Email Campaign\"," \
	"\"Email Triggers\",\"Business Event Trigger Email Campaign\"," \
	"\"Inform Email\",\"Inform SMS\",\"Inform Push\"]}," \
	"\"campaign_channel\":{\"enum\":[\"EMAIL\",\"SMS\",\"PUSH\"," \
	"\"FLOWS\"]},\"sent_epoch_time\":{\"type\":\"integer\"," \
	"\"minimum\":0},\"campaign_id\":{\"type\":\"string\"}," \
	"\"event_name\":{\"enum\":[\"Email Sent\",\"SMS Sent\"," \
	"\"Notification Sent iOS\",\"Notification Received Android\"," \
	"\"Notification Received Web\"]},\"platform\":{\"enum\":[\"IOS\"," \
	"\"ANDROID\",\"WEB\",\"EMAIL\",\"SMS\",\"MWEB\"]},\"event_id\":{" \
	"\"type\":\"string\",\"description\":\"moe_event_id (event " \
	"triggered) or moe_transaction_id (alerts)\"}}}"

/* File Imports: fileimports-data-api-<dc>, base /v1.0/data. */
#define SCHEMA_FI_DATE \
	"\"date\":{\"type\":\"object\",\"required\":[\"start_date\"," \
	"\"end_date\"],\"properties\":{\"start_date\":{\"type\":" \
	"\"string\"},\"end_date\":{\"type\":\"string\"},\"format\":{" \
	"\"type\":\"string\",\"description\":\"import details: " \
	"YYYY-MM-DD, DD/MM/YYYY, ... (data.yaml); run history: ISO 8601\"}}}," \
	"\"offset\":{\"type\":[\"integer\",\"string\"],\"minimum\":1," \
	"\"description\":\"page of 50, from 1\"}"

#define SCHEMA_FI_TRIGGER \
	"{\"type\":\"object\",\"required\":[\"path\"],\"properties\":{" \
	"\"path\":{\"type\":\"object\",\"required\":[\"schedule_id\"]," \
	"\"properties\":{\"schedule_id\":{\"type\":\"string\"," \
	"\"description\":\"the Import ID\"}}}},\"additionalProperties\":" \
	"false}"

#define SCHEMA_FI_STATUS \
	"{\"type\":\"object\",\"properties\":{\"import_name\":{\"type\":" \
	"\"string\"},\"import_type\":{\"enum\":[\"USERS\",\"EVENTS\"," \
	"\"AUX_DATA\"],\"description\":\"or an array of them\"}," \
	"\"schedule_type\":{\"enum\":[\"PERIODIC\",\"ONETIME\"]}," \
	"\"file_source\":{\"enum\":[\"SFTP\",\"S3\",\"CSV\"]}," \
	"\"schedule_status\":{\"enum\":[\"SUCCESSFUL\",\"FAILED\"," \
	"\"PARTIAL_SUCCESS\",\"SCHEDULED\",\"PROCESSING\",\"QUEUED\"," \
	"\"ARCHIVED\"]}," SCHEMA_FI_DATE "}}"

#define SCHEMA_FI_HISTORY \
	"{\"type\":\"object\",\"description\":\"import_id or " \
	"import_name\",\"properties\":{\"import_id\":{\"type\":" \
	"\"string\"},\"import_name\":{\"type\":\"string\"}," \
	"\"file_status\":{\"type\":\"array\",\"items\":{\"enum\":[" \
	"\"SUCCESSFUL\",\"FAILED\",\"PARTIAL_SUCCESS\",\"PROCESSING\"," \
	"\"QUEUED\",\"WAITING\"]}}," SCHEMA_FI_DATE "}}"

#define FI_ROW(name_, path_, paging_, rate_, fn_, sum_, schema_, flags_) \
	{ name_, ML_FAM_DATA, ML_HOST_FILEIMPORTS, "POST", path_, ML_WS_NONE, \
	    ML_AUTH_BASIC, ML_HDR_APPKEY, ML_ENV_FILEIMPORT, paging_, 0, \
	    rate_, fn_, sum_, schema_, flags_, NULL }

/* Test Connection's body: {app_id, app_secret, source, region}. */
static int
catalog_data_test_body(const struct ml_account *acct, const char *key,
    json_object **out, struct ml_err *err)
{
	json_object *o;
	int rc;

	*out = NULL;
	o = json_object_new_object();
	if (o == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	rc = ml_json_add_str(o, "app_id", acct->workspace_id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "app_secret", key);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "source", "moelink");
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "region", acct->data_center);
	if (rc) {
		json_object_put(o);
		return ml_err_set(err, rc, NULL, "out of memory");
	}
	*out = o;
	return ML_OK;
}

#define DATA_ROW(name_, method_, path_, ws_, env_, max_, rate_, fn_, sum_, \
    schema_, flags_, body_) \
	{ name_, ML_FAM_DATA, ML_HOST_API, method_, path_, ws_, \
	    ML_AUTH_BASIC, ML_HDR_APPKEY, env_, ML_PAGE_NONE, max_, rate_, \
	    fn_, sum_, schema_, flags_, body_ }

const struct ml_action ml__catalog_data[] = {
	DATA_ROW("moengage_track_user", "POST", "/v1/customer/{workspace_id}",
	    ML_WS_PATH, ML_ENV_DATA, 0, 10000, ml_validate_track_user,
	    "Create or update a user and their attributes",
	    ML__SCHEMA_BODY(SCHEMA_CUSTOMER), ML_ACT_BODY_REQUIRED, NULL),
	DATA_ROW("moengage_track_event", "POST", "/v1/event/{workspace_id}",
	    ML_WS_PATH, ML_ENV_DATA, 0, 30000, ml_validate_track_event,
	    "Track one or more events for a user",
	    ML__SCHEMA_BODY(SCHEMA_EVENT), ML_ACT_BODY_REQUIRED, NULL),
	DATA_ROW("moengage_bulk_import", "POST",
	    "/v1/transition/{workspace_id}", ML_WS_PATH, ML_ENV_DATA,
	    100u * 1024u, 60000, ml_validate_bulk_import,
	    "Import many users, events and devices in one call (100 KB max)",
	    ML__SCHEMA_BODY(SCHEMA_BULK), ML_ACT_BODY_REQUIRED, NULL),
	DATA_ROW("moengage_track_device", "POST", "/v1/device/{workspace_id}",
	    ML_WS_PATH, ML_ENV_DATA, 0, 10000, ml_validate_track_device,
	    "Create or update a device of an existing user",
	    ML__SCHEMA_BODY(SCHEMA_DEVICE), ML_ACT_BODY_REQUIRED, NULL),
	DATA_ROW("moengage_device_opt_out", "POST", "/v1/devices/manage",
	    ML_WS_QUERY_APP_ID, ML_ENV_DATA, 0, 1000,
	    ml_validate_device_opt_out,
	    "Block or unblock push to a user's devices",
	    ML__SCHEMA_BODY(SCHEMA_OPT_OUT),
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT, NULL),
	DATA_ROW("moengage_merge_users", "POST", "/v1/customer/merge",
	    ML_WS_QUERY_APP_ID, ML_ENV_DATA, 0, 1000, ml_validate_merge_users,
	    "Merge up to 50 pairs of users into their retained user",
	    ML__SCHEMA_BODY(SCHEMA_MERGE), ML_ACT_BODY_REQUIRED, NULL),
	DATA_ROW("moengage_delete_user", "POST", "/v1/customer/delete",
	    ML_WS_QUERY_APP_ID, ML_ENV_DATA, 0, 5000, ml_validate_delete_user,
	    "Delete one user (hard delete after a 24 hour buffer)",
	    ML__SCHEMA_BODY(SCHEMA_DELETE),
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT, NULL),
	DATA_ROW("moengage_get_user", "POST", "/v1/customers/export",
	    ML_WS_QUERY_APP_ID, ML_ENV_DATA, 0, 1000, ml_validate_get_user,
	    "Look up to 20 users by customer_id or MoEngage id",
	    ML__SCHEMA_BODY(SCHEMA_GET_USER),
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT, NULL),
	DATA_ROW("moengage_test_connection", "POST",
	    "/v1/integrations/authentication", ML_WS_NONE, ML_ENV_DATA, 0, 0,
	    ml_validate_test_connection,
	    "Check the workspace id, data center and Data API key",
	    ML__SCHEMA_BODY_OPTIONAL(SCHEMA_TEST_CONNECTION),
	    ML_ACT_IDEMPOTENT, catalog_data_test_body),
	DATA_ROW("moengage_submit_gdpr_request", "POST",
	    "/v1/opengdpr_requests/{workspace_id}", ML_WS_PATH, ML_ENV_DATA,
	    0, 0, ml_validate_gdpr_request,
	    "Erase one user's personal data (GDPR / CCPA request)",
	    ML__SCHEMA_BODY(SCHEMA_GDPR),
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT, NULL),
	DATA_ROW("moengage_view_archived_message", "POST", "/v1/archival/view",
	    ML_WS_NONE, ML_ENV_TITLE, 0, 1000,
	    ml_validate_view_archived_message,
	    "View the archived copy of a message a campaign sent to a user",
	    ML__SCHEMA_BODY(SCHEMA_ARCHIVAL),
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT, NULL),
	FI_ROW("moengage_trigger_file_import",
	    "/v1.0/data/fileimports/trigger/{schedule_id}", ML_PAGE_NONE, 0,
	    ml_validate_trigger_file_import,
	    "Run a scheduled file import now (once per 5 minutes per import)",
	    SCHEMA_FI_TRIGGER, 0),
	FI_ROW("moengage_get_file_imports",
	    "/v1.0/data/fileimports/import/status", ML_PAGE_OFFSET_FILES, 50,
	    ml_validate_file_import_status,
	    "List file imports and their status ({} for all; 50 a page)",
	    ML__SCHEMA_BODY(SCHEMA_FI_STATUS),
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	FI_ROW("moengage_get_file_import_history",
	    "/v1.0/data/fileimports/import/run/history", ML_PAGE_OFFSET_FILES,
	    50,
	    ml_validate_file_import_history,
	    "Status of each file of one file import (50 a page)",
	    ML__SCHEMA_BODY(SCHEMA_FI_HISTORY),
	    ML_ACT_BODY_REQUIRED | ML_ACT_IDEMPOTENT),
	{ "moengage_track_install", ML_FAM_DATA, ML_HOST_API, "GET",
	    "/v1/installInfo", ML_WS_NONE, ML_AUTH_NONE, ML_HDR_APPKEY,
	    ML_ENV_DATA, ML_PAGE_NONE, 0, 0, ml_validate_track_install,
	    "Record an app install from an attribution partner (no API key)",
	    SCHEMA_INSTALL, 0, NULL },
	{ NULL, ML_FAM_DATA, ML_HOST_API, NULL, NULL, ML_WS_NONE,
	    ML_AUTH_BASIC, 0, ML_ENV_DATA, ML_PAGE_NONE, 0, 0, NULL, NULL,
	    NULL, 0, NULL },
};
