/* SPDX-License-Identifier: MIT */
/*
 * cmd_deadletters.c: `moelink deadletters list|replay`, over a running
 * `moelink serve` (GET /deadletters, POST /deadletters/replay).
 *
 *   deadletters list [--account ID] [--after N] [--limit N] [--json]
 *       one dead letter per line, oldest first: id, account, kind,
 *       customer_id, attempts, MoEngage's reason; "(more: --after N)" on
 *       stderr when there is another page
 *   deadletters replay ID...           the dead letters named
 *   deadletters replay --account ID    every dead letter of one account
 *   deadletters replay --all           every dead letter of the project
 *       moves them back to the end of their account's queue; prints
 *       "replayed<TAB>N"
 *
 * A replay of everything must be asked for with --all, so a forgotten ID
 * never replays the whole project. Options --server and --api-key as in
 * cmd_accounts.c; exit codes per cmd.h.
 */
#include "cli/cmd.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/buf.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/opts.h"

#define DL_IDS_MAX 1000

struct dl_opts {
	struct cmd_api api;
	char account[128];
	long after;
	long limit;
	int all;
	int json;
};

static const struct ml_opt dl_tab[] = {
	CMD_API_OPTS(struct dl_opts),
	{ "account", ML_OPT_STR, offsetof(struct dl_opts, account),
	    sizeof(((struct dl_opts *)0)->account), NULL, NULL, 0, 0, "ID",
	    "only this account's dead letters" },
	{ "after", ML_OPT_LONG, offsetof(struct dl_opts, after), sizeof(long),
	    "0", NULL, 0, 0x7fffffffL, "N", "list: ids after N (paging)" },
	{ "limit", ML_OPT_LONG, offsetof(struct dl_opts, limit), sizeof(long),
	    "100", NULL, 1, 1000, "N", "list: dead letters per page" },
	{ "all", ML_OPT_FLAG, offsetof(struct dl_opts, all), sizeof(int), NULL,
	    NULL, 0, 0, NULL, "replay: every dead letter of the project" },
	{ "json", ML_OPT_FLAG, offsetof(struct dl_opts, json), sizeof(int),
	    NULL, NULL, 0, 0, NULL, "print the server's JSON" },
	ML_OPT_END,
};

static const char dl_usage[] =
    "Usage: moelink deadletters list [--account ID] [--after N] [--limit N] "
    "[--json]\n"
    "       moelink deadletters replay ID... | --account ID | --all\n\n"
    "Dead letters are elements MoEngage refused for good, kept with its "
    "reason.\nReplay sends them again (after the cause is fixed). Talks to a "
    "running\n'moelink serve'; set MOELINK_API_KEY to a project API key.\n\n";

/* A field on one line: tabs and line breaks become spaces. */
static void
dl_field(const char *s, const char *sep)
{
	for (; s != NULL && *s != '\0'; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
	fputs(sep, stdout);
}

static int
dl_print_list(const char *body)
{
	json_object *root, *data, *d, *next;
	size_t i, n;

	root = cmd_api_json("deadletters", body);
	if (root == NULL)
		return ML_EXIT_FAIL;
	data = ml_json_get(root, "data", json_type_array);
	n = data != NULL ? json_object_array_length(data) : 0;
	for (i = 0; i < n; i++) {
		d = json_object_array_get_idx(data, i);
		printf("%lld\t", (long long)ml_json_int(d, "id", 0));
		dl_field(ml_json_str(d, "account_id"), "\t");
		dl_field(ml_json_str(d, "kind"), "\t");
		dl_field(ml_json_str(d, "customer_id"), "\t");
		printf("%lld\t", (long long)ml_json_int(d, "attempts", 0));
		dl_field(ml_json_str(d, "reason"), "\n");
	}
	next = ml_json_get(root, "next_after", json_type_int);
	if (next != NULL)
		fprintf(stderr, "(more: --after %lld)\n",
		    (long long)json_object_get_int64(next));
	json_object_put(root);
	return ML_EXIT_OK;
}

static int
dl_list(const struct dl_opts *o)
{
	struct ml_buf path;
	char *body = NULL;
	long status = 0;
	int ret = ML_EXIT_FAIL;

	ml_buf_init(&path, 1024);
	if (ml_buf_appendf(&path, "/deadletters?limit=%ld&after=%ld", o->limit,
	    o->after))
		goto out;
	if (o->account[0] != '\0' && (ml_buf_append_str(&path,
	    "&account_id=") || ml_buf_append_urlenc(&path, o->account)))
		goto out;
	if (cmd_api_request(&o->api, "GET", path.data, NULL, &status, &body))
		goto out;
	if (status < 200 || status >= 300 || o->json)
		ret = cmd_api_result(status, body, 1);
	else
		ret = dl_print_list(body);
out:
	ml_free(body);
	ml_buf_cleanup(&path);
	return ret;
}

/* The replay body: {"ids": [...]}, {"account_id": ...} or {} (--all). */
static int
dl_replay_body(const struct dl_opts *o, char **ids, int nids,
    json_object **out)
{
	json_object *b = json_object_new_object(), *arr;
	long long id;
	char *end;
	int i;

	*out = b;
	if (b == NULL)
		return ML_ENOMEM;
	if (o->account[0] != '\0' && ml_json_add_str(b, "account_id",
	    o->account) != ML_OK)
		return ML_ENOMEM;
	if (nids == 0)
		return ML_OK;
	arr = json_object_new_array();
	if (arr == NULL || json_object_object_add(b, "ids", arr) != 0) {
		json_object_put(arr);
		return ML_ENOMEM;
	}
	for (i = 0; i < nids; i++) {
		id = strtoll(ids[i], &end, 10);
		if (*end != '\0' || id <= 0) {
			fprintf(stderr, "moelink deadletters: not a dead letter "
			    "id: %s\n", ids[i]);
			return ML_EINVAL;
		}
		if (json_object_array_add(arr, json_object_new_int64(id)) != 0)
			return ML_ENOMEM;
	}
	return ML_OK;
}

static int
dl_replay(const struct dl_opts *o, char **ids, int nids)
{
	json_object *req = NULL, *root = NULL;
	char *body = NULL;
	long status = 0;
	int rc, ret = ML_EXIT_FAIL;

	rc = dl_replay_body(o, ids, nids, &req);
	if (rc) {
		ret = rc == ML_EINVAL ? ML_EXIT_USAGE : ML_EXIT_FAIL;
		goto out;
	}
	if (cmd_api_request(&o->api, "POST", "/deadletters/replay",
	    ml_json_text(req), &status, &body))
		goto out;
	if (status < 200 || status >= 300 || o->json) {
		ret = cmd_api_result(status, body, 1);
		goto out;
	}
	root = cmd_api_json("deadletters", body);
	if (root == NULL)
		goto out;
	printf("replayed\t%lld\n", (long long)ml_json_int(root, "replayed",
	    0));
	ret = ML_EXIT_OK;
out:
	json_object_put(root);
	json_object_put(req);
	ml_free(body);
	return ret;
}

int
cmd_deadletters(int argc, char **argv)
{
	struct dl_opts o;
	struct ml_err err;
	char *pos[DL_IDS_MAX + 1];
	int npos = 0, help = 0, ret, replay;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(dl_tab, &o, &err) ||
	    ml_opts_parse_argv(dl_tab, &o, argc, argv, 1, pos, DL_IDS_MAX + 1,
	    &npos, &help, &err)) {
		fprintf(stderr, "moelink deadletters: %s\n", err.msg);
		ret = ML_EXIT_USAGE;
		goto out;
	}
	if (help) {
		fputs(dl_usage, stdout);
		ml_opts_print_help(dl_tab, stdout);
		ret = ML_EXIT_OK;
		goto out;
	}
	replay = npos > 0 && strcmp(pos[0], "replay") == 0;
	/* replay: exactly one of ids, --account, --all. */
	if (npos == 0 || (!replay && (strcmp(pos[0], "list") != 0 ||
	    npos != 1 || o.all)) || (replay && (npos > 1) +
	    (o.account[0] != '\0') + (o.all != 0) != 1)) {
		fputs(dl_usage, stderr);
		ret = ML_EXIT_USAGE;
		goto out;
	}
	ret = cmd_api_check("deadletters", &o.api);
	if (ret != ML_EXIT_OK)
		goto out;
	if (replay)
		ret = dl_replay(&o, pos + 1, npos - 1);
	else
		ret = dl_list(&o);
out:
	sodium_memzero(&o, sizeof(o));
	return ret;
}
