/* SPDX-License-Identifier: MIT */
/*
 * cmd_actions.c: `moelink actions [--family F]`: list the action catalog,
 * one "name<TAB>family" line per action, in catalog order.
 */
#include "cli/cmd.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <moelink/catalog.h>

#include "core/opts.h"

struct actions_opts {
	char family[32];
};

static const struct ml_opt actions_tab[] = {
	{ "family", ML_OPT_STR, offsetof(struct actions_opts, family),
	    sizeof(((struct actions_opts *)0)->family), NULL, NULL, 0, 0,
	    "FAMILY", "only this API family (data, push, catalog, ...)" },
	ML_OPT_END,
};

int
cmd_actions(int argc, char **argv)
{
	const struct ml_action *const *rows;
	struct actions_opts o;
	struct ml_err err;
	enum ml_family fam = ML_FAM_DATA;
	char *pos[1];
	int npos, help, f;
	size_t i, n;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(actions_tab, &o, &err) ||
	    ml_opts_parse_argv(actions_tab, &o, argc, argv, 1, pos, 0, &npos,
	    &help, &err)) {
		fprintf(stderr, "moelink actions: %s\n", err.msg);
		return ML_EXIT_USAGE;
	}
	if (help) {
		printf("Usage: moelink actions [--family FAMILY]\n\n"
		    "List the MoEngage actions, one \"name<TAB>family\" "
		    "line each.\n\n");
		ml_opts_print_help(actions_tab, stdout);
		return ML_EXIT_OK;
	}
	if (o.family[0] != '\0' && ml_family_parse(o.family, &fam) != ML_OK) {
		fprintf(stderr, "moelink actions: unknown family '%s'; one of:",
		    o.family);
		for (f = 0; f < ML_FAM_COUNT; f++)
			fprintf(stderr, " %s", ml_family_name((enum ml_family)f));
		fputc('\n', stderr);
		return ML_EXIT_USAGE;
	}
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++) {
		if (o.family[0] != '\0' && rows[i]->family != fam)
			continue;
		printf("%s\t%s\n", rows[i]->name,
		    ml_family_name(rows[i]->family));
	}
	return ML_EXIT_OK;
}
