/* SPDX-License-Identifier: MIT */
/*
 * cmd_call.c: `moelink call ACTION ...`: call one MoEngage action and print
 * MoEngage's answer, in one of two modes:
 *   direct     --workspace-id WS --data-center DC and keys on the command
 *              line (or in MOELINK_*_KEY variables, which keeps keys out of
 *              `ps`): the call is built and sent from here;
 *   --account  ID of an account linked in a running `moelink serve`
 *              (--server URL, env MOELINK_SERVER; the project key in
 *              --api-key or env MOELINK_API_KEY): the call goes through its
 *              POST /actions/rpc, which holds the account's keys.
 * Both modes keep one contract:
 *
 *   stdout  MoEngage's answer body as JSON (exit 0)
 *   stderr  {"error":{"code","message","http_status","moengage":{...},
 *           "field"}} on a MoEngage or local error (exit 1)
 *   exit 2  usage: unknown option or action, missing workspace or data
 *           center, unreadable --data file
 *
 * The front end owns the environment: MOELINK_MOENGAGE_CONNECT_TO,
 * MOELINK_CA_FILE and the MOELINK_RETRY_* knobs are read here (through the
 * option table) and passed to the library in struct ml_client_opts.
 *
 * In --account mode the server's error object is printed as it came, with
 * "http_status" added from its "moengage" part, so a script reads the same
 * members in both modes.
 */
#include "cli/cmd.h"

#include <errno.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <moelink/account.h>
#include <moelink/buf.h>
#include <moelink/catalog.h>
#include <moelink/client.h>
#include <moelink/envelope.h>
#include <moelink/json.h>
#include <moelink/mem.h>
#include <moelink/paging.h>
#include <moelink/request.h>

#include "core/opts.h"

/* Linux caps one argv string at 128 KiB; a larger --data is @FILE. */
#define CALL_INLINE_MAX (128 * 1024 + 1)
#define CALL_FILE_MAX (8u * 1024u * 1024u)
#define CALL_KEY_MAX 512
#define CALL_ACCOUNT_MAX 64

struct call_opts {
	char account[CALL_ACCOUNT_MAX];
	char server[512];
	char workspace_id[ML_WORKSPACE_ID_MAX];
	char data_center[8];
	char key[ML_KEY_SLOT_COUNT][CALL_KEY_MAX];
	char db_name[ML_DB_NAME_MAX];
	char query[4096];
	char path[4096];
	char connect_to[256];
	char ca_file[1024];
	char proxy[512];
	long timeout_ms;
	long max_response;
	long retry_attempts;
	long retry_base_ms;
	long retry_max_wait_ms;
	int http1;
	int all;
	char data[CALL_INLINE_MAX];
};

#define STR(field) offsetof(struct call_opts, field), \
	sizeof(((struct call_opts *)0)->field)
#define KEY(slot) offsetof(struct call_opts, key[slot]), CALL_KEY_MAX
#define NUM(field) offsetof(struct call_opts, field), sizeof(long)

static const struct ml_opt call_tab[] = {
	{ "account", ML_OPT_STR, STR(account), NULL, NULL, 0, 0, "ID",
	    "call through a running moelink serve for this linked account "
	    "(instead of --workspace-id, --data-center and keys)" },
	{ "server", ML_OPT_STR, STR(server), "http://127.0.0.1:8080",
	    "MOELINK_SERVER", 0, 0, "URL", "--account: the moelink server" },
	{ "workspace-id", ML_OPT_STR, STR(workspace_id), NULL, NULL, 0, 0,
	    "WS", "the MoEngage Workspace ID (direct mode)" },
	{ "data-center", ML_OPT_STR, STR(data_center), NULL, NULL, 0, 0,
	    "DC", "01, 02, 03, 04, 05, 06 or 101 (direct mode)" },
	{ "data-key", ML_OPT_STR, KEY(ML_KEY_DATA), NULL, "MOELINK_DATA_KEY",
	    0, 0, "KEY", "Data API key" },
	{ "general-key", ML_OPT_STR, KEY(ML_KEY_GENERAL), NULL,
	    "MOELINK_GENERAL_KEY", 0, 0, "KEY",
	    "Campaign Report/Business Events/Templates/Catalog key" },
	{ "push-key", ML_OPT_STR, KEY(ML_KEY_PUSH), NULL, "MOELINK_PUSH_KEY",
	    0, 0, "KEY", "Push API key" },
	{ "inform-key", ML_OPT_STR, KEY(ML_KEY_INFORM), NULL,
	    "MOELINK_INFORM_KEY", 0, 0, "KEY", "Inform API key" },
	{ "personalize-key", ML_OPT_STR, KEY(ML_KEY_PERSONALIZE), NULL,
	    "MOELINK_PERSONALIZE_KEY", 0, 0, "KEY", "Personalize API key" },
	{ "api-key", ML_OPT_STR, KEY(ML_KEY_MULTI), NULL, "MOELINK_API_KEY",
	    0, 0, "KEY", "multi-permission key, used where no family key is "
	    "given; with --account: the server's project API key" },
	{ "db-name", ML_OPT_STR, STR(db_name), NULL, NULL, 0, 0, "NAME",
	    "MOE-DBNAME, for the actions that need it" },
	{ "data", ML_OPT_STR, STR(data), NULL, NULL, 0, 0, "JSON|@FILE",
	    "the request body (@- reads standard input)" },
	{ "query", ML_OPT_STR, STR(query), NULL, NULL, 0, 0, "JSON",
	    "query parameters as a JSON object" },
	{ "path", ML_OPT_STR, STR(path), NULL, NULL, 0, 0, "JSON",
	    "path parameters as a JSON object" },
	{ "connect-to", ML_OPT_STR, STR(connect_to), NULL,
	    "MOELINK_MOENGAGE_CONNECT_TO", 0, 0, "HOST:PORT",
	    "connect every MoEngage host to HOST:PORT (tests, sandboxes)" },
	{ "ca-file", ML_OPT_STR, STR(ca_file), NULL, "MOELINK_CA_FILE", 0, 0,
	    "FILE", "also trust the CAs in FILE" },
	{ "moengage-proxy", ML_OPT_STR, STR(proxy), NULL,
	    "MOELINK_MOENGAGE_PROXY", 0, 0, "URL",
	    "send MoEngage traffic through this HTTP(S) proxy (the *_proxy "
	    "variables are not read)" },
	{ "timeout-ms", ML_OPT_LONG, NUM(timeout_ms), "30000",
	    "MOELINK_TIMEOUT_MS", 100, 600000, "MS", "time limit per attempt" },
	{ "max-response", ML_OPT_LONG, NUM(max_response), "8388608",
	    "MOELINK_MAX_RESPONSE", 1, 1073741824, "BYTES",
	    "refuse answers larger than this" },
	CMD_RETRY_OPTS(struct call_opts, retry_attempts, retry_base_ms,
	    retry_max_wait_ms),
	{ "http1", ML_OPT_FLAG, offsetof(struct call_opts, http1), sizeof(int),
	    NULL, NULL, 0, 0, NULL, "never negotiate HTTP/2" },
	{ "all", ML_OPT_FLAG, offsetof(struct call_opts, all), sizeof(int),
	    NULL, NULL, 0, 0, NULL, "paged actions: fetch every page and print "
	    "one body with every item" },
	ML_OPT_END,
};

#undef STR
#undef KEY
#undef NUM

static void
call_usage(FILE *fp, const struct ml_action *a)
{
	fprintf(fp, "Usage: moelink call ACTION --workspace-id WS "
	    "--data-center DC [--data-key K ...] [--data JSON|@FILE]\n"
	    "       moelink call ACTION --account ID [--server URL] "
	    "[--data JSON|@FILE]\n\n"
	    "Call one MoEngage action and print its answer as JSON, directly "
	    "or through\na running 'moelink serve' for a linked account. "
	    "Run 'moelink actions' for the list.\n\n");
	if (a != NULL)
		fprintf(fp, "%s: %s\nInput (JSON Schema): %s\n\n", a->name,
		    a->summary, a->input_schema);
	ml_opts_print_help(call_tab, fp);
}

/* {"error":{...}} on stderr. */
static void
call_print_error(const struct ml_err *err, const struct ml_response *resp)
{
	json_object *root, *e, *m;

	root = json_object_new_object();
	e = json_object_new_object();
	if (root == NULL || e == NULL) {
		fprintf(stderr, "moelink call: %s\n", err->msg);
		json_object_put(root);
		json_object_put(e);
		return;
	}
	json_object_object_add(root, "error", e);
	ml_json_add_str(e, "code", err->kind[0] != '\0' ? err->kind :
	    ml_err_kind(err->code));
	ml_json_add_str(e, "message", err->msg);
	if (err->http_status > 0) {
		ml_json_add_int(e, "http_status", err->http_status);
		m = json_object_new_object();
		if (m != NULL) {
			json_object_object_add(e, "moengage", m);
			ml_json_add_str(m, "type", err->moe_type);
			ml_json_add_str(m, "message", err->moe_message);
			ml_json_add_str(m, "request_id", err->moe_request_id);
		}
	}
	if (err->field[0] != '\0')
		ml_json_add_str(e, "field", err->field);
	if (resp != NULL && resp->attempts > 0)
		ml_json_add_int(e, "attempts", resp->attempts);
	fprintf(stderr, "%s\n", ml_json_text(root));
	json_object_put(root);
}

static int
call_fail(struct ml_err *err, const char *kind, const char *field, int code,
    const char *msg)
{
	ml_err_set(err, code, kind, "%s", msg);
	ml_err_field(err, field);
	return code;
}

/* Read --data: inline JSON, @FILE or @- (stdin), into buf. */
static int
call_read_data(const char *arg, struct ml_buf *buf, struct ml_err *err)
{
	char chunk[8192];
	FILE *fp;
	size_t n;
	int rc = ML_OK;

	if (arg[0] != '@')
		return ml_buf_append_str(buf, arg);
	fp = strcmp(arg, "@-") == 0 ? stdin : fopen(arg + 1, "rb");
	if (fp == NULL)
		return ml_err_set(err, ML_EIO, "usage", "cannot read --data file "
		    "%s: %s", arg + 1, strerror(errno));
	while (rc == ML_OK && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rc = ml_buf_append(buf, chunk, n);
	if (rc == ML_OK && ferror(fp))
		rc = ml_err_set(err, ML_EIO, "usage", "cannot read --data file "
		    "%s", arg + 1);
	else if (rc == ML_ETOOBIG)
		rc = ml_err_set(err, rc, "payload_too_large", "--data file %s is "
		    "larger than %u bytes", arg + 1, CALL_FILE_MAX);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* Parse one JSON option (NULL result when empty). */
static int
call_json_opt(const char *name, const char *text, size_t len,
    json_object **out, struct ml_err *err)
{
	struct ml_err jerr;
	char msg[ML_ERR_MSG_LEN + 32];
	int rc;

	*out = NULL;
	if (len == 0)
		return ML_OK;
	ml_err_clear(&jerr);
	rc = ml_json_parse(text, len, CALL_FILE_MAX, 0, out, &jerr);
	if (rc) {
		snprintf(msg, sizeof(msg), "--%s is not valid JSON: %s", name,
		    jerr.msg);
		return call_fail(err, jerr.kind, name, rc, msg);
	}
	return ML_OK;
}

static void
call_client_opts(const struct call_opts *o, struct ml_client_opts *co)
{
	ml_client_opts_init(co);
	co->connect_to = o->connect_to[0] != '\0' ? o->connect_to : NULL;
	co->ca_file = o->ca_file[0] != '\0' ? o->ca_file : NULL;
	co->proxy = o->proxy[0] != '\0' ? o->proxy : NULL;
	co->timeout_ms = o->timeout_ms;
	co->max_response = (size_t)o->max_response;
	co->http1_only = o->http1;
	co->retry.max_attempts = (int)o->retry_attempts;
	co->retry.base_ms = o->retry_base_ms;
	co->retry.max_wait_ms = o->retry_max_wait_ms;
}

/* Print MoEngage's answer as JSON: parsed if it is, a string if not. */
static void
call_print_body(const struct ml_response *resp)
{
	json_object *o = NULL, *s;

	if (resp->body == NULL || resp->body_len == 0) {
		printf("null\n");
		return;
	}
	if (ml_json_parse(resp->body, resp->body_len, 0, 0, &o, NULL) == ML_OK) {
		printf("%s\n", ml_json_text(o));
		json_object_put(o);
		return;
	}
	s = json_object_new_string_len(resp->body, (int)resp->body_len);
	printf("%s\n", s != NULL ? ml_json_text(s) : "null");
	json_object_put(s);
}

/*
 * --all: every page through the paging iterator; the gathered body (items
 * of every page under MoEngage's items member) becomes resp's body.
 */
static int
call_all(struct ml_client *client, const struct ml_action *a,
    const struct ml_account *acct, const struct ml_call_input *in,
    struct ml_response *resp, struct ml_err *err)
{
	struct ml_paging_stats st;
	json_object *out = NULL;
	const char *text;
	size_t len;
	int rc;

	rc = ml_paging_call(client, a, acct, in, NULL, &out, &st, err);
	if (rc)
		return rc;
	text = json_object_to_json_string_length(out, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	resp->body = text != NULL ? ml_malloc(len + 1) : NULL;
	if (resp->body == NULL) {
		json_object_put(out);
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	memcpy(resp->body, text, len + 1);
	resp->body_len = len;
	resp->status = 200;
	resp->attempts = st.pages;
	json_object_put(out);
	return ML_OK;
}

/* Build the account from the options and call the action locally. */
static int
call_direct(const struct ml_action *a, const struct call_opts *o,
    const struct ml_call_input *in, struct ml_response *resp,
    struct ml_err *err, int *usage)
{
	struct ml_client_opts co;
	struct ml_client *client = NULL;
	struct ml_account acct;
	int rc, slot;

	ml_account_init(&acct);
	rc = ml_account_set(&acct, o->workspace_id, o->data_center, err);
	if (rc) {
		*usage = 1;
		goto out;
	}
	ml_strlcpy(acct.db_name, o->db_name, sizeof(acct.db_name));
	for (slot = 0; slot < ML_KEY_SLOT_COUNT; slot++) {
		rc = ml_keyset_set(&acct.keys, (enum ml_key_slot)slot,
		    o->key[slot]);
		if (rc) {
			ml_err_set(err, rc, NULL, "out of memory");
			goto out;
		}
	}
	call_client_opts(o, &co);
	rc = ml_client_new(&co, &client, err);
	if (rc) {
		*usage = rc == ML_EINVAL || rc == ML_EIO;
		goto out;
	}
	if (o->all)
		rc = call_all(client, a, &acct, in, resp, err);
	else
		rc = ml_client_call(client, a, &acct, in, resp, err);
out:
	ml_client_free(client);
	ml_account_cleanup(&acct);
	return rc;
}

/* Add a member holding another reference to v (nothing if v is NULL). */
static int
call_add_ref(json_object *o, const char *key, json_object *v)
{
	if (v == NULL)
		return ML_OK;
	if (json_object_object_add(o, key, json_object_get(v))) {
		json_object_put(v);
		return ML_ENOMEM;
	}
	return ML_OK;
}

/* The /actions/rpc request for action a with input in. */
static int
call_rpc_body(const struct ml_action *a, const struct ml_call_input *in,
    int all, json_object **out)
{
	json_object *req = json_object_new_object(), *t;
	int rc;

	*out = NULL;
	if (req == NULL)
		return ML_ENOMEM;
	rc = ml_json_add_str(req, "action", a->name);
	if (rc == ML_OK)
		rc = call_add_ref(req, "body", in->body);
	if (rc == ML_OK)
		rc = call_add_ref(req, "query", in->query);
	if (rc == ML_OK)
		rc = call_add_ref(req, "path", in->path);
	if (rc == ML_OK && all) {
		t = json_object_new_boolean(1);
		rc = t != NULL ? call_add_ref(req, "paginate", t) : ML_ENOMEM;
		json_object_put(t);
	}
	if (rc) {
		json_object_put(req);
		return rc;
	}
	*out = req;
	return ML_OK;
}

/* The server's {"error":{...}} on stderr, with http_status added. */
static void
call_print_server_error(long status, json_object *ans)
{
	json_object *e = ml_json_get(ans, "error", json_type_object), *m;
	struct ml_err err;

	if (e == NULL) {
		ml_err_clear(&err);
		ml_err_set(&err, ML_EHTTP, "http_error", "moelink answered "
		    "HTTP %ld without an error object", status);
		call_print_error(&err, NULL);
		return;
	}
	m = ml_json_get(e, "moengage", json_type_object);
	if (m != NULL && ml_json_int(m, "status", 0) > 0)
		ml_json_add_int(e, "http_status", ml_json_int(m, "status", 0));
	fprintf(stderr, "%s\n", ml_json_text(ans));
}

/*
 * --account: the call through a running `moelink serve` (POST
 * /actions/rpc with x-account-id). Prints the answer; returns the exit
 * code.
 */
static int
call_server(const struct ml_action *a, const struct call_opts *o,
    const struct ml_call_input *in)
{
	struct cmd_api api;
	struct ml_buf hdr;
	json_object *req = NULL, *ans = NULL;
	char *resp = NULL;
	long status = 0;
	int ret = ML_EXIT_FAIL;

	memset(&api, 0, sizeof(api));
	ml_strlcpy(api.server, o->server, sizeof(api.server));
	ml_strlcpy(api.api_key, o->key[ML_KEY_MULTI], sizeof(api.api_key));
	ml_buf_init(&hdr, 256);
	if (call_rpc_body(a, in, o->all, &req) != ML_OK ||
	    ml_buf_appendf(&hdr, "x-account-id: %s", o->account) != ML_OK) {
		fprintf(stderr, "moelink call: out of memory\n");
		goto out;
	}
	/* An unreachable server is reported there, as JSON. */
	if (cmd_api_request_hdr(&api, "POST", "/actions/rpc", hdr.data,
	    ml_json_text(req), &status, &resp) != ML_OK)
		goto out;
	if (ml_json_parse(resp, strlen(resp), 0, 0, &ans, NULL) != ML_OK)
		ans = NULL;
	if (status != 200 || ans == NULL) {
		call_print_server_error(status, ans);
		goto out;
	}
	printf("%s\n", ml_json_text(ans));
	if (ml_json_bool(ans, "already_sent", 0))
		fprintf(stderr, "moelink call: already sent (MoEngage saw this "
		    "transaction_id in the last 5 minutes)\n");
	ret = ML_EXIT_OK;
out:
	json_object_put(req);
	json_object_put(ans);
	ml_free(resp);
	ml_buf_cleanup(&hdr);
	sodium_memzero(&api, sizeof(api));
	return ret;
}

/* Option combinations; a usage error in err, or ML_OK. */
static int
call_check_opts(const struct ml_action *a, const struct call_opts *o,
    struct ml_err *err)
{
	const unsigned char *p;

	if (o->all && a->paging == ML_PAGE_NONE)
		return ml_err_set(err, ML_EINVAL, "usage", "--all: action %s "
		    "is not paged", a->name);
	if (o->account[0] == '\0') {
		if (o->workspace_id[0] == '\0')
			return ml_err_set(err, ML_EINVAL, "usage",
			    "--workspace-id is required (or --account ID to "
			    "call through moelink serve)");
		if (o->data_center[0] == '\0')
			return ml_err_set(err, ML_EINVAL, "usage",
			    "--data-center is required (" ML_DC_ALLOWED ")");
		return ML_OK;
	}
	if (o->workspace_id[0] != '\0' || o->data_center[0] != '\0' ||
	    o->db_name[0] != '\0')
		return ml_err_set(err, ML_EINVAL, "usage", "--account: the "
		    "server holds the account's workspace, data center and "
		    "db_name; drop --workspace-id, --data-center and "
		    "--db-name");
	for (p = (const unsigned char *)o->account; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return ml_err_set(err, ML_EINVAL, "usage", "--account: "
			    "an account id such as acc_... has no spaces or "
			    "control characters");
	if (o->key[ML_KEY_MULTI][0] == '\0')
		return ml_err_set(err, ML_EINVAL, "usage", "--account: no "
		    "project API key: set MOELINK_API_KEY (or --api-key KEY)");
	return ML_OK;
}

int
cmd_call(int argc, char **argv)
{
	struct call_opts *o = NULL;
	struct ml_call_input in;
	struct ml_response resp;
	struct ml_buf data;
	struct ml_err err;
	const struct ml_action *a = NULL;
	char *pos[1];
	int npos = 0, help = 0, usage = 0, rc, exit_code = ML_EXIT_FAIL;

	memset(&in, 0, sizeof(in));
	ml_response_init(&resp);
	ml_buf_init(&data, CALL_FILE_MAX);
	ml_err_clear(&err);
	o = ml_calloc(1, sizeof(*o));
	if (o == NULL) {
		fprintf(stderr, "moelink call: out of memory\n");
		return ML_EXIT_FAIL;
	}
	rc = ml_opts_defaults(call_tab, o, &err);
	if (rc == ML_OK)
		rc = ml_opts_parse_argv(call_tab, o, argc, argv, 1, pos, 1,
		    &npos, &help, &err);
	if (npos == 1)
		a = ml_catalog_find(pos[0]);
	if (rc == ML_OK && help) {
		call_usage(stdout, a);
		exit_code = ML_EXIT_OK;
		goto out;
	}
	if (rc == ML_OK && npos == 0)
		rc = ml_err_set(&err, ML_EINVAL, "usage", "which action? "
		    "Run 'moelink actions' for the list");
	else if (rc == ML_OK && a == NULL)
		rc = ml_err_set(&err, ML_EINVAL, "unknown_action", "unknown "
		    "action '%s'; run 'moelink actions' for the list", pos[0]);
	else if (rc == ML_OK)
		rc = call_check_opts(a, o, &err);
	if (rc == ML_OK && o->data[0] != '\0')
		rc = call_read_data(o->data, &data, &err);
	if (rc) {
		fprintf(stderr, "moelink call: %s\n%s", err.msg,
		    strstr(err.msg, "--help") != NULL ? "" :
		    "Run 'moelink call --help' for usage.\n");
		exit_code = ML_EXIT_USAGE;
		goto out;
	}
	rc = call_json_opt("data", data.data, data.len, &in.body, &err);
	if (rc == ML_OK)
		rc = call_json_opt("query", o->query, strlen(o->query),
		    &in.query, &err);
	if (rc == ML_OK)
		rc = call_json_opt("path", o->path, strlen(o->path), &in.path,
		    &err);
	if (rc == ML_OK && o->account[0] != '\0') {
		exit_code = call_server(a, o, &in);
		goto out;
	}
	if (rc == ML_OK)
		rc = call_direct(a, o, &in, &resp, &err, &usage);
	if (rc) {
		call_print_error(&err, &resp);
		exit_code = usage ? ML_EXIT_USAGE : ML_EXIT_FAIL;
		goto out;
	}
	call_print_body(&resp);
	if (ml_envelope_already_sent(a->envelope, resp.status, resp.body,
	    resp.body_len))
		fprintf(stderr, "moelink call: already sent (MoEngage saw this "
		    "transaction_id in the last 5 minutes)\n");
	exit_code = ML_EXIT_OK;
out:
	json_object_put(in.body);
	json_object_put(in.query);
	json_object_put(in.path);
	ml_response_cleanup(&resp);
	ml_buf_cleanup_zero(&data);
	/* The options held the API keys. */
	sodium_memzero(o, sizeof(*o));
	ml_free(o);
	return exit_code;
}
