/* SPDX-License-Identifier: MIT */
/*
 * cmd_link.c: `moelink link`: link a MoEngage workspace from the terminal
 * through a running `moelink serve` (POST /accounts). The server checks the
 * keys with MoEngage first, exactly as the Hub does, and stores nothing if
 * MoEngage refuses them.
 *
 *   moelink link --workspace-id WS --data-center DC --data-key KEY
 *       [--general-key KEY] [--push-key KEY] [--inform-key KEY]
 *       [--personalize-key KEY] [--db-name NAME] [--label L]
 *       [--owner-id ID] [--owner-name NAME]
 *
 * Keys can come from MOELINK_DATA_KEY, MOELINK_GENERAL_KEY, ... instead,
 * which keeps them out of `ps`. A key given alone is used for every API.
 *   stdout  the new account as JSON (exit 0)
 *   stderr  the server's JSON error, with "field" naming what to fix (exit 1)
 */
#include "cli/cmd.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <moelink/account.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/opts.h"

#define LINK_KEY_MAX 512

struct link_opts {
	struct cmd_api api;
	char workspace_id[128];
	char data_center[8];
	char key[5][LINK_KEY_MAX];
	char db_name[ML_DB_NAME_MAX];
	char label[256];
	char owner_id[256];
	char owner_name[256];
};

#define STR(field) offsetof(struct link_opts, field), \
	sizeof(((struct link_opts *)0)->field)
#define KEY(i) offsetof(struct link_opts, key[i]), LINK_KEY_MAX

/* Body member of each key option, in key[] order. */
static const char *const link_key_members[5] = {
	"data_key", "general_key", "push_key", "inform_key", "personalize_key"
};

static const struct ml_opt link_tab[] = {
	CMD_API_OPTS(struct link_opts),
	{ "workspace-id", ML_OPT_STR, STR(workspace_id), NULL, NULL, 0, 0,
	    "WS", "MoEngage Workspace ID (Settings > Account > APIs)" },
	{ "data-center", ML_OPT_STR, STR(data_center), NULL, NULL, 0, 0, "DC",
	    "01, 02, 03, 04, 05, 06 or 101 (dashboard-0X.moengage.com)" },
	{ "data-key", ML_OPT_STR, KEY(0), NULL, "MOELINK_DATA_KEY", 0, 0,
	    "KEY", "Data API key, or one multi-permission key" },
	{ "general-key", ML_OPT_STR, KEY(1), NULL, "MOELINK_GENERAL_KEY", 0, 0,
	    "KEY", "Campaign Report/Business Events/Templates/Catalog/Inform "
	    "key" },
	{ "push-key", ML_OPT_STR, KEY(2), NULL, "MOELINK_PUSH_KEY", 0, 0,
	    "KEY", "Push API key (legacy workspaces)" },
	{ "inform-key", ML_OPT_STR, KEY(3), NULL, "MOELINK_INFORM_KEY", 0, 0,
	    "KEY", "Inform API key (legacy workspaces)" },
	{ "personalize-key", ML_OPT_STR, KEY(4), NULL,
	    "MOELINK_PERSONALIZE_KEY", 0, 0, "KEY",
	    "Personalize API key (legacy workspaces)" },
	{ "db-name", ML_OPT_STR, STR(db_name), NULL, NULL, 0, 0, "NAME",
	    "MOE-DBNAME (from MoEngage support): only for file segments" },
	{ "label", ML_OPT_STR, STR(label), NULL, NULL, 0, 0, "LABEL",
	    "account label (default: the workspace's name in MoEngage)" },
	{ "owner-id", ML_OPT_STR, STR(owner_id), "cli", NULL, 0, 0, "ID",
	    "origin_owner_id: your id of the customer" },
	{ "owner-name", ML_OPT_STR, STR(owner_name), "moelink CLI", NULL, 0, 0,
	    "NAME", "origin_owner_name" },
	ML_OPT_END,
};

#undef STR
#undef KEY

static int
link_body(const struct link_opts *o, char **out)
{
	json_object *b = json_object_new_object();
	const char *text;
	size_t i;
	int rc;

	*out = NULL;
	if (b == NULL)
		return ML_ENOMEM;
	rc = ml_json_add_str(b, "origin_owner_id", o->owner_id);
	if (rc == ML_OK)
		rc = ml_json_add_str(b, "origin_owner_name", o->owner_name);
	if (rc == ML_OK && o->label[0] != '\0')
		rc = ml_json_add_str(b, "label", o->label);
	if (rc == ML_OK)
		rc = ml_json_add_str(b, "workspace_id", o->workspace_id);
	if (rc == ML_OK)
		rc = ml_json_add_str(b, "data_center", o->data_center);
	for (i = 0; rc == ML_OK && i < 5; i++)
		if (o->key[i][0] != '\0')
			rc = ml_json_add_str(b, link_key_members[i], o->key[i]);
	if (rc == ML_OK && o->db_name[0] != '\0')
		rc = ml_json_add_str(b, "db_name", o->db_name);
	if (rc == ML_OK) {
		text = ml_json_text(b);
		*out = text != NULL ? ml_strdup(text) : NULL;
		if (*out == NULL)
			rc = ML_ENOMEM;
		/* json-c's copy of the text held the keys too. */
		if (text != NULL)
			sodium_memzero((void *)(uintptr_t)text, strlen(text));
	}
	json_object_put(b);
	return rc;
}

int
cmd_link(int argc, char **argv)
{
	struct link_opts o;
	struct ml_err err;
	char *pos[1], *body = NULL, *resp = NULL;
	long status = 0;
	int npos = 0, help = 0, ret;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(link_tab, &o, &err) ||
	    ml_opts_parse_argv(link_tab, &o, argc, argv, 1, pos, 0, &npos,
	    &help, &err)) {
		fprintf(stderr, "moelink link: %s\n", err.msg);
		ret = ML_EXIT_USAGE;
		goto out;
	}
	if (help) {
		printf("Usage: moelink link --workspace-id WS --data-center DC "
		    "--data-key KEY [OPTIONS]\n\nLink a MoEngage workspace "
		    "through a running 'moelink serve'; MoEngage checks the "
		    "keys first.\n\n");
		ml_opts_print_help(link_tab, stdout);
		ret = ML_EXIT_OK;
		goto out;
	}
	if (o.workspace_id[0] == '\0' || o.data_center[0] == '\0' ||
	    (o.key[0][0] == '\0' && o.key[1][0] == '\0')) {
		fprintf(stderr, "moelink link: give --workspace-id, "
		    "--data-center and --data-key (see --help)\n");
		ret = ML_EXIT_USAGE;
		goto out;
	}
	ret = cmd_api_check("link", &o.api);
	if (ret != ML_EXIT_OK)
		goto out;
	ret = ML_EXIT_FAIL;
	if (link_body(&o, &body) != ML_OK ||
	    cmd_api_request(&o.api, "POST", "/accounts", body, &status,
	    &resp) != ML_OK)
		goto out;
	ret = cmd_api_result(status, resp, 1);
out:
	ml_free_secret(body);
	ml_free(resp);
	sodium_memzero(&o, sizeof(o));
	return ret;
}
