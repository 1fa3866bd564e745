/* SPDX-License-Identifier: MIT */
/*
 * cmd_projects.c: `moelink projects ...`: create and list projects and
 * manage their API keys, straight on the store (no server needed).
 *
 *   projects create NAME          new project + its first API key
 *   projects list                 "id<TAB>name" per project
 *   projects keys create PROJECT  another API key
 *   projects keys list PROJECT    "key_id<TAB>prefix...<TAB>live|revoked"
 *   projects keys revoke PROJECT KEY_ID
 *
 * Contract: an API key is printed exactly once, on stdout, when it is
 * created; the store keeps only its hash, so it cannot be shown again.
 * Every subcommand takes --db URL (env MOELINK_DB, default the same file
 * `moelink serve` uses). Exit codes per cmd.h. Also home of
 * cmd_store_open(), the store opening the other store commands share.
 */
#include "cli/cmd.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/opts.h"
#include "store/store.h"

struct projects_opts {
	char db[1024];
};

static const struct ml_opt projects_tab[] = {
	{ "db", ML_OPT_STR, offsetof(struct projects_opts, db),
	    sizeof(((struct projects_opts *)0)->db), ML_STORE_DEFAULT_URL,
	    "MOELINK_DB", 0, 0, "URL", "store URL (" ML_STORE_SCHEMES "PATH)" },
	ML_OPT_END,
};

static const char projects_usage[] =
    "Usage: moelink projects create NAME [--db URL]\n"
    "       moelink projects list [--db URL]\n"
    "       moelink projects keys create PROJECT_ID [--db URL]\n"
    "       moelink projects keys list PROJECT_ID [--db URL]\n"
    "       moelink projects keys revoke PROJECT_ID KEY_ID [--db URL]\n\n"
    "Create projects and their API keys. A new API key is printed ONCE:\n"
    "moelink stores only its hash.\n\n";

int
cmd_store_open(const char *cmd, const char *url, struct ml_store **s)
{
	struct ml_err err;

	ml_err_clear(&err);
	if (ml_store_open(url, s, &err) != ML_OK) {
		fprintf(stderr, "moelink %s: cannot open the store %s: %s\n",
		    cmd, url, err.msg);
		return ML_EXIT_FAIL;
	}
	return ML_EXIT_OK;
}

/* Report a failed store call; always ML_EXIT_FAIL. */
static int
projects_fail(const char *what, const struct ml_err *err)
{
	fprintf(stderr, "moelink projects: %s: %s\n", what, err->msg);
	return ML_EXIT_FAIL;
}

/* Create a key for project_id and print it once. */
static int
projects_key_create(struct ml_store *s, const char *project_id)
{
	char key[ML_STORE_TOKEN_MAX];
	struct ml_store_apikey info;
	struct ml_err err;
	int rc;

	ml_err_clear(&err);
	ml_store_apikey_init(&info);
	rc = ml_store_apikey_create(s, project_id, key, sizeof(key), &info,
	    &err);
	if (rc)
		return projects_fail("cannot create an API key", &err);
	printf("api_key\t%s\nkey_id\t%s\n", key, info.id);
	fflush(stdout);
	sodium_memzero(key, sizeof(key));
	fprintf(stderr, "moelink: the API key above is shown ONCE; moelink "
	    "keeps only its hash. Store it now (send it as 'Authorization: "
	    "Bearer <key>').\n");
	return ML_EXIT_OK;
}

static int
projects_create(struct ml_store *s, const char *name)
{
	struct ml_store_project p;
	struct ml_err err;

	ml_err_clear(&err);
	ml_store_project_init(&p);
	if (ml_store_project_create(s, name, &p, &err) != ML_OK)
		return projects_fail("cannot create the project", &err);
	printf("project_id\t%s\nname\t%s\n", p.id, p.name);
	return projects_key_create(s, p.id);
}

static int
projects_list(struct ml_store *s)
{
	struct ml_store_project *list = NULL;
	struct ml_err err;
	size_t i, n = 0;

	ml_err_clear(&err);
	if (ml_store_project_list(s, &list, &n, &err) != ML_OK)
		return projects_fail("cannot list projects", &err);
	for (i = 0; i < n; i++)
		printf("%s\t%s\n", list[i].id, list[i].name);
	if (n == 0)
		fprintf(stderr, "moelink: no projects yet; create one with "
		    "'moelink projects create NAME'\n");
	ml_store_project_list_free(list, n);
	return ML_EXIT_OK;
}

static int
projects_keys_list(struct ml_store *s, const char *project_id)
{
	struct ml_store_apikey *list = NULL;
	struct ml_store_project p;
	struct ml_err err;
	size_t i, n = 0;

	ml_err_clear(&err);
	ml_store_project_init(&p);
	if (ml_store_project_get(s, project_id, &p, &err) != ML_OK)
		return projects_fail(project_id, &err);
	if (ml_store_apikey_list(s, project_id, &list, &n, &err) != ML_OK)
		return projects_fail("cannot list API keys", &err);
	for (i = 0; i < n; i++)
		printf("%s\t%s...\t%s\n", list[i].id, list[i].prefix,
		    list[i].revoked_at != 0 ? "revoked" : "live");
	ml_store_apikey_list_free(list, n);
	return ML_EXIT_OK;
}

static int
projects_keys(struct ml_store *s, char **pos, int npos)
{
	struct ml_err err;

	ml_err_clear(&err);
	if (npos == 3 && strcmp(pos[1], "create") == 0)
		return projects_key_create(s, pos[2]);
	if (npos == 3 && strcmp(pos[1], "list") == 0)
		return projects_keys_list(s, pos[2]);
	if (npos == 4 && strcmp(pos[1], "revoke") == 0) {
		if (ml_store_apikey_revoke(s, pos[2], pos[3], &err) != ML_OK)
			return projects_fail(pos[3], &err);
		printf("revoked\t%s\n", pos[3]);
		return ML_EXIT_OK;
	}
	fputs(projects_usage, stderr);
	return ML_EXIT_USAGE;
}

int
cmd_projects(int argc, char **argv)
{
	struct projects_opts o;
	struct ml_store *s = NULL;
	struct ml_err err;
	char *pos[4];
	int npos = 0, help = 0, rc;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(projects_tab, &o, &err) ||
	    ml_opts_parse_argv(projects_tab, &o, argc, argv, 1, pos, 4, &npos,
	    &help, &err)) {
		fprintf(stderr, "moelink projects: %s\n", err.msg);
		return ML_EXIT_USAGE;
	}
	if (help) {
		fputs(projects_usage, stdout);
		ml_opts_print_help(projects_tab, stdout);
		return ML_EXIT_OK;
	}
	if (npos == 0 || !((strcmp(pos[0], "create") == 0 && npos == 2) ||
	    (strcmp(pos[0], "list") == 0 && npos == 1) ||
	    (strcmp(pos[0], "keys") == 0 && npos >= 3))) {
		fputs(projects_usage, stderr);
		return ML_EXIT_USAGE;
	}
	rc = cmd_store_open("projects", o.db, &s);
	if (rc)
		return rc;
	if (strcmp(pos[0], "create") == 0)
		rc = projects_create(s, pos[1]);
	else if (strcmp(pos[0], "list") == 0)
		rc = projects_list(s);
	else
		rc = projects_keys(s, pos, npos);
	ml_store_close(s);
	return rc;
}
