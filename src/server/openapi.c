/* SPDX-License-Identifier: MIT */
/*
 * openapi.c: GET /openapi.json, an OpenAPI 3.1 document of moelink's
 * action API made from the catalog: each action's input schema as
 * components.schemas.<action>, POST /actions/rpc taking any of them
 * (discriminated by "action"), GET /actions, POST /proxy and POST /mcp.
 * Built once per request from the const rows; nothing is cached.
 */
#include "server/api_actions.h"

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

#include "ml_version.h"
#include "server/server.h"

/* Parse a constant JSON text of ours (a bug if it fails). */
static json_object *
openapi_json(const char *text)
{
	json_object *o = NULL;

	if (ml_json_parse(text, strlen(text), 0, 0, &o, NULL) != ML_OK)
		return NULL;
	return o;
}

static int
openapi_add(json_object *parent, const char *key, json_object *child)
{
	if (parent == NULL || child == NULL ||
	    json_object_object_add(parent, key, child) != 0) {
		json_object_put(child);
		return ML_ENOMEM;
	}
	return ML_OK;
}

#define OA_ERROR_REF "{\"$ref\":\"#/components/schemas/Error\"}"
#define OA_ERRORS \
	"\"400\":{\"description\":\"refused before anything was sent\"," \
	"\"content\":{\"application/json\":{\"schema\":" OA_ERROR_REF "}}}," \
	"\"502\":{\"description\":\"MoEngage refused or failed\"," \
	"\"content\":{\"application/json\":{\"schema\":" OA_ERROR_REF "}}}"

static const char openapi_static_paths[] =
	"{\"/actions\":{\"get\":{\"summary\":\"List the actions\","
	"\"parameters\":[{\"name\":\"family\",\"in\":\"query\",\"schema\":"
	"{\"type\":\"string\"}}],\"responses\":{\"200\":{\"description\":"
	"\"every action with its input schema\"}}}},"
	"\"/proxy\":{\"post\":{\"summary\":\"Call any MoEngage path of the "
	"account's data center with its credentials\",\"parameters\":[{\"name\":"
	"\"x-account-id\",\"in\":\"header\",\"required\":true,\"schema\":"
	"{\"type\":\"string\"}}],\"requestBody\":{\"required\":true,\"content\":"
	"{\"application/json\":{\"schema\":{\"type\":\"object\",\"required\":"
	"[\"method\",\"path\"],\"properties\":{\"method\":{\"enum\":[\"GET\","
	"\"POST\",\"PUT\",\"PATCH\",\"DELETE\"]},\"path\":{\"type\":\"string\","
	"\"pattern\":\"^/\"},\"query\":{\"type\":\"object\"},\"headers\":"
	"{\"type\":\"object\"},\"body\":{},\"host_kind\":{\"enum\":[\"api\","
	"\"pushapi\",\"sdk\",\"sandbox-api\",\"fileimports-data-api\"]}}}}}},"
	"\"responses\":{\"200\":{\"description\":\"MoEngage's answer as "
	"given\"}," OA_ERRORS "}}},"
	"\"/mcp\":{\"post\":{\"summary\":\"Model Context Protocol (JSON-RPC): "
	"initialize, tools/list, tools/call\",\"responses\":{\"200\":"
	"{\"description\":\"a JSON-RPC response\"}}}}}";

static const char openapi_error_schema[] =
	"{\"type\":\"object\",\"properties\":{\"error\":{\"type\":\"object\","
	"\"required\":[\"code\",\"message\"],\"properties\":{\"code\":{\"type\":"
	"\"string\"},\"message\":{\"type\":\"string\"},\"request_id\":{\"type\":"
	"\"string\"},\"field\":{\"type\":\"string\"},\"moengage\":{\"type\":"
	"\"object\"}}}}}";

/* POST /actions/rpc: {action, ...} for every action. */
static int
openapi_rpc(json_object *paths, json_object *schemas)
{
	const struct ml_action *const *rows;
	json_object *op, *one_of, *names, *s, *ref, *req;
	char refpath[160];
	size_t i, n;
	int rc;

	op = openapi_json("{\"post\":{\"summary\":\"Call one action for the "
	    "account in x-account-id\",\"parameters\":[{\"name\":"
	    "\"x-account-id\",\"in\":\"header\",\"required\":true,\"schema\":"
	    "{\"type\":\"string\"}}],\"requestBody\":{\"required\":true,"
	    "\"content\":{\"application/json\":{\"schema\":{\"type\":\"object\","
	    "\"required\":[\"action\"],\"properties\":{\"action\":{\"type\":"
	    "\"string\"},\"paginate\":{\"type\":\"boolean\"}}}}}},"
	    "\"responses\":{\"200\":{\"description\":\"MoEngage's answer\"},"
	    OA_ERRORS "}}}");
	one_of = json_object_new_array();
	names = json_object_new_array();
	if (op == NULL || one_of == NULL || names == NULL) {
		json_object_put(op);
		json_object_put(one_of);
		json_object_put(names);
		return ML_ENOMEM;
	}
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++) {
		s = openapi_json(rows[i]->input_schema);
		if (s == NULL)
			goto fail;
		ml_json_add_str(s, "description", rows[i]->summary);
		if (openapi_add(schemas, rows[i]->name, s) != ML_OK)
			goto fail;
		snprintf(refpath, sizeof(refpath), "#/components/schemas/%s",
		    rows[i]->name);
		ref = json_object_new_object();
		if (ref == NULL || ml_json_add_str(ref, "$ref", refpath) ||
		    json_object_array_add(one_of, ref) != 0 ||
		    json_object_array_add(names,
		    json_object_new_string(rows[i]->name)) != 0)
			goto fail;
	}
	req = json_object_object_get(json_object_object_get(
	    json_object_object_get(json_object_object_get(json_object_object_get(
	    json_object_object_get(op, "post"), "requestBody"), "content"),
	    "application/json"), "schema"), "properties");
	rc = openapi_add(json_object_object_get(req, "action"), "enum", names);
	names = NULL;
	if (rc == ML_OK)
		rc = openapi_add(json_object_object_get(json_object_object_get(
		    op, "post"), "requestBody"), "x-action-inputs", one_of);
	one_of = NULL;
	if (rc == ML_OK)
		rc = openapi_add(paths, "/actions/rpc", op);
	return rc;
fail:
	json_object_put(op);
	json_object_put(one_of);
	json_object_put(names);
	return ML_ENOMEM;
}

int
ml_api_openapi(struct ml_http_req *r)
{
	json_object *doc, *info, *paths, *comp, *schemas;
	int rc;

	doc = json_object_new_object();
	info = json_object_new_object();
	paths = openapi_json(openapi_static_paths);
	comp = json_object_new_object();
	schemas = json_object_new_object();
	rc = doc != NULL && info != NULL && paths != NULL && comp != NULL &&
	    schemas != NULL ? ML_OK : ML_ENOMEM;
	if (rc == ML_OK)
		rc = ml_json_add_str(doc, "openapi", "3.1.0");
	if (rc == ML_OK)
		rc = ml_json_add_str(info, "title", "moelink");
	if (rc == ML_OK)
		rc = ml_json_add_str(info, "version", MOELINK_VERSION);
	if (rc == ML_OK)
		rc = openapi_add(schemas, "Error", openapi_json(
		    openapi_error_schema));
	if (rc == ML_OK)
		rc = openapi_rpc(paths, schemas);
	if (rc == ML_OK) {
		rc = openapi_add(doc, "info", info);
		info = NULL;
	}
	if (rc == ML_OK) {
		rc = openapi_add(comp, "schemas", schemas);
		schemas = NULL;
	}
	if (rc == ML_OK) {
		rc = openapi_add(doc, "components", comp);
		comp = NULL;
	}
	if (rc == ML_OK) {
		rc = openapi_add(doc, "paths", paths);
		paths = NULL;
	}
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, doc);
	json_object_put(doc);
	json_object_put(info);
	json_object_put(paths);
	json_object_put(comp);
	json_object_put(schemas);
	return rc;
}
