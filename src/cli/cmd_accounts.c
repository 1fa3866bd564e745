/* SPDX-License-Identifier: MIT */
/*
 * cmd_accounts.c: `moelink accounts list|show ID|verify ID|delete ID|
 * deactivate ID|activate ID|write-key ID`, which talk to a running `moelink serve` over its REST
 * API, and the small HTTP helper `moelink link` shares (cmd_api_*).
 *
 *   accounts list [--owner ID] [--page N | --cursor C] [--page-size N]
 *       [--json]
 *       one account per line: id, status, data center, workspace, label
 *   accounts show ID      the account as JSON
 *   accounts verify ID    check its keys with MoEngage now; exit 1 unless
 *                         MoEngage accepted them
 *   accounts delete ID
 *   accounts deactivate ID
 *                         stop everything sent to MoEngage for it (calls
 *                         refused, events held in the outbox)
 *   accounts activate ID  check its keys with MoEngage, then resume; exit 1
 *                         (account unchanged) if MoEngage refuses them
 *   accounts write-key ID [--json]
 *                         create a Segment write key for the account
 *                         (POST /accounts/ID/write_keys); the key is
 *                         printed ONCE (only its hash is stored)
 *
 * Every subcommand takes --server URL (env MOELINK_SERVER, default
 * http://127.0.0.1:8080) and --api-key KEY (better: env MOELINK_API_KEY,
 * which keeps the key out of `ps`). The server's JSON errors go to stderr
 * as they came; exit codes per cmd.h.
 */
#include "cli/cmd.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <moelink/buf.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/opts.h"

#define API_RESPONSE_MAX (16u * 1024u * 1024u)

size_t
cmd_curl_write_buf(char *data, size_t size, size_t n, void *ud)
{
	struct ml_buf *b = ud;

	if (ml_buf_append(b, data, size * n) != ML_OK)
		return 0;
	return size * n;
}

/* {"error":{"code":"server_unreachable","message":...}} on stderr. */
static void
api_unreachable(const char *server, const char *why)
{
	json_object *root = json_object_new_object(), *e = NULL;
	struct ml_buf msg;
	int rc = ML_ENOMEM;

	ml_buf_init(&msg, 1024);
	if (root != NULL)
		e = json_object_new_object();
	if (e != NULL && json_object_object_add(root, "error", e) != 0) {
		json_object_put(e);
		e = NULL;
	}
	if (e != NULL && ml_buf_appendf(&msg, "cannot reach moelink at %s: "
	    "%s", server, why) == ML_OK &&
	    ml_json_add_str(e, "code", "server_unreachable") == ML_OK)
		rc = ml_json_add_str(e, "message", msg.data);
	if (rc == ML_OK)
		fprintf(stderr, "%s\n", ml_json_text(root));
	else
		fprintf(stderr, "moelink: cannot reach %s: %s\n", server, why);
	json_object_put(root);
	ml_buf_cleanup(&msg);
}

int
cmd_api_request(const struct cmd_api *api, const char *method,
    const char *path, const char *body, long *status, char **resp)
{
	return cmd_api_request_hdr(api, method, path, NULL, body, status,
	    resp);
}

int
cmd_api_request_hdr(const struct cmd_api *api, const char *method,
    const char *path, const char *header, const char *body, long *status,
    char **resp)
{
	struct curl_slist *hdrs = NULL;
	struct ml_buf url, auth, out;
	CURL *h = NULL;
	CURLcode cc;
	int rc = ML_ENOMEM;

	*status = 0;
	*resp = NULL;
	ml_buf_init(&url, 4096);
	ml_buf_init(&auth, 512);
	ml_buf_init(&out, API_RESPONSE_MAX);
	if (ml_buf_appendf(&url, "%s%s", api->server, path) ||
	    ml_buf_appendf(&auth, "Authorization: Bearer %s", api->api_key))
		goto out;
	h = curl_easy_init();
	if (h == NULL)
		goto out;
	hdrs = curl_slist_append(hdrs, auth.data);
	if (hdrs == NULL)
		goto out;
	if (header != NULL) {
		struct curl_slist *t = curl_slist_append(hdrs, header);
		if (t == NULL)
			goto out;
		hdrs = t;
	}
	if (body != NULL) {
		struct curl_slist *t = curl_slist_append(hdrs,
		    "Content-Type: application/json");
		if (t == NULL)
			goto out;
		hdrs = t;
	}
	curl_easy_setopt(h, CURLOPT_URL, url.data);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 120000L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cmd_curl_write_buf);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		api_unreachable(api->server, curl_easy_strerror(cc));
		rc = ML_ENET;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	*resp = ml_buf_detach(&out);
	rc = *resp != NULL ? ML_OK : ML_ENOMEM;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	ml_buf_cleanup(&url);
	ml_buf_cleanup_zero(&auth);
	ml_buf_cleanup(&out);
	return rc;
}

int
cmd_api_check(const char *cmd, const struct cmd_api *api)
{
	if (api->api_key[0] == '\0') {
		fprintf(stderr, "moelink %s: no API key: set MOELINK_API_KEY "
		    "(or --api-key KEY)\n", cmd);
		return ML_EXIT_USAGE;
	}
	return ML_EXIT_OK;
}

json_object *
cmd_api_json(const char *cmd, const char *body)
{
	json_object *root = NULL;

	if (ml_json_parse(body, strlen(body), 0, 0, &root, NULL) != ML_OK)
		fprintf(stderr, "moelink %s: the server's answer is not JSON\n",
		    cmd);
	return root;
}

int
cmd_api_result(long status, const char *body, int print_ok)
{
	if (status >= 200 && status < 300) {
		if (print_ok)
			printf("%s\n", body);
		return ML_EXIT_OK;
	}
	fprintf(stderr, "%s\n", body[0] != '\0' ? body :
	    "{\"error\":{\"code\":\"http_error\",\"message\":\"empty answer\"}}");
	return ML_EXIT_FAIL;
}

struct accounts_opts {
	struct cmd_api api;
	char owner[256];
	char cursor[128];
	long page;
	long page_size;
	int json;
};

static const struct ml_opt accounts_tab[] = {
	CMD_API_OPTS(struct accounts_opts),
	{ "owner", ML_OPT_STR, offsetof(struct accounts_opts, owner),
	    sizeof(((struct accounts_opts *)0)->owner), NULL, NULL, 0, 0, "ID",
	    "list: only accounts of this origin_owner_id" },
	{ "page", ML_OPT_LONG, offsetof(struct accounts_opts, page),
	    sizeof(long), "1", NULL, 1, 1000000000, "N", "list: page number" },
	{ "cursor", ML_OPT_STR, offsetof(struct accounts_opts, cursor),
	    sizeof(((struct accounts_opts *)0)->cursor), NULL, NULL, 0, 0, "C",
	    "list: the page after this cursor (printed as \"more: --cursor\"; "
	    "as fast at any depth)" },
	{ "page-size", ML_OPT_LONG, offsetof(struct accounts_opts, page_size),
	    sizeof(long), "100", NULL, 1, 1000, "N", "list: accounts per page" },
	{ "json", ML_OPT_FLAG, offsetof(struct accounts_opts, json),
	    sizeof(int), NULL, NULL, 0, 0, NULL,
	    "list, write-key: print the raw JSON" },
	ML_OPT_END,
};

static const char accounts_usage[] =
    "Usage: moelink accounts list [--owner ID] [--page N | --cursor C] "
    "[--page-size N] [--json]\n"
    "       moelink accounts show ID\n"
    "       moelink accounts verify ID\n"
    "       moelink accounts delete ID\n"
    "       moelink accounts deactivate ID\n"
    "       moelink accounts activate ID\n"
    "       moelink accounts write-key ID [--json]\n\n"
    "Talks to a running 'moelink serve'. Set MOELINK_API_KEY to a project "
    "API key.\n\n";

/*
 * The new write key as "write_key", "key_id" and "prefix" lines; the key's
 * copies in the parsed answer are wiped (the caller wipes the body).
 */
static int
accounts_print_write_key(const char *body)
{
	json_object *root, *k;
	const char *key, *id, *prefix;
	int ret = ML_EXIT_FAIL;

	root = cmd_api_json("accounts", body);
	k = ml_json_get(root, "write_key", json_type_string);
	key = json_object_get_string(k);
	id = ml_json_str(root, "id");
	prefix = ml_json_str(root, "prefix");
	if (key == NULL || id == NULL || prefix == NULL)
		goto out;
	printf("write_key\t%s\nkey_id\t%s\nprefix\t%s\n", key, id, prefix);
	fprintf(stderr, "moelink: the write key above is shown ONCE; moelink "
	    "keeps only its hash. Segment libraries send it as the Basic-auth "
	    "username to /v1/*.\n");
	sodium_memzero((void *)(uintptr_t)key,
	    (size_t)json_object_get_string_len(k));
	ret = ML_EXIT_OK;
out:
	if (ret != ML_EXIT_OK)
		fprintf(stderr, "moelink accounts: the server's answer has no "
		    "write key\n");
	json_object_put(root);
	return ret;
}

/* One line per account: id, status, data center, workspace id, label. */
static int
accounts_print_list(const char *body)
{
	json_object *root, *data, *a;
	const char *next;
	size_t i, n;

	root = cmd_api_json("accounts", body);
	if (root == NULL)
		return ML_EXIT_FAIL;
	data = ml_json_get(root, "data", json_type_array);
	n = data != NULL ? json_object_array_length(data) : 0;
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(data, i);
		printf("%s\t%s\t%s\t%s\t%s\n", ml_json_str(a, "id"),
		    ml_json_str(a, "status"), ml_json_str(a, "data_center"),
		    ml_json_str(a, "workspace_id"), ml_json_str(a, "label"));
	}
	next = json_object_to_json_string(ml_json_get(root, "next_page",
	    json_type_int));
	if (ml_json_get(root, "next_page", json_type_int) != NULL)
		fprintf(stderr, "(more: --page %s)\n", next);
	else if (ml_json_str(root, "next_cursor") != NULL)
		fprintf(stderr, "(more: --cursor %s)\n",
		    ml_json_str(root, "next_cursor"));
	json_object_put(root);
	return ML_EXIT_OK;
}

static int
accounts_run(const struct accounts_opts *o, const char *verb, const char *id)
{
	struct ml_buf path;
	char *body = NULL;
	const char *method = "GET", *send = NULL;
	json_object *obj = NULL;
	long status = 0;
	int ret = ML_EXIT_FAIL;

	ml_buf_init(&path, 2048);
	if (strcmp(verb, "list") == 0) {
		if (ml_buf_appendf(&path, "/accounts?page_size=%ld",
		    o->page_size))
			goto out;
		if (o->cursor[0] != '\0' ? (ml_buf_append_str(&path,
		    "&cursor=") || ml_buf_append_urlenc(&path, o->cursor)) :
		    ml_buf_appendf(&path, "&page=%ld", o->page))
			goto out;
		if (o->owner[0] != '\0' && (ml_buf_append_str(&path,
		    "&origin_owner_id=") || ml_buf_append_urlenc(&path,
		    o->owner)))
			goto out;
	} else {
		if (ml_buf_append_str(&path, "/accounts/") ||
		    ml_buf_append_urlenc(&path, id))
			goto out;
		if (strcmp(verb, "verify") == 0) {
			method = "POST";
			if (ml_buf_append_str(&path, "/verify"))
				goto out;
		} else if (strcmp(verb, "delete") == 0) {
			method = "DELETE";
		} else if (strcmp(verb, "deactivate") == 0) {
			method = "PATCH";
			send = "{\"status\":\"inactive\"}";
		} else if (strcmp(verb, "activate") == 0) {
			method = "PATCH";
			send = "{\"status\":\"active\"}";
		} else if (strcmp(verb, "write-key") == 0) {
			method = "POST";
			if (ml_buf_append_str(&path, "/write_keys"))
				goto out;
		}
	}
	if (cmd_api_request(&o->api, method, path.data, send, &status, &body))
		goto out;
	if (status < 200 || status >= 300 || strcmp(verb, "show") == 0 ||
	    send != NULL ||
	    (o->json && (strcmp(verb, "list") == 0 ||
	    strcmp(verb, "write-key") == 0))) {
		ret = cmd_api_result(status, body, 1);
		goto out;
	}
	if (strcmp(verb, "list") == 0) {
		ret = accounts_print_list(body);
		goto out;
	}
	if (strcmp(verb, "write-key") == 0) {
		ret = accounts_print_write_key(body);
		goto out;
	}
	if (strcmp(verb, "delete") == 0) {
		printf("deleted %s\n", id);
		ret = ML_EXIT_OK;
		goto out;
	}
	/* verify: the account comes back; active means MoEngage said yes. */
	printf("%s\n", body);
	if (ml_json_parse(body, strlen(body), 0, 0, &obj, NULL) == ML_OK &&
	    ml_json_str(obj, "status") != NULL &&
	    strcmp(ml_json_str(obj, "status"), "active") == 0)
		ret = ML_EXIT_OK;
out:
	json_object_put(obj);
	if (body != NULL && strcmp(verb, "write-key") == 0)
		sodium_memzero(body, strlen(body));
	ml_free(body);
	ml_buf_cleanup(&path);
	return ret;
}

int
cmd_accounts(int argc, char **argv)
{
	struct accounts_opts o;
	struct ml_err err;
	char *pos[2];
	int npos = 0, help = 0, ret;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(accounts_tab, &o, &err) ||
	    ml_opts_parse_argv(accounts_tab, &o, argc, argv, 1, pos, 2, &npos,
	    &help, &err)) {
		fprintf(stderr, "moelink accounts: %s\n", err.msg);
		ret = ML_EXIT_USAGE;
		goto out;
	}
	if (help) {
		fputs(accounts_usage, stdout);
		ml_opts_print_help(accounts_tab, stdout);
		ret = ML_EXIT_OK;
		goto out;
	}
	if (npos == 0 || (strcmp(pos[0], "list") == 0 ? npos != 1 :
	    (npos != 2 || (strcmp(pos[0], "show") != 0 &&
	    strcmp(pos[0], "verify") != 0 && strcmp(pos[0], "delete") != 0 &&
	    strcmp(pos[0], "write-key") != 0 &&
	    strcmp(pos[0], "deactivate") != 0 &&
	    strcmp(pos[0], "activate") != 0)))) {
		fputs(accounts_usage, stderr);
		ret = ML_EXIT_USAGE;
		goto out;
	}
	ret = cmd_api_check("accounts", &o.api);
	if (ret == ML_EXIT_OK)
		ret = accounts_run(&o, pos[0], npos > 1 ? pos[1] : NULL);
out:
	sodium_memzero(&o, sizeof(o));
	return ret;
}
