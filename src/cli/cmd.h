/* SPDX-License-Identifier: MIT */
/*
 * cmd.h: the subcommands of the moelink binary. Each lives in cmd_<name>.c
 * and gets argv with argv[0] = the subcommand name.
 *
 * Exit codes (every command): 0 success, 1 MoEngage/validation/runtime
 * error (JSON error on stderr where the command talks to an API), 2 usage.
 */
#ifndef ML_CMD_H
#define ML_CMD_H

#define ML_EXIT_OK 0
#define ML_EXIT_FAIL 1
#define ML_EXIT_USAGE 2

struct ml_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* The command table, NULL-terminated (main.c). */
extern const struct ml_cmd ml_cmds[];

int cmd_version(int argc, char **argv);
int cmd_actions(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_projects(int argc, char **argv);
int cmd_vault(int argc, char **argv);
int cmd_admin(int argc, char **argv);

struct ml_store;
/*
 * Open the store at url for subcommand cmd; on failure print why and
 * return ML_EXIT_FAIL (cmd_projects.c).
 */
int cmd_store_open(const char *cmd, const char *url, struct ml_store **s);
int cmd_serve(int argc, char **argv);
int cmd_sim(int argc, char **argv);

#endif
