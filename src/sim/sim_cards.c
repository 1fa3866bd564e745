/* SPDX-License-Identifier: MIT */
/*
 * sim_cards.c: Cards (App Inbox), written from cards.yaml: POST
 * /v1/cards/fetch (query page, limit) and DELETE /v1/cards/delete on
 * api-<dc>, Basic auth with the general key, MOE-APPKEY required, 50,000
 * requests a minute each. Fault and journal family "cards".
 *
 * Bodies: fetch 200 {"status":true,"request_id","data":{"deleted_card_ids",
 * "cards":[Card]}}; delete 200 {"status":true,"request_id","data":{
 * "<platform>":{"success","failed","invalid"}}}; 400 {"status":false,
 * "error","request_id"} with the documented texts; 401 {"title":
 * "Authentication Failure"|"Authentication required","code"}; 429
 * {"title":"Request limit reached","code"} with x-ratelimit-* headers; 500
 * {"title":"Internal Server Error","message"}.
 *
 * Cards come from card campaigns, which the simulator has not got: a user
 * the Data API holds (uid = its customer_id; a unique_id is any device,
 * inferred) has three seeded cards, one per platform (android
 * "Announcements", ios and web "Offers"), of campaigns cards_campaign_1..3.
 * Deleted cards are gone for good and listed in deleted_card_ids when a
 * fetch names them in prev_sync_card_ids; with last_updated_time, cards
 * named there and not updated since are left out.
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <moelink/json.h>

#define CARDS_SEEDED 3

static const struct ml_sim_limit cards_limits[] = {
	{ "cards_fetch_per_min", 50000 },
	{ "cards_delete_per_min", 50000 },
};

static const char *const cards_platforms[] = { "android", "ios", "web",
	NULL };
static const char *const cards_categories[] = { "Announcements", "Offers",
	"Offers" };

static const struct ml_sim_coll cards_coll = { "cards", NULL };

/* {"status":false,"error","request_id"} */
static int
cards_bad(struct ml_sim_ctx *ctx, const char *msg)
{
	json_object *o = ml_sim_fam_strs("error", msg, "request_id",
	    ctx->request_id, NULL);

	return ml_sim_fam_send(ctx, 400, ml_sim_fam_put(o, "status",
	    json_object_new_boolean(0)));
}

static int
cards_title(struct ml_sim_ctx *ctx, int status, const char *title)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title", title,
	    "code", ctx->request_id, NULL));
}

static int
cards_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_RATE:
		return cards_title(ctx, 429, "Request limit reached");
	case ML_SIM_REF_NO_AUTH:
		return cards_title(ctx, 401, "Authentication required");
	case ML_SIM_REF_NO_APPKEY:
	case ML_SIM_REF_APPKEY:
	case ML_SIM_REF_UNKNOWN_WS:
	case ML_SIM_REF_BAD_KEY:
		return cards_title(ctx, 401, "Authentication Failure");
	case ML_SIM_REF_STATE:		/* inferred */
		return cards_title(ctx, 403, "Account blocked");
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return cards_bad(ctx, "Payload too large");
	default:			/* media, body: inferred */
		return cards_bad(ctx, "Invalid request body");
	}
}

static const struct ml_sim_fam_spec cards_spec = { ML_FAM_CARDS,
	cards_refuse };

/* The user's key in the store ("uid:..." / "dev:..."), or an answer. */
static int
cards_user(struct ml_sim_ctx *ctx, json_object *body, char *key, size_t cap)
{
	const char *uid = ml_sim_fam_str(body, "uid");
	const char *dev = ml_sim_fam_str(body, "unique_id");
	json_object *u = NULL;
	int rc;

	if (uid == NULL && dev == NULL)
		return cards_bad(ctx, "Required field missing. Please include "
		    "either 'uid' or 'unique_id'");
	if (uid == NULL) {
		snprintf(key, cap, "dev:%s", dev);
		return ML_OK;
	}
	rc = ml_sim_state_export(ctx->sim->state, (size_t)ctx->ws_idx,
	    "customer_id", uid, NULL, &u);
	json_object_put(u);
	if (rc == ML_ENOTFOUND)
		return cards_bad(ctx, "User not found for this uid/ unique_id");
	if (rc)
		return rc;
	snprintf(key, cap, "uid:%s", uid);
	return ML_OK;
}

static json_object *
cards_one(struct ml_sim_ctx *ctx, const char *user, long i)
{
	char id[ML_SIM_HEXID_LEN + 64], hex[ML_SIM_HEXID_LEN + 1];
	char cid[ML_SIM_HEXID_LEN + 1], name[32];
	int64_t now = (int64_t)time(NULL);
	json_object *c, *meta, *widget, *box, *tpl, *act, *ctl;

	ml_sim_fam_hexid_of(user, 7000 + i, hex);
	ml_sim_fam_hexid_of(ctx->ws->id, 7100 + i, cid);
	snprintf(id, sizeof(id), "%s_F_T_CA_AB_0_P_0_L_0_%s", hex,
	    cards_platforms[i]);
	snprintf(name, sizeof(name), "cards_campaign_%ld", i + 1);
	meta = ml_sim_fam_strs("cid", cid, "moe_card_id", id,
	    "moe_campaign_name", name, "moe_delivery_type", "One Time",
	    "moe_campaign_id", name, NULL);
	widget = ml_sim_fam_put(ml_sim_fam_strs("type", "text", "content",
	    "Simulated card", NULL), "id", json_object_new_int(1));
	box = ml_sim_fam_strs("type", "basic", NULL);
	box = ml_sim_fam_put(box, "id", json_object_new_int(1));
	box = ml_sim_fam_put(box, "style", ml_sim_fam_strs("bgColor",
	    "#FFFFFF", NULL));
	box = ml_sim_fam_put(box, "widgets", ml_sim_fam_list1(widget));
	box = ml_sim_fam_put(box, "actions", json_object_new_array());
	tpl = ml_sim_fam_put(ml_sim_fam_strs("type", "basic", NULL),
	    "containers", ml_sim_fam_list1(box));
	act = ml_sim_fam_put(json_object_new_object(), "is_clicked",
	    json_object_new_boolean(0));
	act = ml_sim_fam_put(act, "first_seen", json_object_new_int64(0));
	act = ml_sim_fam_put(act, "first_delivered",
	    json_object_new_int64(now));
	act = ml_sim_fam_put(act, "show_count", json_object_new_object());
	ctl = json_object_new_object();
	if (ctl != NULL && (json_object_object_add(ctl, "max_times_to_show",
	    NULL) || json_object_object_add(ctl, "expire_at", NULL) ||
	    json_object_object_add(ctl, "expire_after_delivered", NULL))) {
		json_object_put(ctl);
		ctl = NULL;
	}
	ctl = ml_sim_fam_put(ctl, "is_pin", json_object_new_boolean(0));
	c = ml_sim_fam_strs("id", id, "platform", cards_platforms[i],
	    "category", cards_categories[i], NULL);
	c = ml_sim_fam_put(c, "created_at", json_object_new_int64(now));
	c = ml_sim_fam_put(c, "updated_at", json_object_new_int64(now));
	c = ml_sim_fam_put(c, "meta_data", meta);
	c = ml_sim_fam_put(c, "template_data", tpl);
	c = ml_sim_fam_put(c, "user_activity", act);
	return ml_sim_fam_put(c, "display_controls", ctl);
}

/* The user's record {"cards":[...],"deleted":[ids]}, seeded on first use. */
static json_object *
cards_record(struct ml_sim_ctx *ctx, json_object *coll, const char *user)
{
	json_object *r = ml_json_get(coll, user, json_type_object), *list;
	long i;

	if (r != NULL)
		return r;
	if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
		return NULL;
	list = json_object_new_array();
	for (i = 0; list != NULL && i < CARDS_SEEDED; i++)
		list = ml_sim_fam_push(list, cards_one(ctx, user, i));
	r = ml_sim_fam_put(json_object_new_object(), "cards", list);
	r = ml_sim_fam_put(r, "deleted", json_object_new_array());
	if (r != NULL && json_object_object_add(coll, user, r)) {
		json_object_put(r);
		r = NULL;
	}
	return r;
}

/* 1 if the string s is in the array arr (any case when nocase). */
static int
cards_in(json_object *arr, const char *s, int nocase)
{
	size_t i, n = arr != NULL ? json_object_array_length(arr) : 0;
	const char *v;

	for (i = 0; i < n; i++) {
		v = json_object_get_string(json_object_array_get_idx(arr, i));
		if (v != NULL && (nocase ? strcasecmp(v, s) : strcmp(v, s)) == 0)
			return 1;
	}
	return 0;
}

struct cards_req {
	char user[ML_SIM_PARAM_MAX + 8];
	json_object *body;
	long page, limit;
};

/* The string array member key, or NULL (absent or not all strings). */
static json_object *
cards_strings(json_object *o, const char *key, int *bad)
{
	json_object *a = NULL;
	size_t i, n;

	*bad = 0;
	if (!json_object_object_get_ex(o, key, &a) || a == NULL)
		return NULL;
	if (!json_object_is_type(a, json_type_array)) {
		*bad = 1;
		return NULL;
	}
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i),
		    json_type_string))
			*bad = 1;
	return a;
}

static int
cards_fetch_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct cards_req *q = arg;
	json_object *r = cards_record(ctx, coll, q->user), *out, *gone, *c;
	json_object *prev, *plats, *sc, *data;
	const char *cat = ml_sim_fam_str(q->body, "card_category");
	int64_t since = ml_json_int(q->body, "last_updated_time", -1);
	size_t i, n;
	long seen = 0, first = (q->page - 1) * (q->limit > 0 ? q->limit : 0);
	int bad;

	if (r == NULL)
		return ML_ENOMEM;
	prev = cards_strings(q->body, "prev_sync_card_ids", &bad);
	plats = cards_strings(q->body, "platforms", &bad);
	out = json_object_new_array();
	gone = json_object_new_array();
	n = json_object_array_length(ml_json_get(r, "cards",
	    json_type_array));
	for (i = 0; out != NULL && i < n; i++) {
		c = json_object_array_get_idx(ml_json_get(r, "cards",
		    json_type_array), i);
		if ((plats != NULL && !cards_in(plats, ml_json_str(c,
		    "platform"), 1)) || (cat != NULL && strcmp(cat,
		    ml_json_str(c, "category")) != 0))
			continue;
		if (since >= 0 && cards_in(prev, ml_json_str(c, "id"), 0) &&
		    ml_json_int(c, "updated_at", 0) <= since)
			continue;
		if (seen++ < first || (q->limit > 0 &&
		    (long)json_object_array_length(out) >= q->limit))
			continue;
		sc = ml_json_get(ml_json_get(c, "user_activity",
		    json_type_object), "show_count", json_type_object);
		if (sc != NULL && ml_json_add_int(sc, q->user + 4,
		    ml_json_int(sc, q->user + 4, 0) + 1)) {
			json_object_put(out);
			out = NULL;
			break;
		}
		out = ml_sim_fam_push(out, ml_sim_fam_copy(c));
	}
	n = prev != NULL ? json_object_array_length(prev) : 0;
	for (i = 0; gone != NULL && i < n; i++) {
		c = json_object_array_get_idx(prev, i);
		if (cards_in(ml_json_get(r, "deleted", json_type_array),
		    json_object_get_string(c), 0))
			gone = ml_sim_fam_push(gone, json_object_get(c));
	}
	data = ml_sim_fam_put(ml_sim_fam_put(json_object_new_object(),
	    "deleted_card_ids", gone), "cards", out);
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(ml_sim_fam_put(
	    ml_sim_fam_strs("request_id", ctx->request_id, NULL), "status",
	    json_object_new_boolean(1)), "data", data));
}

/* One platform's {"success","failed","invalid"}: its cards removed. */
static json_object *
cards_delete_platform(json_object *r, const char *platform, json_object *cids)
{
	json_object *cards = ml_json_get(r, "cards", json_type_array);
	json_object *deleted = ml_json_get(r, "deleted", json_type_array);
	json_object *ok = json_object_new_array(), *inv, *c, *res;
	size_t i, j, n = json_object_array_length(cids);
	const char *cid;
	int hit;

	inv = json_object_new_array();
	for (i = 0; ok != NULL && inv != NULL && i < n; i++) {
		cid = json_object_get_string(json_object_array_get_idx(cids,
		    i));
		hit = 0;
		for (j = json_object_array_length(cards); j-- > 0;) {
			c = json_object_array_get_idx(cards, j);
			if (strcasecmp(ml_json_str(c, "platform"), platform) ||
			    strcmp(ml_json_str(ml_json_get(c, "meta_data",
			    json_type_object), "moe_campaign_id"), cid))
				continue;
			if (json_object_array_add(deleted, json_object_get(
			    json_object_object_get(c, "id"))))
				return NULL;
			json_object_array_del_idx(cards, j, 1);
			hit = 1;
		}
		if (hit)
			ok = ml_sim_fam_push(ok, json_object_new_string(cid));
		else
			inv = ml_sim_fam_push(inv, json_object_new_string(cid));
	}
	res = ml_sim_fam_put(json_object_new_object(), "success", ok);
	res = ml_sim_fam_put(res, "failed", json_object_new_array());
	return ml_sim_fam_put(res, "invalid", inv);
}

static int
cards_delete_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct cards_req *q = arg;
	json_object *r = cards_record(ctx, coll, q->user), *data, *plats;
	json_object *cids = json_object_object_get(q->body, "campaign_ids");
	size_t i;
	int bad;

	if (r == NULL)
		return ML_ENOMEM;
	plats = cards_strings(q->body, "platforms", &bad);
	data = json_object_new_object();
	for (i = 0; data != NULL && cards_platforms[i] != NULL; i++)
		if (plats == NULL || cards_in(plats, cards_platforms[i], 1))
			data = ml_sim_fam_put(data, cards_platforms[i],
			    cards_delete_platform(r, cards_platforms[i], cids));
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(ml_sim_fam_put(
	    ml_sim_fam_strs("request_id", ctx->request_id, NULL), "status",
	    json_object_new_boolean(1)), "data", data));
}

/* platforms: strings from the enum (delete: any case). */
static int
cards_check_platforms(struct ml_sim_ctx *ctx, json_object *body, int nocase)
{
	json_object *plats;
	size_t i, n;
	const char *p;
	int bad;

	plats = cards_strings(body, "platforms", &bad);
	n = plats != NULL ? json_object_array_length(plats) : 0;
	for (i = 0; !bad && i < n; i++) {
		p = json_object_get_string(json_object_array_get_idx(plats,
		    i));
		bad = nocase ? !ml_sim_fam_in_nocase(p, cards_platforms) :
		    !(strcmp(p, "ANDROID") == 0 || strcmp(p, "IOS") == 0 ||
		    strcmp(p, "WEB") == 0);
	}
	return bad ? cards_bad(ctx, "Invalid platforms") : ML_OK; /* inferred */
}

/* What fetch (query page, limit) and delete (campaign_ids) check first. */
static int
cards_precheck(struct ml_sim_ctx *ctx, struct cards_req *q, int del)
{
	json_object *cids;
	int bad;

	if (del) {
		cids = cards_strings(q->body, "campaign_ids", &bad);
		if (cids == NULL || bad || json_object_array_length(cids) == 0)
			return cards_bad(ctx, "Invalid or missing "
			    "'campaign_ids' field");
		return ML_OK;
	}
	if (ml_sim_fam_query_long(ctx, "page", 1, &q->page) ||
	    ml_sim_fam_query_long(ctx, "limit", 0, &q->limit) || q->page < 1 ||
	    (ml_sim_query(ctx, "limit") != NULL && q->limit < 1))
		return cards_bad(ctx, "page and limit must be numbers greater "
		    "than zero");	/* inferred */
	return ML_OK;
}

static int
cards_handle(struct ml_sim_ctx *ctx)
{
	int del = ml_sim_fam_route(ctx)->extra != NULL;
	struct cards_req q;
	int rc;

	memset(&q, 0, sizeof(q));
	rc = ml_sim_fam_begin(ctx, &q.body);
	if (rc == ML_OK)
		rc = cards_precheck(ctx, &q, del);
	if (rc == ML_OK)
		rc = cards_user(ctx, q.body, q.user, sizeof(q.user));
	if (rc == ML_OK)
		rc = cards_check_platforms(ctx, q.body, del);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &cards_coll, del ? cards_delete_fn :
		    cards_fetch_fn, &q);
	json_object_put(q.body);
	return ml_sim_fam_end(ctx, rc);
}

static int
cards_other(struct ml_sim_ctx *ctx, int status)
{
	if (status == 400)
		return cards_bad(ctx, "Invalid request body");
	if (status >= 500)
		return ml_sim_fam_send_internal(ctx, status);
	return cards_title(ctx, status,
	    MHD_get_reason_phrase_for((unsigned)status));
}

static int
cards_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, cards_other);
}

#define CARDS_FLAGS (ML_SIM_F_APPKEY | ML_SIM_F_MEDIA | ML_SIM_F_BODY)

/* extra: non-NULL on the delete route. */
static const struct ml_sim_fam_route r_fetch = {
	&cards_spec, CARDS_FLAGS, { &cards_limits[0], NULL }, NULL
};
static const struct ml_sim_fam_route r_delete = {
	&cards_spec, CARDS_FLAGS, { &cards_limits[1], NULL }, &cards_coll
};

static const struct ml_sim_route cards_routes[] = {
	{ "POST", "/v1/cards/fetch", "fetch_cards", cards_handle, &r_fetch },
	{ "DELETE", "/v1/cards/delete", "delete_cards", cards_handle,
	    &r_delete },
};

const struct ml_sim_family ml_sim_family_cards = {
	"cards", ML_HOST_API, cards_routes,
	sizeof(cards_routes) / sizeof(cards_routes[0]),
	cards_limits, sizeof(cards_limits) / sizeof(cards_limits[0]),
	cards_fault,
};
