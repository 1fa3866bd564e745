/* SPDX-License-Identifier: MIT */
/*
 * api_actions.h: the action catalog over REST and MCP, and the raw proxy.
 *
 *   GET  /actions         every action with its family, input schema, host,
 *                         path, key slot, envelope, paging and rate
 *                         (?family= filters)
 *   POST /actions/rpc     {action, body, query, path, headers, paginate}
 *                         for the account in x-account-id (StackOne's
 *                         shape); answers MoEngage's body, or one error shape
 *   POST /proxy           {method, path, query, headers, body, host_kind}:
 *                         the account's credentials added for the family the
 *                         path belongs to, sent only to the account's own
 *                         data-center host (api_proxy.c)
 *   POST /mcp             MCP JSON-RPC: initialize, tools/list, tools/call
 *                         (mcp.c)
 *   GET  /openapi.json    an OpenAPI 3.1 document made from the catalog
 *                         (openapi.c)
 */
#ifndef ML_SERVER_API_ACTIONS_H
#define ML_SERVER_API_ACTIONS_H

#include <json-c/json.h>

#include <moelink/catalog.h>
#include <moelink/paging.h>

#include "server/http.h"
#include "server/link.h"
#include "store/store.h"

/* Body cap of /actions/rpc, /proxy and /mcp: Catalog's 5 MB and room. */
#define ML_API_ACTIONS_BODY_MAX (6u * 1024u * 1024u)

int ml_api_actions_list(struct ml_http_req *r);
int ml_api_actions_rpc(struct ml_http_req *r);
int ml_api_proxy(struct ml_http_req *r);

/* POST /proxy's input, checked (api_proxy.c). */
struct ml_proxy_input {
	const char *method;		/* "GET".."DELETE" (static) */
	enum ml_host_kind kind;		/* host_kind, default api */
	const char *path;		/* a plain absolute path (in input) */
	json_object *query;		/* borrowed from input, or NULL */
	json_object *headers;		/* new object (put it), or NULL */
};

/*
 * Check the members of a /proxy input object without sending anything:
 * the method, host_kind, the path (no URL, traversal, encoded separators
 * or control bytes), query (an object) and headers (CR/LF and unknown
 * names refused; hop-by-hop and credential ones dropped from
 * p->headers). ML_EINVAL with err->field naming the member otherwise.
 */
int ml_api_proxy_check(json_object *input, struct ml_proxy_input *p,
    struct ml_err *err);
int ml_api_mcp(struct ml_http_req *r);
int ml_api_openapi(struct ml_http_req *r);

/*
 * One action call in flight for a request, kept in r->state across the
 * suspensions (ml_api_call_free as state_free). It owns its input.
 */
struct ml_api_call {
	struct ml_store_account sa;
	struct ml_link_creds creds;
	struct ml_http_call call;
	struct ml_action tmp;		/* the proxy's one-off row */
	char tmp_path[2048];
	const struct ml_action *a;
	json_object *input;		/* holds body, query, path, headers */
	json_object *path_params;	/* the proxy's {filename} */
	struct ml_call_input in;
	struct ml_paging_iter *pager;
	int started;
	int paginate;
	json_object *mcp_id;		/* MCP: the JSON-RPC request id */
};

struct ml_api_call *ml_api_call_new(struct ml_http_req *r);

/*
 * Parse r's body into c->input: a JSON object whose members are all in
 * members (NULL-ended; else 400 invalid_field naming them all) and, with
 * c->in.body, the "body" member unless it is null.
 */
int ml_api_call_input(struct ml_http_req *r, struct ml_api_call *c,
    const char *const *members);
void ml_api_call_free(void *state);

/*
 * Load the account named by x-account-id in r's project and open its
 * credentials into c->creds. Errors go to r->err (400 missing_account,
 * 404 account_not_found, 409 account_inactive: nothing may be sent).
 */
int ml_api_call_account(struct ml_http_req *r, struct ml_api_call *c);

/*
 * Advance c: start the call (or the next page), or, once MoEngage has
 * answered, finish. Returns 1 while a call is in flight (the handler
 * returns ML_OK), 0 when c->call holds the final outcome (or, paging, the
 * gathered body in *paged), or a negative ML_E* with r->err filled.
 */
int ml_api_call_step(struct ml_http_req *r, struct ml_api_call *c,
    int paginate, json_object **paged);

/*
 * The HTTP status for a failed call: MoEngage's own 4xx (but 401/403,
 * which are about the linked account's keys, and 429) -> 502 / 429; local
 * validation 400; transport 502/504.
 */
unsigned ml_api_call_status(const struct ml_http_call *call);

/* The JSON of an action as /actions and MCP describe it. */
int ml_api_action_json(const struct ml_action *a, int with_schema,
    json_object **out);

#endif
