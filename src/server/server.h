/* SPDX-License-Identifier: MIT */
/*
 * server.h: `moelink serve`, the front end that owns the HTTP daemon, the
 * store, the vault and the MoEngage client.
 *
 * cmd_serve.c fills struct ml_server_opts from its option table and calls
 * ml_server_run(), which blocks until SIGTERM/SIGINT and then shuts down
 * gracefully: stop accepting, let in-flight requests finish (up to
 * drain_ms), cancel what is left, close the store.
 */
#ifndef ML_SERVER_H
#define ML_SERVER_H

#include <pthread.h>
#include <stdint.h>

#include <moelink/client.h>
#include <moelink/err.h>

#include "server/http.h"
#include "store/store.h"
#include "vault/vault.h"

#define ML_SERVER_URL_MAX 256

struct ml_server_opts {
	char listen[128];		/* "HOST:PORT" (PORT 0 = any free) */
	char port_file[512];		/* bound port written here once accepting */
	char db[1024];			/* store URL */
	char config[512];
	char public_url[ML_SERVER_URL_MAX];	/* base of auth links */
	char log_level[16];
	char key_file[512];		/* vault key file */
	char master_key[128];		/* base64, from MOELINK_MASTER_KEY */
	char frame_origins[1024];	/* default origins allowed to embed the Hub */
	char connect_to[128];		/* MOELINK_MOENGAGE_CONNECT_TO */
	char ca_file[512];		/* MOELINK_CA_FILE */
	char proxy[512];		/* MOELINK_MOENGAGE_PROXY */
	long threads;			/* MHD thread pool size */
	long conn_memory;		/* MHD per-connection memory, bytes */
	long drain_ms;			/* graceful shutdown wait */
	long session_ttl;		/* dashboard session lifetime, seconds */
	/* MoEngage calls on a caller's behalf (rpc, proxy, MCP): retry.h */
	long retry_attempts;		/* tries in all, first included */
	long retry_base_ms;		/* first backoff */
	long retry_max_wait_ms;		/* longest rate-limit wait */
};

struct ml_acache;
struct ml_deliver;
struct ml_work;

/* What the request handlers reach through r->srv. */
/*
 * One verified project API key (auth.c): a keyed BLAKE2b of the key under
 * the server's secret, never the key or the store's hash of it.
 */
#define ML_AUTH_KEY_CACHE_SLOTS	32
#define ML_AUTH_KEY_CACHE_NS	1000000000LL	/* a revocation's delay */
struct ml_auth_key_slot {
	unsigned char mac[32];
	char project_id[ML_STORE_ID_MAX];
	int64_t until_ns;		/* 0 = empty */
	uint64_t gen;			/* ml_store_apikey_gen when filled */
};

struct ml_server {
	struct ml_server_opts opts;
	struct ml_store *store;
	struct ml_vault *vault;
	struct ml_client *client;	/* MoEngage calls, full retry policy */
	struct ml_client *verify_client; /* link checks: fail fast */
	pthread_rwlock_t client_lock;	/* clients may go away at shutdown */
	struct ml_deliver *deliver;	/* outbox worker (deliver.h) */
	struct ml_work *work;		/* CPU-heavy steps (work.h) */
	struct ml_acache *acache;	/* accounts for 1 s (acache.h) */
	int stopping;
	struct MHD_Daemon *daemon;
	const struct ml_route *routes;
	char public_url[ML_SERVER_URL_MAX];	/* no trailing slash */
	unsigned char secret[32];	/* derives Hub CSRF tokens */
	pthread_mutex_t inflight_mu;
	pthread_cond_t inflight_cv;
	long inflight;
	/* Verified project keys, for ML_AUTH_KEY_CACHE_NS (auth.c). */
	pthread_mutex_t key_cache_mu;
	struct ml_auth_key_slot key_cache[ML_AUTH_KEY_CACHE_SLOTS];
	/* /healthz checks the store at most once per second (api.c). */
	pthread_mutex_t health_mu;
	int64_t health_at_ns;		/* last check, monotonic; 0 = never */
	int health_rc;			/* its result, ML_OK or ML_E* */
	int health_version;		/* schema version it read */
	uint16_t port;
};

/* Defaults for the options (cmd_serve's table sets the rest). */
void ml_server_opts_init(struct ml_server_opts *o);

/*
 * Run the server until SIGTERM or SIGINT. Blocks those signals in every
 * thread it starts and waits for them with sigwait; SIGHUP reloads the
 * vault keys. Returns ML_OK after a clean shutdown.
 */
int ml_server_run(const struct ml_server_opts *opts, struct ml_err *err);

/* The route table (server.c). */
extern const struct ml_route ml_server_routes[];

#endif
