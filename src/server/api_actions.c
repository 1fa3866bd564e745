/* SPDX-License-Identifier: MIT */
/*
 * api_actions.c: GET /actions and POST /actions/rpc (api_actions.h), and
 * the call machinery the proxy and MCP share: load the account named by
 * x-account-id, open its sealed keys, send the call (or, with paginate,
 * every page through the paging iterator) while the connection is
 * suspended, and answer with MoEngage's body or one error shape.
 *
 * An Inform 409 duplicate is a success the library reports as such
 * (envelope.c); the answer then carries "already_sent": true.
 * The keys live in r->state only while the request does and are wiped with
 * it (ml_link_creds_cleanup).
 */
#include "server/api_actions.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <moelink/envelope.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/log.h"
#include "server/acache.h"
#include "server/account_status.h"
#include "server/api_ratelimit.h"
#include "server/server.h"

struct ml_api_call *
ml_api_call_new(struct ml_http_req *r)
{
	struct ml_api_call *c = ml_calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	ml_store_account_init(&c->sa);
	ml_link_creds_init(&c->creds);
	ml_http_call_init(&c->call);
	r->state = c;
	r->state_free = ml_api_call_free;
	return c;
}

void
ml_api_call_free(void *state)
{
	struct ml_api_call *c = state;

	if (c == NULL)
		return;
	ml_store_account_cleanup(&c->sa);
	ml_link_creds_cleanup(&c->creds);
	ml_http_call_cleanup(&c->call);
	ml_paging_free(c->pager);
	json_object_put(c->input);
	json_object_put(c->path_params);
	json_object_put(c->mcp_id);
	ml_free(c);
}

int
ml_api_call_input(struct ml_http_req *r, struct ml_api_call *c,
    const char *const *members)
{
	char list[160];
	size_t i, used = 0;
	int rc, known;

	rc = ml_http_body_json(r, &c->input);
	if (rc)
		return rc;
	json_object_object_foreach(c->input, k, val) {
		(void)val;
		known = 0;
		for (i = 0; members[i] != NULL; i++)
			known |= strcmp(k, members[i]) == 0;
		if (known)
			continue;
		list[0] = '\0';
		for (i = 0; members[i] != NULL && used < sizeof(list); i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used,
			    "%s%s", i > 0 ? ", " : "", members[i]);
		ml_err_field(&r->err, k);
		return ml_err_set(&r->err, ML_EINVAL, "invalid_field",
		    "unknown member '%.40s'; this call takes %s", k, list);
	}
	json_object_object_get_ex(c->input, "body", &c->in.body);
	if (c->in.body != NULL && json_object_is_type(c->in.body,
	    json_type_null))
		c->in.body = NULL;
	return ML_OK;
}

int
ml_api_call_account(struct ml_http_req *r, struct ml_api_call *c)
{
	const char *id = ml_http_header(r, "x-account-id");
	int rc;

	if (id == NULL || id[0] == '\0')
		return ml_err_set(&r->err, ML_EINVAL, "missing_account",
		    "name the linked account in the x-account-id header");
	if (strlen(id) >= ML_STORE_ID_MAX)
		return ml_err_set(&r->err, ML_ENOTFOUND, "account_not_found",
		    "no such account in this project");
	/* Row and opened keys, from the account cache when it can. */
	rc = ml_acache_account(r, id, &c->sa, &c->creds);
	if (rc == ML_OK)
		rc = ml_account_status_check(&c->sa, &r->err);
	return rc;
}

unsigned
ml_api_call_status(const struct ml_http_call *call)
{
	int s = call->err.http_status;

	if (call->rc == ML_EINVAL || call->rc == ML_ENOKEY ||
	    call->rc == ML_EDC)
		return 400;
	if (s == 429 || call->rc == ML_ERATELIMIT)
		return 429;
	if (s >= 400 && s <= 499 && s != 401 && s != 403 && s != 407)
		return (unsigned)s;
	if (call->rc == ML_ETOOBIG && s == 0)
		return 413;
	if (call->rc == ML_ETIMEOUT)
		return 504;
	if (call->rc == ML_ECANCELED)
		return 503;
	return 502;
}

/* Parse the answer of a page; MoEngage's pages are JSON objects. */
static int
actions_page(struct ml_http_req *r, struct ml_api_call *c, json_object **page)
{
	struct ml_err perr;

	*page = NULL;
	if (c->call.resp.body == NULL || c->call.resp.body_len == 0)
		return ml_err_set(&r->err, ML_EJSON, "malformed_json",
		    "MoEngage answered a page of %s with an empty body",
		    c->a->name);
	if (ml_json_parse(c->call.resp.body, c->call.resp.body_len, 0, 0, page,
	    &perr) != ML_OK)
		return ml_err_set(&r->err, ML_EJSON, "malformed_json",
		    "a page of %s is not JSON: %s", c->a->name, perr.msg);
	return ML_OK;
}

int
ml_api_call_step(struct ml_http_req *r, struct ml_api_call *c, int paginate,
    json_object **paged)
{
	const struct ml_call_input *page_in;
	struct ml_paging_opts po;
	json_object *page;
	int rc;

	*paged = NULL;
	paginate = paginate && c->a->paging != ML_PAGE_NONE;
	if (c->started && !c->call.done)
		return 1;
	if (!c->started) {
		c->started = 1;
		if (!paginate) {
			rc = ml_http_call_start(r, &c->call, c->a,
			    &c->creds.acct, &c->in, 0, &r->err);
			return rc ? rc : 1;
		}
		memset(&po, 0, sizeof(po));
		rc = ml_paging_new(c->a, &c->in, &po, &c->pager, &r->err);
		if (rc)
			return rc;
	} else if (!paginate || c->call.rc != ML_OK) {
		return 0;
	} else {
		rc = actions_page(r, c, &page);
		if (rc == ML_OK)
			rc = ml_paging_feed(c->pager, page, NULL, NULL, &r->err);
		if (rc)
			return rc;
	}
	rc = ml_paging_next(c->pager, &page_in);
	if (rc < 0)
		return ml_err_set(&r->err, rc, NULL, "out of memory");
	if (rc == 0) {
		rc = ml_paging_result(c->pager, paged, &r->err);
		return rc ? rc : 0;
	}
	rc = ml_http_call_start(r, &c->call, c->a, &c->creds.acct, page_in, 0,
	    &r->err);
	return rc ? rc : 1;
}

int
ml_api_action_json(const struct ml_action *a, int with_schema,
    json_object **out)
{
	json_object *o, *schema = NULL;
	int rc;

	*out = NULL;
	o = json_object_new_object();
	if (o == NULL)
		return ML_ENOMEM;
	rc = ml_json_add_str(o, "name", a->name);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "family", ml_family_name(a->family));
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "family_label",
		    ml_family_label(a->family));
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "description", a->summary);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "method", a->method);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "host_kind", ml_host_kind_name(a->host));
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "path", a->path);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "key", ml_key_slot_name(
		    ml_family_key_slot(a->family)));
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "auth", ml_auth_name(a->auth));
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "error_envelope",
		    ml_envelope_name(a->envelope));
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "paging", ml_paging_name(a->paging));
	if (rc == ML_OK)
		rc = ml_json_add_int(o, "rate_per_min", a->rate_per_min);
	if (rc == ML_OK && with_schema) {
		rc = ml_json_parse(a->input_schema, strlen(a->input_schema), 0,
		    0, &schema, NULL);
		if (rc == ML_OK && json_object_object_add(o, "input_schema",
		    schema) != 0) {
			json_object_put(schema);
			rc = ML_ENOMEM;
		}
	}
	if (rc) {
		json_object_put(o);
		return rc == ML_EJSON ? ML_EINTERNAL : rc;
	}
	*out = o;
	return ML_OK;
}

int
ml_api_actions_list(struct ml_http_req *r)
{
	const struct ml_action *const *rows;
	const char *fam_name = ml_http_query(r, "family");
	enum ml_family fam = ML_FAM_DATA;
	json_object *root, *data, *o;
	size_t i, n;
	int rc = ML_OK;

	if (fam_name != NULL && fam_name[0] != '\0' &&
	    ml_family_parse(fam_name, &fam) != ML_OK)
		return ml_http_reply_error(r, 400, "invalid_family",
		    "unknown family '%.40s'", fam_name);
	root = json_object_new_object();
	data = json_object_new_array();
	if (root == NULL || data == NULL ||
	    json_object_object_add(root, "data", data) != 0) {
		json_object_put(root);
		json_object_put(data);
		return ML_ENOMEM;
	}
	rows = ml_catalog_all(&n);
	for (i = 0; i < n && rc == ML_OK; i++) {
		if (fam_name != NULL && fam_name[0] != '\0' &&
		    rows[i]->family != fam)
			continue;
		rc = ml_api_action_json(rows[i], 1, &o);
		if (rc == ML_OK && json_object_array_add(data, o) != 0) {
			json_object_put(o);
			rc = ML_ENOMEM;
		}
	}
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, root);
	json_object_put(root);
	return rc;
}

/* Take {action, body, query, path, headers, paginate} into c. */
static int
actions_rpc_parse(struct ml_http_req *r, struct ml_api_call *c,
    int *paginate)
{
	static const char *const members[] = { "action", "body", "query",
	    "path", "headers", "paginate", NULL };
	const char *name;
	json_object *v;
	size_t i;
	int rc;

	rc = ml_api_call_input(r, c, members);
	if (rc)
		return rc;
	name = ml_json_str(c->input, "action");
	if (name == NULL || name[0] == '\0') {
		ml_err_field(&r->err, "action");
		return ml_err_set(&r->err, ML_EINVAL, "missing_field",
		    "name the action to call (GET /actions lists them)");
	}
	c->a = ml_catalog_find(name);
	if (c->a == NULL) {
		ml_err_field(&r->err, "action");
		return ml_err_set(&r->err, ML_ENOTFOUND, "unknown_action",
		    "no action '%.64s' (GET /actions lists them)", name);
	}
	c->in.query = ml_json_get(c->input, "query", json_type_object);
	c->in.path = ml_json_get(c->input, "path", json_type_object);
	c->in.headers = ml_json_get(c->input, "headers", json_type_object);
	for (i = 2; i <= 4; i++) {
		if (json_object_object_get_ex(c->input, members[i], &v) &&
		    v != NULL && !json_object_is_type(v, json_type_object)) {
			ml_err_field(&r->err, members[i]);
			return ml_err_set(&r->err, ML_EINVAL, "invalid_field",
			    "%s must be a JSON object", members[i]);
		}
	}
	*paginate = ml_json_bool(c->input, "paginate", 0);
	return ML_OK;
}

/* MoEngage's answer: parsed JSON, else a string; already_sent marked. */
static int
actions_reply_body(struct ml_http_req *r, const struct ml_api_call *c)
{
	const struct ml_response *resp = &c->call.resp;
	json_object *o = NULL, *flag;
	int rc;

	if (resp->body == NULL || resp->body_len == 0)
		return ml_http_reply(r, 200, "application/json", "{}", 2);
	/*
	 * JSON MoEngage labels as such, with nothing to add: relayed as sent.
	 * (Parsed and written again it would say the same; and JSON that
	 * does not parse is relayed as sent below anyway.)
	 */
	if (strncasecmp(resp->content_type, "application/json", 16) == 0 &&
	    !ml_envelope_already_sent(c->a->envelope, resp->status, resp->body,
	    resp->body_len))
		return ml_http_reply(r, 200, "application/json", resp->body,
		    resp->body_len);
	if (ml_json_parse(resp->body, resp->body_len, 0, 0, &o, NULL) !=
	    ML_OK)
		/* A report file: relay it as MoEngage sent it. */
		return ml_http_reply(r, 200, resp->content_type[0] != '\0' ?
		    resp->content_type : "application/octet-stream", resp->body,
		    resp->body_len);
	if (ml_envelope_already_sent(c->a->envelope, resp->status, resp->body,
	    resp->body_len) && json_object_is_type(o, json_type_object)) {
		flag = json_object_new_boolean(1);
		if (flag == NULL || json_object_object_add(o, "already_sent",
		    flag) != 0) {
			json_object_put(flag);
			json_object_put(o);
			return ML_ENOMEM;
		}
	}
	rc = ml_http_reply_json(r, 200, o);
	json_object_put(o);
	return rc;
}

int
ml_api_actions_rpc(struct ml_http_req *r)
{
	struct ml_api_call *c = r->state;
	json_object *paged = NULL;
	int rc;

	if (c == NULL) {
		c = ml_api_call_new(r);
		if (c == NULL)
			return ML_ENOMEM;
		rc = actions_rpc_parse(r, c, &c->paginate);
		if (rc == ML_OK)
			rc = ml_api_call_account(r, c);
		if (rc)
			return rc;
	}
	rc = ml_api_call_step(r, c, c->paginate, &paged);
	if (rc == 1)
		return ML_OK;
	if (rc)
		return rc;
	if (c->call.rc != ML_OK) {
		json_object_put(paged);
		ml_http_log(r, ML_LOG_INFO, "msg=\"action failed\" action=%s "
		    "account=%s code=%s moengage_status=%d", c->a->name,
		    c->sa.id, c->call.err.kind, c->call.err.http_status);
		if (ml_api_call_status(&c->call) == 429)
			return ml_api_ratelimit_reply(r, &c->call);
		return ml_http_reply_err(r, ml_api_call_status(&c->call),
		    &c->call.err);
	}
	if (paged != NULL) {
		rc = ml_http_reply_json(r, 200, paged);
		json_object_put(paged);
		return rc;
	}
	return actions_reply_body(r, c);
}
