/* SPDX-License-Identifier: MIT */
/*
 * mcp.c: POST /mcp, the Model Context Protocol over HTTP (JSON-RPC 2.0,
 * one request per POST, the JSON answer in the body). The tools are the
 * action catalog: tools/list gives every action with its input schema
 * ({body, query, path, headers}, plus paginate for paged actions) and
 * tools/call runs the action for the account in x-account-id exactly as
 * POST /actions/rpc does, answering MoEngage's body as text content, or an
 * error result (isError) with moelink's error JSON.
 *
 * Methods: initialize, notifications (202, no body), ping, tools/list,
 * tools/call. Others: JSON-RPC error -32601.
 */
#include "server/api_actions.h"

#include <string.h>

#include <moelink/json.h>

#include "ml_version.h"
#include "server/api_ratelimit.h"
#include "server/server.h"

#define MCP_PROTOCOL "2025-03-26"

/* {"jsonrpc":"2.0","id":id,<member>:value}; value is consumed. */
static int
mcp_reply(struct ml_http_req *r, json_object *id, const char *member,
    json_object *value)
{
	json_object *o;
	int rc;

	o = json_object_new_object();
	if (o == NULL) {
		json_object_put(value);
		return ML_ENOMEM;
	}
	rc = ml_json_add_str(o, "jsonrpc", "2.0");
	if (rc == ML_OK && json_object_object_add(o, "id", id != NULL ?
	    json_object_get(id) : NULL) != 0)
		rc = ML_ENOMEM;
	if (rc == ML_OK && json_object_object_add(o, member, value) != 0) {
		value = NULL;
		rc = ML_ENOMEM;
	}
	value = NULL;
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, o);
	json_object_put(o);
	json_object_put(value);
	return rc;
}

static int
mcp_error(struct ml_http_req *r, json_object *id, int code, const char *msg)
{
	json_object *e = json_object_new_object();

	if (e == NULL || ml_json_add_int(e, "code", code) ||
	    ml_json_add_str(e, "message", msg)) {
		json_object_put(e);
		return ML_ENOMEM;
	}
	return mcp_reply(r, id, "error", e);
}

static int
mcp_initialize(struct ml_http_req *r, json_object *id, json_object *params)
{
	const char *want = ml_json_str(params, "protocolVersion");
	json_object *res, *caps, *tools, *info;

	res = json_object_new_object();
	caps = json_object_new_object();
	tools = json_object_new_object();
	info = json_object_new_object();
	if (res == NULL || caps == NULL || tools == NULL || info == NULL)
		goto nomem;
	if (json_object_object_add(caps, "tools", tools) != 0)
		goto nomem;
	tools = NULL;
	if (json_object_object_add(res, "capabilities", caps) != 0)
		goto nomem;
	caps = NULL;
	if (ml_json_add_str(info, "name", "moelink") ||
	    ml_json_add_str(info, "version", MOELINK_VERSION) ||
	    json_object_object_add(res, "serverInfo", info) != 0)
		goto nomem;
	info = NULL;
	if (ml_json_add_str(res, "protocolVersion", want != NULL ? want :
	    MCP_PROTOCOL) || ml_json_add_str(res, "instructions", "Each tool "
	    "is one MoEngage API call for the linked account named in the "
	    "x-account-id header. Arguments: body, query, path, headers as "
	    "the tool's schema says; paginate: true gathers every page."))
		goto nomem;
	return mcp_reply(r, id, "result", res);
nomem:
	json_object_put(res);
	json_object_put(caps);
	json_object_put(tools);
	json_object_put(info);
	return ML_ENOMEM;
}

/* One tool: name, description, inputSchema (+ paginate if paged). */
static int
mcp_tool(const struct ml_action *a, json_object **out)
{
	json_object *t, *schema = NULL, *props, *pg = NULL;

	*out = NULL;
	t = json_object_new_object();
	if (t == NULL)
		return ML_ENOMEM;
	if (ml_json_parse(a->input_schema, strlen(a->input_schema), 0, 0,
	    &schema, NULL) != ML_OK)
		goto fail;
	props = ml_json_get(schema, "properties", json_type_object);
	if (a->paging != ML_PAGE_NONE && props != NULL) {
		pg = json_object_new_object();
		if (pg == NULL || ml_json_add_str(pg, "type", "boolean") ||
		    ml_json_add_str(pg, "description", "gather every page") ||
		    json_object_object_add(props, "paginate", pg) != 0)
			goto fail;
		pg = NULL;
	}
	if (ml_json_add_str(t, "name", a->name) ||
	    ml_json_add_str(t, "description", a->summary) ||
	    json_object_object_add(t, "inputSchema", schema) != 0)
		goto fail;
	*out = t;
	return ML_OK;
fail:
	json_object_put(pg);
	json_object_put(schema);
	json_object_put(t);
	return ML_ENOMEM;
}

static int
mcp_tools_list(struct ml_http_req *r, json_object *id)
{
	const struct ml_action *const *rows;
	json_object *res, *arr, *t;
	size_t i, n;

	res = json_object_new_object();
	arr = json_object_new_array();
	if (res == NULL || arr == NULL || json_object_object_add(res, "tools",
	    arr) != 0) {
		json_object_put(res);
		json_object_put(arr);
		return ML_ENOMEM;
	}
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++) {
		if (mcp_tool(rows[i], &t) != ML_OK ||
		    json_object_array_add(arr, t) != 0) {
			json_object_put(res);
			return ML_ENOMEM;
		}
	}
	return mcp_reply(r, id, "result", res);
}

/* {"content":[{"type":"text","text":text}],"isError":is_error} */
static int
mcp_result_text(struct ml_http_req *r, json_object *id, const char *text,
    size_t len, int is_error)
{
	json_object *res, *content, *item;

	res = json_object_new_object();
	content = json_object_new_array();
	item = json_object_new_object();
	if (res == NULL || content == NULL || item == NULL ||
	    ml_json_add_str(item, "type", "text") ||
	    json_object_object_add(item, "text",
	    json_object_new_string_len(text, (int)len)) != 0 ||
	    json_object_array_add(content, item) != 0) {
		json_object_put(item);
		json_object_put(content);
		json_object_put(res);
		return ML_ENOMEM;
	}
	if (json_object_object_add(res, "content", content) != 0 ||
	    json_object_object_add(res, "isError",
	    json_object_new_boolean(is_error)) != 0) {
		json_object_put(res);
		return ML_ENOMEM;
	}
	return mcp_reply(r, id, "result", res);
}

static int
mcp_result_error(struct ml_http_req *r, json_object *id,
    const struct ml_err *err)
{
	json_object *o = json_object_new_object();
	const char *text;
	int rc;

	if (o == NULL)
		return ML_ENOMEM;
	ml_json_add_str(o, "code", err->kind[0] != '\0' ? err->kind :
	    ml_err_kind(err->code));
	ml_json_add_str(o, "message", err->msg);
	if (err->http_status > 0)
		ml_json_add_int(o, "moengage_status", err->http_status);
	if (err->moe_message[0] != '\0')
		ml_json_add_str(o, "moengage_message", err->moe_message);
	if (err->field[0] != '\0')
		ml_json_add_str(o, "field", err->field);
	text = ml_json_text(o);
	rc = mcp_result_text(r, id, text, strlen(text), 1);
	json_object_put(o);
	return rc;
}

/* tools/call: first run sets the call up; later runs finish it. */
static int
mcp_tools_call(struct ml_http_req *r, struct ml_api_call *c,
    json_object *params)
{
	json_object *args = NULL, *paged = NULL;
	const char *name, *text;
	int rc;

	if (!c->started) {
		name = ml_json_str(params, "name");
		c->a = name != NULL ? ml_catalog_find(name) : NULL;
		if (c->a == NULL)
			return mcp_error(r, c->mcp_id, -32602, "unknown tool");
		json_object_object_get_ex(params, "arguments", &args);
		if (args != NULL && !json_object_is_type(args,
		    json_type_object))
			return mcp_error(r, c->mcp_id, -32602,
			    "arguments must be an object");
		json_object_object_get_ex(args, "body", &c->in.body);
		c->in.query = ml_json_get(args, "query", json_type_object);
		c->in.path = ml_json_get(args, "path", json_type_object);
		c->in.headers = ml_json_get(args, "headers", json_type_object);
		c->paginate = ml_json_bool(args, "paginate", 0);
		rc = ml_api_call_account(r, c);
		if (rc)
			return mcp_result_error(r, c->mcp_id, &r->err);
	}
	rc = ml_api_call_step(r, c, c->paginate, &paged);
	if (rc == 1)
		return ML_OK;
	if (rc)
		return mcp_result_error(r, c->mcp_id, &r->err);
	if (c->call.rc != ML_OK && ml_api_call_status(&c->call) == 429) {
		/* The agent learns when to come back, in the message. */
		ml_api_ratelimit_message(&c->call.err,
		    ml_api_ratelimit_seconds(&c->call.resp));
	}
	if (c->call.rc != ML_OK)
		return mcp_result_error(r, c->mcp_id, &c->call.err);
	if (paged != NULL) {
		text = ml_json_text(paged);
		rc = mcp_result_text(r, c->mcp_id, text, strlen(text), 0);
		json_object_put(paged);
		return rc;
	}
	return mcp_result_text(r, c->mcp_id, c->call.resp.body != NULL ?
	    c->call.resp.body : "", c->call.resp.body_len, 0);
}

int
ml_api_mcp(struct ml_http_req *r)
{
	struct ml_api_call *c = r->state;
	json_object *params = NULL, *id = NULL;
	const char *method;
	int rc;

	if (c != NULL)
		return mcp_tools_call(r, c, NULL);
	c = ml_api_call_new(r);
	if (c == NULL)
		return ML_ENOMEM;
	rc = ml_http_body_json(r, &c->input);
	if (rc)
		return mcp_error(r, NULL, -32700, "parse error: the body must be "
		    "one JSON-RPC request object");
	json_object_object_get_ex(c->input, "id", &id);
	c->mcp_id = id != NULL ? json_object_get(id) : NULL;
	method = ml_json_str(c->input, "method");
	if (method == NULL)
		return mcp_error(r, c->mcp_id, -32600, "invalid request: no "
		    "method");
	json_object_object_get_ex(c->input, "params", &params);
	if (strncmp(method, "notifications/", 14) == 0)
		return ml_http_reply(r, 202, "application/json", "", 0);
	if (strcmp(method, "initialize") == 0)
		return mcp_initialize(r, c->mcp_id, params);
	if (strcmp(method, "ping") == 0)
		return mcp_reply(r, c->mcp_id, "result",
		    json_object_new_object());
	if (strcmp(method, "tools/list") == 0)
		return mcp_tools_list(r, c->mcp_id);
	if (strcmp(method, "tools/call") == 0)
		return mcp_tools_call(r, c, params);
	return mcp_error(r, c->mcp_id, -32601, "method not found");
}
