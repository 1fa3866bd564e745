/* SPDX-License-Identifier: MIT */
/*
 * sim_admin.c: the test-only admin API under /_sim/, served on any Host
 * (docs/sim.md). It never touches credentials beyond what the journal
 * already redacted, and answers plain JSON with {"error","message"} on
 * failure.
 *
 *   GET    /_sim/requests?limit=N     recent requests, oldest first
 *   GET    /_sim/stats                counters per workspace and totals
 *   GET    /_sim/faults               live faults
 *   POST   /_sim/faults               add a fault
 *   DELETE /_sim/faults               remove every fault
 *   POST   /_sim/reset                clear state, journal, faults, windows
 *   GET    /_sim/workspaces           ids, data centers, names (no keys)
 *   GET    /_sim/users/{ws}/{customer_id}
 *   GET    /_sim/events/{ws}?limit=N
 */
#include "sim/sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/json.h>

#include "core/log.h"

static int
admin_error(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg)
{
	json_object *o = json_object_new_object();
	int rc;

	if (o == NULL)
		return ML_ENOMEM;
	rc = ml_json_add_str(o, "error", code);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "message", msg);
	if (rc == ML_OK)
		rc = ml_sim_reply_json(ctx, status, o);
	json_object_put(o);
	return rc;
}

/* Reply with obj (consumed). */
static int
admin_reply(struct ml_sim_ctx *ctx, int status, json_object *obj)
{
	int rc;

	if (obj == NULL)
		return ML_ENOMEM;
	rc = ml_sim_reply_json(ctx, status, obj);
	json_object_put(obj);
	return rc;
}

/* ?limit=N (1..100000); 0 when absent. -1 when malformed. */
static long
admin_limit(struct ml_sim_ctx *ctx)
{
	const char *s = ml_sim_query(ctx, "limit");
	char *end;
	long v;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > 100000)
		return -1;
	return v;
}

static json_object *
admin_counts(const struct ml_sim_counts *c, long users, long events,
    long devices)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	if (ml_json_add_int(o, "requests", c->requests) ||
	    ml_json_add_int(o, "users", users) ||
	    ml_json_add_int(o, "events", events) ||
	    ml_json_add_int(o, "devices", devices) ||
	    ml_json_add_int(o, "2xx", c->s2xx) ||
	    ml_json_add_int(o, "4xx", c->s4xx) ||
	    ml_json_add_int(o, "429", c->s429) ||
	    ml_json_add_int(o, "5xx", c->s5xx)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int
admin_stats(struct ml_sim_ctx *ctx)
{
	struct ml_sim *sim = ctx->sim;
	struct ml_sim_counts c;
	json_object *res, *wss;
	long u, e, d, tu = 0, te = 0, td = 0;
	size_t i;

	res = json_object_new_object();
	wss = json_object_new_object();
	if (res == NULL || wss == NULL || ml_sim_json_add(res, "workspaces",
	    wss)) {
		json_object_put(res);
		return ML_ENOMEM;
	}
	for (i = 0; i < sim->ws.n; i++) {
		ml_sim_reqlog_counts(sim->reqlog, (long)i, &c);
		ml_sim_state_counts(sim->state, i, &u, &e, &d);
		tu += u;
		te += e;
		td += d;
		if (ml_sim_json_add(wss, sim->ws.ws[i].id,
		    admin_counts(&c, u, e, d))) {
			json_object_put(res);
			return ML_ENOMEM;
		}
	}
	ml_sim_reqlog_counts(sim->reqlog, -1, &c);
	if (ml_sim_json_add(res, "totals", admin_counts(&c, tu, te, td))) {
		json_object_put(res);
		return ML_ENOMEM;
	}
	return admin_reply(ctx, 200, res);
}

static int
admin_workspaces(struct ml_sim_ctx *ctx)
{
	const struct ml_sim_wsset *set = &ctx->sim->ws;
	json_object *arr, *o, *res;
	size_t i;

	arr = json_object_new_array();
	if (arr == NULL)
		return ML_ENOMEM;
	for (i = 0; i < set->n; i++) {
		o = json_object_new_object();
		if (o == NULL || ml_json_add_str(o, "workspace_id",
		    set->ws[i].id) || ml_json_add_str(o, "data_center",
		    set->ws[i].dc) || ml_json_add_str(o, "name",
		    set->ws[i].name) || ml_json_add_str(o, "state",
		    ml_sim_ws_state_name(set->ws[i].state)) ||
		    ml_sim_json_push(arr, o)) {
			json_object_put(o);
			json_object_put(arr);
			return ML_ENOMEM;
		}
	}
	res = json_object_new_object();
	if (res == NULL || ml_sim_json_add(res, "workspaces", arr)) {
		json_object_put(res);
		return ML_ENOMEM;
	}
	return admin_reply(ctx, 200, res);
}

static int
admin_faults_post(struct ml_sim_ctx *ctx)
{
	struct ml_err err;
	json_object *spec = NULL, *added = NULL;
	int rc;

	ml_err_clear(&err);
	if (ctx->body_too_big)
		return admin_error(ctx, 413, "payload_too_large",
		    "the fault is larger than 128 KB");
	rc = ml_json_parse(ctx->body, ctx->body_len, ML_SIM_BODY_MAX, 0, &spec,
	    &err);
	if (rc == ML_OK)
		rc = ml_sim_faults_add(ctx->sim->faults, spec, &added, &err);
	json_object_put(spec);
	if (rc == ML_ENOMEM)
		return rc;
	if (rc)
		return admin_error(ctx, 400, err.kind, err.msg);
	log_info("msg=\"fault added\" fault=%s", ml_json_text(added));
	return admin_reply(ctx, 201, added);
}

static int
admin_faults(struct ml_sim_ctx *ctx)
{
	json_object *res = NULL;
	int rc;

	if (strcmp(ctx->method, "POST") == 0)
		return admin_faults_post(ctx);
	if (strcmp(ctx->method, "DELETE") == 0)
		ml_sim_faults_reset(ctx->sim->faults);
	else if (strcmp(ctx->method, "GET") != 0)
		return admin_error(ctx, 405, "method_not_allowed",
		    "use GET, POST or DELETE");
	rc = ml_sim_faults_list(ctx->sim->faults, &res);
	if (rc)
		return rc;
	return admin_reply(ctx, 200, res);
}

static int
admin_reset(struct ml_sim_ctx *ctx)
{
	struct ml_sim *sim = ctx->sim;
	json_object *res;

	ml_sim_state_reset(sim->state);
	ml_sim_reqlog_reset(sim->reqlog);
	ml_sim_faults_reset(sim->faults);
	ml_sim_rate_reset(sim->rate);
	ml_sim_store_reset(sim->store);
	log_info("msg=\"reset\"");
	res = json_object_new_object();
	if (res == NULL || ml_json_add_str(res, "status", "reset")) {
		json_object_put(res);
		return ML_ENOMEM;
	}
	return admin_reply(ctx, 200, res);
}

/*
 * Split "/_sim/<what>/<ws>[/<rest>]": returns the workspace index and points
 * *rest past "<ws>/" (or at "" if none); -1 if the workspace is unknown.
 */
static long
admin_ws_path(struct ml_sim_ctx *ctx, const char *after, const char **rest)
{
	char id[sizeof(ctx->sim->ws.ws[0].id)];
	const char *slash = strchr(after, '/');
	size_t len = slash != NULL ? (size_t)(slash - after) : strlen(after);

	*rest = slash != NULL ? slash + 1 : "";
	if (len == 0 || len >= sizeof(id))
		return -1;
	memcpy(id, after, len);
	id[len] = '\0';
	return ml_sim_wsset_find(&ctx->sim->ws, id);
}

static int
admin_user(struct ml_sim_ctx *ctx, const char *after)
{
	json_object *u = NULL;
	const char *cid;
	long ws;
	int rc;

	ws = admin_ws_path(ctx, after, &cid);
	if (ws < 0)
		return admin_error(ctx, 404, "unknown_workspace",
		    "no such workspace");
	if (cid[0] == '\0')
		return admin_error(ctx, 400, "missing_customer_id",
		    "use /_sim/users/{workspace_id}/{customer_id}");
	rc = ml_sim_state_user(ctx->sim->state, (size_t)ws, cid, &u);
	if (rc == ML_ENOTFOUND)
		return admin_error(ctx, 404, "unknown_user",
		    "the simulator holds no such user");
	if (rc)
		return rc;
	return admin_reply(ctx, 200, u);
}

static int
admin_events(struct ml_sim_ctx *ctx, const char *after)
{
	json_object *evs = NULL, *res;
	const char *rest;
	long ws, limit = admin_limit(ctx);
	int rc;

	ws = admin_ws_path(ctx, after, &rest);
	if (ws < 0)
		return admin_error(ctx, 404, "unknown_workspace",
		    "no such workspace");
	if (limit < 0)
		return admin_error(ctx, 400, "invalid_limit",
		    "limit must be a whole number from 1 to 100000");
	rc = ml_sim_state_events(ctx->sim->state, (size_t)ws, limit, &evs);
	if (rc)
		return rc;
	res = json_object_new_object();
	if (res == NULL || ml_sim_json_add(res, "events", evs)) {
		json_object_put(res);
		return ML_ENOMEM;
	}
	return admin_reply(ctx, 200, res);
}

int
ml_sim_admin_handle(struct ml_sim_ctx *ctx)
{
	const char *what = ctx->path + strlen("/_sim/");
	int get = strcmp(ctx->method, "GET") == 0;
	json_object *res = NULL;
	long limit;
	int rc;

	if (strcmp(ctx->path, "/_sim") == 0)
		what = "";
	if (strcmp(what, "requests") == 0 && get) {
		limit = admin_limit(ctx);
		if (limit < 0)
			return admin_error(ctx, 400, "invalid_limit",
			    "limit must be a whole number from 1 to 100000");
		rc = ml_sim_reqlog_list(ctx->sim->reqlog, limit, &res);
		if (rc)
			return rc;
		return admin_reply(ctx, 200, res);
	}
	if (strcmp(what, "stats") == 0 && get)
		return admin_stats(ctx);
	if (strcmp(what, "workspaces") == 0 && get)
		return admin_workspaces(ctx);
	if (strcmp(what, "faults") == 0)
		return admin_faults(ctx);
	if (strcmp(what, "reset") == 0 && strcmp(ctx->method, "POST") == 0)
		return admin_reset(ctx);
	if (strncmp(what, "users/", 6) == 0 && get)
		return admin_user(ctx, what + 6);
	if (strncmp(what, "events/", 7) == 0 && get)
		return admin_events(ctx, what + 7);
	return admin_error(ctx, 404, "not_found",
	    "unknown admin endpoint (see docs/sim.md)");
}
