/* SPDX-License-Identifier: MIT */
/*
 * main.c: the moelink binary's entry point: dispatch to a subcommand.
 * Add a command by adding a row to ml_cmds and a cmd_<name>.c file.
 */
#include "cli/cmd.h"

#include <stdio.h>
#include <string.h>

#include "ml_version.h"

const struct ml_cmd ml_cmds[] = {
	{ "version", cmd_version, "print the version" },
	{ "import", cmd_import, "stream users and events from a file" },
	{ "actions", cmd_actions, "list the MoEngage actions" },
	{ "call", cmd_call, "call one MoEngage action directly" },
	{ "projects", cmd_projects, "create projects and their API keys" },
	{ "vault", cmd_vault, "rotate the master key; key status" },
	{ "admin", cmd_admin, "set the dashboard admin password" },
	{ "serve", cmd_serve, "run the hub: REST API, Hub and dashboard" },
	{ "accounts", cmd_accounts,
	    "list, show, verify, deactivate, activate or delete accounts; "
	    "write keys" },
	{ "link", cmd_link, "link a MoEngage workspace from the terminal" },
	{ "deadletters", cmd_deadletters,
	    "list or replay what MoEngage refused for good" },
	{ "sim", cmd_sim, "run the MoEngage simulator (local sandbox)" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *fp)
{
	const struct ml_cmd *c;

	fprintf(fp,
	    "moelink %s: a self-hosted MoEngage integration hub\n\n"
	    "Usage: moelink COMMAND [OPTIONS]\n\nCommands:\n", MOELINK_VERSION);
	for (c = ml_cmds; c->name != NULL; c++)
		fprintf(fp, "  %-12s %s\n", c->name, c->summary);
	fprintf(fp, "\nRun 'moelink COMMAND --help' for a command's options.\n");
}

int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("moelink %s\n", MOELINK_VERSION);
	return ML_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const struct ml_cmd *c;

	if (argc < 2) {
		usage(stderr);
		return ML_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return ML_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (c = ml_cmds; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "moelink: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return ML_EXIT_USAGE;
}
