/* SPDX-License-Identifier: MIT */
/*
 * sim_archival.c: Message Archival, written from message-archival.yaml:
 * POST /v1/archival/view on api-<dc>, Basic auth with the Data key,
 * MOE-APPKEY required, 1000 RPM. It is a Data API key operation, so its
 * fault and journal family is "data"; its bodies are its own:
 * 400 {"status":false,"error_message"}, 401 {"status":false,"error"},
 * 500 {"title","description","code"}, 429 headers only (no body is
 * documented). Success is {"status":true,"data":{message_details,
 * message_content,backup_content,file_info}}.
 *
 * The messages MoEngage archives are the ones its campaigns sent, which the
 * simulator does not keep: every well-formed request gets a copy built from
 * what it names (campaign, channel, platform, user, time). Bodies for cases
 * the file documents no example of are marked inferred (docs/sim.md).
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <moelink/json.h>

static const struct ml_sim_limit arch_limits[] = {
	{ "archival_view_per_min", 1000 },
};

static const char *const arch_delivery[] = {
	"ONE_TIME", "PERIODIC", "EVENT_TRIGGERED", "LOCATION_TRIGGERED",
	"DEVICE_TRIGGERED", "API_TRIGGERED", "BUSINESS_EVENT_TRIGGERED", NULL
};
static const char *const arch_campaign_types[] = {
	"General Push Campaign", "Autotrigger Campaign", "Geo-fencing Campaign",
	"Business Event Trigger Push Campaign", "sms",
	"Business Event Trigger SMS Campaign", "Email Campaign",
	"Email Triggers", "Business Event Trigger Email Campaign",
	"Inform Email", "Inform SMS", "Inform Push", NULL
};
static const char *const arch_channels[] = {
	"EMAIL", "SMS", "PUSH", "FLOWS", NULL
};
static const char *const arch_events[] = {
	"Email Sent", "SMS Sent", "Notification Sent iOS",
	"Notification Received Android", "Notification Received Web", NULL
};
static const char *const arch_platforms[] = {
	"IOS", "ANDROID", "WEB", "EMAIL", "SMS", "MWEB", NULL
};

/* {"status":false,"<key>":msg} */
static int
arch_fail(struct ml_sim_ctx *ctx, int status, const char *key,
    const char *msg)
{
	json_object *o = ml_sim_fam_strs(key, msg, NULL);

	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(o, "status",
	    json_object_new_boolean(0)));
}

static int
arch_bad(struct ml_sim_ctx *ctx, const char *msg)
{
	return arch_fail(ctx, 400, "error_message", msg);
}

static int
arch_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return arch_fail(ctx, 413, "error_message",
		    "Payload too large");
	case ML_SIM_REF_MEDIA:		/* inferred */
	case ML_SIM_REF_NO_BODY:
	case ML_SIM_REF_MALFORMED:
		return arch_bad(ctx, "Invalid request body");
	case ML_SIM_REF_STATE:		/* inferred */
		return arch_fail(ctx, 403, "error",
		    "Your account is blocked. Please contact MoEngage team.");
	case ML_SIM_REF_RATE:		/* documented: headers, no body */
		return ml_sim_fam_send_empty(ctx, 429);
	default:
		break;
	}
	/* The documented 401; every credential problem answers it. */
	return arch_fail(ctx, 401, "error", "Invalid data key");
}

static const struct ml_sim_fam_spec arch_spec = {
	ML_FAM_DATA, arch_refuse
};

/* A required string member from list (NULL: any non-empty string). */
static int
arch_field(struct ml_sim_ctx *ctx, json_object *o, const char *key,
    const char *const *list)
{
	const char *v = ml_sim_fam_str(o, key);
	char msg[96];

	if (v == NULL) {
		/* inferred wording */
		snprintf(msg, sizeof(msg), "%s is a required field", key);
		return arch_bad(ctx, msg);
	}
	if (list == arch_events && !ml_sim_fam_in(v, list))
		return arch_bad(ctx, "This event is unsupported to view "
		    "message copy. The supported events are ['Email Sent', "
		    "'SMS Sent', 'Notification Sent iOS', 'Notification "
		    "Received Android', 'Notification Received Web']");
	if (list != NULL && !ml_sim_fam_in(v, list)) {
		snprintf(msg, sizeof(msg), "Invalid value for %s", key);
		return arch_bad(ctx, msg);
	}
	return ML_OK;
}

static int
arch_check(struct ml_sim_ctx *ctx, json_object *o)
{
	static const struct {
		const char *key;
		const char *const *list;	/* NULL: any string */
	} fields[] = {
		{ "user_id", NULL },
		{ "delivery_type", arch_delivery },
		{ "campaign_type", arch_campaign_types },
		{ "campaign_channel", arch_channels },
		{ "campaign_id", NULL },
		{ "event_name", arch_events },
		{ "platform", arch_platforms },
	};
	json_object *t;
	size_t i;
	int rc = ML_OK;

	for (i = 0; rc == ML_OK && i < sizeof(fields) / sizeof(fields[0]);
	    i++)
		rc = arch_field(ctx, o, fields[i].key, fields[i].list);
	t = ml_json_get(o, "sent_epoch_time", json_type_int);
	if (rc == ML_OK && (t == NULL || json_object_get_int64(t) < 0))
		rc = arch_bad(ctx, "sent_epoch_time is a required field");
	return rc;
}

/* Lowercase copy of s into out. */
static const char *
arch_lower(const char *s, char *out, size_t cap)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out[i] = '\0';
	return out;
}

static json_object *
arch_copy(json_object *o)
{
	char ch[16], pf[16], file[256], msg[160], when[64];
	const char *cid = ml_json_str(o, "campaign_id");
	const char *event_id = ml_json_str(o, "event_id");
	time_t sent = (time_t)json_object_get_int64(ml_json_get(o,
	    "sent_epoch_time", json_type_int));
	json_object *details, *content, *data;
	struct tm tm;

	arch_lower(ml_json_str(o, "campaign_channel"), ch, sizeof(ch));
	arch_lower(ml_json_str(o, "platform"), pf, sizeof(pf));
	snprintf(file, sizeof(file), "%s_%s_%lld_%s_%s.json", cid,
	    ml_json_str(o, "user_id"), (long long)sent, ch, pf);
	snprintf(msg, sizeof(msg), "Simulated %s message of campaign %s", ch,
	    cid);
	/* The documented form: "Tue, 28 May 2024 22:24:22 IST"; in UTC. */
	if (gmtime_r(&sent, &tm) == NULL ||
	    strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S UTC", &tm) == 0)
		when[0] = '\0';
	details = ml_sim_fam_strs("message_type", "campaign", "message_id",
	    cid, "channel", ch, "platform", pf, "delivery_type",
	    ml_json_str(o, "delivery_type"), "sent_time", when, "message_to",
	    ml_json_str(o, "user_id"), NULL);
	/* moe_event_id is null unless the request named the event. */
	if (details != NULL && json_object_object_add(details, "moe_event_id",
	    event_id != NULL ? json_object_new_string(event_id) : NULL)) {
		json_object_put(details);
		details = NULL;
	}
	content = ml_sim_fam_put(ml_sim_fam_strs("title", msg, "summary", msg,
	    "message", msg, NULL), "related_urls", json_object_new_array());
	data = ml_sim_fam_put(json_object_new_object(), "message_details",
	    details);
	data = ml_sim_fam_put(data, "message_content", content);
	data = ml_sim_fam_put(data, "file_info", ml_sim_fam_strs("version",
	    "v2", "file_name", file, NULL));
	return ml_sim_fam_put(ml_sim_fam_put(json_object_new_object(),
	    "status", json_object_new_boolean(1)), "data", data);
}

static int
arch_view(struct ml_sim_ctx *ctx)
{
	json_object *body = NULL;
	int rc;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = arch_check(ctx, body);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_fam_send(ctx, 200, arch_copy(body));
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

static int
arch_other(struct ml_sim_ctx *ctx, int status)
{
	char code[64];
	json_object *o;

	if (status == 400)
		return arch_bad(ctx, "Invalid request body");
	if (status < 500)
		return arch_fail(ctx, status, "error_message",
		    MHD_get_reason_phrase_for((unsigned)status));
	/* The documented 500: {"title","description","code"}. */
	snprintf(code, sizeof(code), "%s-simulated", ctx->request_id);
	o = ml_sim_fam_strs("title", "Server Error", "description",
	    "An unexpected error was encountered while processing this "
	    "request. Please contact MoEngage Team", "code", code, NULL);
	return ml_sim_fam_send(ctx, status, o);
}

static int
arch_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, arch_other);
}

static const struct ml_sim_fam_route r_view = {
	&arch_spec, ML_SIM_F_APPKEY | ML_SIM_F_MEDIA | ML_SIM_F_BODY,
	{ &arch_limits[0], NULL }, NULL
};

static const struct ml_sim_route arch_routes[] = {
	{ "POST", "/v1/archival/view", "view_archived_message", arch_view,
	    &r_view },
};

const struct ml_sim_family ml_sim_family_archival = {
	"data", ML_HOST_API, arch_routes,
	sizeof(arch_routes) / sizeof(arch_routes[0]),
	arch_limits, sizeof(arch_limits) / sizeof(arch_limits[0]),
	arch_fault,
};
