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

#include <stddef.h>

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
int cmd_import(int argc, char **argv);
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
int cmd_accounts(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_deadletters(int argc, char **argv);

/*
 * A running `moelink serve`, for the commands that use its REST API
 * (cmd_accounts.c). CMD_API_OPTS(type) gives the --server and --api-key
 * rows of an option table whose struct has a `struct cmd_api api` member.
 */
struct cmd_api {
	char server[512];
	char api_key[256];
};

#define CMD_API_OPTS(type) \
	{ "server", ML_OPT_STR, offsetof(type, api.server), \
	    sizeof(((type *)0)->api.server), "http://127.0.0.1:8080", \
	    "MOELINK_SERVER", 0, 0, "URL", "the moelink server" }, \
	{ "api-key", ML_OPT_STR, offsetof(type, api.api_key), \
	    sizeof(((type *)0)->api.api_key), NULL, "MOELINK_API_KEY", 0, 0, \
	    "KEY", "project API key (better: env MOELINK_API_KEY)" }

/*
 * The MoEngage client's retry options (retry.h), the same in `moelink call`
 * and `moelink serve`: three long members of the table's struct.
 */
#define CMD_RETRY_OPTS(type, attempts, base_ms, max_wait_ms) \
	{ "retry-attempts", ML_OPT_LONG, offsetof(type, attempts), \
	    sizeof(long), "6", "MOELINK_RETRY_MAX_ATTEMPTS", 1, 20, "N", \
	    "MoEngage tries per call, the first included" }, \
	{ "retry-base-ms", ML_OPT_LONG, offsetof(type, base_ms), \
	    sizeof(long), "2000", "MOELINK_RETRY_BASE_MS", 1, 60000, "MS", \
	    "first retry backoff (doubles each time)" }, \
	{ "retry-max-wait-ms", ML_OPT_LONG, offsetof(type, max_wait_ms), \
	    sizeof(long), "65000", "MOELINK_RETRY_MAX_WAIT_MS", 1, 600000, \
	    "MS", "longest wait for a MoEngage rate-limit window; a 429 " \
	    "whose window opens later ends the call at once" }

/*
 * CURLOPT_WRITEFUNCTION that appends to the struct ml_buf in
 * CURLOPT_WRITEDATA; past the buffer's max it returns 0, so libcurl ends
 * the transfer with CURLE_WRITE_ERROR.
 */
size_t cmd_curl_write_buf(char *data, size_t size, size_t n, void *ud);
/* Usage error (exit 2) unless an API key is set. */
int cmd_api_check(const char *cmd, const struct cmd_api *api);
/*
 * METHOD server+path with the API key, optional JSON body. On ML_OK,
 * *status is the HTTP status and *resp the body (ml_free). A transport
 * failure prints a JSON error on stderr and returns ML_ENET.
 */
int cmd_api_request(const struct cmd_api *api, const char *method,
    const char *path, const char *body, long *status, char **resp);
/* The same with one more request header ("Name: value", or NULL). */
int cmd_api_request_hdr(const struct cmd_api *api, const char *method,
    const char *path, const char *header, const char *body, long *status,
    char **resp);
/* 2xx: print body if asked, exit 0; else body to stderr, exit 1. */
int cmd_api_result(long status, const char *body, int print_ok);
/*
 * The server's answer parsed (json_object_put it), or NULL after saying on
 * stderr that it is not JSON ("moelink CMD: ...").
 */
struct json_object;
struct json_object *cmd_api_json(const char *cmd, const char *body);
int cmd_sim(int argc, char **argv);

#endif
