/* SPDX-License-Identifier: MIT */
/*
 * server.c: `moelink serve`: the route table and the server's life:
 * master keys, store, MoEngage client, the HTTP daemon, first-run set-up,
 * signals and graceful shutdown.
 *
 * Contract: the daemon is libmicrohttpd with epoll in an internal thread
 * pool (MHD_USE_EPOLL_INTERNAL_THREAD, pool of opts.threads), a per-
 * connection memory cap, suspend/resume allowed. The port file is written
 * (temp file + rename) only once the socket accepts. SIGTERM/SIGINT stop
 * accepting, wait up to drain_ms for requests in flight, cancel MoEngage
 * calls still running (which resumes their connections), stop the daemon,
 * close the store. SIGHUP reloads the vault's master keys. On an empty
 * database the first run creates the "default" project and prints its API
 * key and a one-time dashboard sign-in link, once.
 */
#include "server/server.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <moelink/buf.h>
#include <moelink/mem.h>

#include "core/log.h"
#include "server/acache.h"
#include "server/api.h"
#include "server/api_actions.h"
#include "server/assets.h"
#include "server/deliver.h"
#include "server/http.h"
#include "server/work.h"

#define SERVER_SECRET_SETTING "hub_csrf_secret_sealed"
#define SERVER_SECRET_AD "server:hub_csrf_secret"
#define SERVER_SIGNIN_TTL (24 * 3600)

static int server_root(struct ml_http_req *r);

const struct ml_route ml_server_routes[] = {
	{ "GET", "/", server_root, ML_ROUTE_PUBLIC, 0 },
	{ "GET", "/healthz", ml_api_healthz, ML_ROUTE_PUBLIC, 0 },
	{ "GET", "/hub", ml_hub_page, ML_ROUTE_PUBLIC, 0 },
	{ "GET", "/hub.js", ml_assets_hub_js, ML_ROUTE_PUBLIC, 0 },
	{ "GET", "/assets/{name}", ml_assets_serve, ML_ROUTE_PUBLIC, 0 },
	{ "GET", "/hub/api/session", ml_hub_session, ML_ROUTE_PUBLIC, 0 },
	{ "POST", "/hub/api/link", ml_hub_link, ML_ROUTE_PUBLIC, 64 * 1024 },
	{ "GET", "/dashboard", ml_dashboard_page, ML_ROUTE_PUBLIC, 0 },
	{ "GET", "/dashboard/signin", ml_dashboard_signin_link,
	    ML_ROUTE_PUBLIC, 0 },
	{ "POST", "/dashboard/api/signin", ml_dashboard_signin,
	    ML_ROUTE_PUBLIC, 16 * 1024 },
	{ "POST", "/dashboard/api/signout", ml_dashboard_signout,
	    ML_ROUTE_PUBLIC, 1024 },
	{ "GET", "/dashboard/api/me", ml_dashboard_me, ML_ROUTE_PUBLIC, 0 },
	{ "GET", "/dashboard/api/settings", ml_dashboard_settings_get,
	    ML_ROUTE_PROJECT, 0 },
	{ "PUT", "/dashboard/api/settings", ml_dashboard_settings_put,
	    ML_ROUTE_PROJECT, 16 * 1024 },
	{ "POST", "/connect_sessions", ml_api_sessions_create,
	    ML_ROUTE_PROJECT, 64 * 1024 },
	{ "GET", "/connect_sessions/{id}", ml_api_sessions_get,
	    ML_ROUTE_PROJECT, 0 },
	{ "GET", "/accounts", ml_api_accounts_list, ML_ROUTE_PROJECT, 0 },
	{ "POST", "/accounts", ml_api_accounts_create, ML_ROUTE_PROJECT,
	    64 * 1024 },
	{ "GET", "/accounts/{id}", ml_api_accounts_get, ML_ROUTE_PROJECT, 0 },
	{ "PATCH", "/accounts/{id}", ml_api_accounts_patch, ML_ROUTE_PROJECT,
	    64 * 1024 },
	{ "DELETE", "/accounts/{id}", ml_api_accounts_delete,
	    ML_ROUTE_PROJECT, 0 },
	{ "POST", "/accounts/{id}/verify", ml_api_accounts_verify,
	    ML_ROUTE_PROJECT, 1024 },
	{ "GET", "/actions", ml_api_actions_list, ML_ROUTE_PROJECT, 0 },
	{ "POST", "/actions/rpc", ml_api_actions_rpc, ML_ROUTE_PROJECT,
	    ML_API_ACTIONS_BODY_MAX },
	{ "POST", "/proxy", ml_api_proxy, ML_ROUTE_PROJECT,
	    ML_API_ACTIONS_BODY_MAX },
	{ "POST", "/mcp", ml_api_mcp, ML_ROUTE_PROJECT,
	    ML_API_ACTIONS_BODY_MAX },
	{ "GET", "/openapi.json", ml_api_openapi, ML_ROUTE_PUBLIC, 0 },
	ML_DELIVER_ROUTES,
	{ NULL, NULL, NULL, 0, 0 },
};

static int
server_root(struct ml_http_req *r)
{
	int rc = ml_http_add_header(r, "Location", "/dashboard");

	if (rc)
		return rc;
	return ml_http_reply(r, 302, "text/plain; charset=utf-8",
	    "See /dashboard\n", 15);
}

void
ml_server_opts_init(struct ml_server_opts *o)
{
	memset(o, 0, sizeof(*o));
	ml_strlcpy(o->listen, "127.0.0.1:8080", sizeof(o->listen));
	ml_strlcpy(o->db, ML_STORE_DEFAULT_URL, sizeof(o->db));
	ml_strlcpy(o->log_level, "info", sizeof(o->log_level));
	ml_strlcpy(o->key_file, ML_VAULT_DEFAULT_KEY_FILE,
	    sizeof(o->key_file));
	o->threads = 2;
	o->conn_memory = 16 * 1024;
	o->drain_ms = 10000;
	o->session_ttl = 12 * 3600;
}

/* Split "HOST:PORT" / "[V6]:PORT" and resolve it for bind(). */
static int
server_resolve(const char *listen, struct sockaddr_storage *ss,
    socklen_t *sslen, char *host, size_t hcap, struct ml_err *err)
{
	struct addrinfo hints, *res = NULL;
	const char *colon, *port;
	size_t hlen;
	int gai;

	if (listen[0] == '[') {
		colon = strstr(listen, "]:");
		if (colon == NULL)
			goto bad;
		hlen = (size_t)(colon - listen - 1);
		port = colon + 2;
		if (hlen == 0 || hlen >= hcap)
			goto bad;
		memcpy(host, listen + 1, hlen);
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL)
			goto bad;
		hlen = (size_t)(colon - listen);
		port = colon + 1;
		if (hlen == 0 || hlen >= hcap)
			goto bad;
		memcpy(host, listen, hlen);
	}
	host[hlen] = '\0';
	if (port[0] == '\0')
		goto bad;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai != 0 || res == NULL)
		return ml_err_set(err, ML_EINVAL, "invalid_listen",
		    "--listen %s: %s", listen, gai_strerror(gai));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return ML_OK;
bad:
	return ml_err_set(err, ML_EINVAL, "invalid_listen",
	    "--listen must be HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080); "
	    "got '%s'", listen);
}

static int
server_write_port_file(const char *path, uint16_t port, struct ml_err *err)
{
	char tmp[600];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return ml_err_set(err, ML_EIO, "io_error", "cannot write %s: %s",
		    tmp, strerror(errno));
	fprintf(fp, "%u\n", (unsigned)port);
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return ml_err_set(err, ML_EIO, "io_error", "cannot write %s: %s",
		    path, strerror(errno));
	}
	return ML_OK;
}

/*
 * The secret that keys Hub CSRF tokens: kept sealed by the vault in the
 * settings, so a copy of the database alone cannot mint tokens. If it
 * cannot be opened (master key replaced) a new one is made: open Hub pages
 * then only need a reload.
 */
static int
server_secret(struct ml_server *srv, struct ml_err *err)
{
	unsigned char *blob = NULL, bin[512];
	char *text = NULL, *b64 = NULL;
	struct ml_buf plain;
	size_t blen = 0, bin_len = 0, b64_len;
	int rc;

	ml_buf_init(&plain, ML_VAULT_PLAINTEXT_MAX);
	rc = ml_store_setting_get(srv->store, NULL, SERVER_SECRET_SETTING,
	    &text, NULL);
	if (rc == ML_OK && sodium_base642bin(bin, sizeof(bin), text,
	    strlen(text), NULL, &bin_len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    ml_vault_open(srv->vault, SERVER_SECRET_AD, bin, bin_len, NULL,
	    &plain, NULL) == ML_OK && plain.len == sizeof(srv->secret)) {
		memcpy(srv->secret, plain.data, sizeof(srv->secret));
		rc = ML_OK;
		goto out;
	}
	randombytes_buf(srv->secret, sizeof(srv->secret));
	rc = ml_vault_seal(srv->vault, SERVER_SECRET_AD, srv->secret,
	    sizeof(srv->secret), &blob, &blen, NULL, 0, err);
	if (rc)
		goto out;
	b64_len = sodium_base64_ENCODED_LEN(blen,
	    sodium_base64_VARIANT_ORIGINAL);
	b64 = ml_malloc(b64_len);
	if (b64 == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	sodium_bin2base64(b64, b64_len, blob, blen,
	    sodium_base64_VARIANT_ORIGINAL);
	rc = ml_store_setting_set(srv->store, NULL, SERVER_SECRET_SETTING, b64,
	    err);
out:
	ml_buf_cleanup_zero(&plain);
	ml_free(text);
	ml_free(b64);
	ml_free(blob);
	return rc;
}

/* First run on an empty database: a project, its key, a sign-in link. */
static int
server_first_run(struct ml_server *srv, struct ml_err *err)
{
	struct ml_store_project p;
	struct ml_store_dash d;
	char key[ML_STORE_TOKEN_MAX] = "", token[ML_STORE_TOKEN_MAX] = "";
	int64_t n = 0;
	int rc;

	ml_store_project_init(&p);
	ml_store_dash_init(&d);
	rc = ml_store_project_count(srv->store, &n, err);
	if (rc || n > 0)
		goto out;
	rc = ml_store_project_create(srv->store, "default", &p, err);
	if (rc == ML_OK)
		rc = ml_store_apikey_create(srv->store, p.id, key, sizeof(key),
		    NULL, err);
	if (rc)
		goto out;
	ml_strlcpy(d.subject, "admin", sizeof(d.subject));
	d.one_time = 1;
	d.expires_at = ml_store_now() + SERVER_SIGNIN_TTL;
	rc = ml_store_dash_create(srv->store, &d, token, sizeof(token), err);
	if (rc)
		goto out;
	printf("\nmoelink: first run: created project \"default\" (%s).\n"
	    "moelink: its API key, shown only this once (keep it secret):\n"
	    "    %s\n"
	    "moelink: one-time dashboard sign-in link (valid 24 hours):\n"
	    "    %s/dashboard/signin?token=%s\n\n", p.id, key,
	    srv->public_url, token);
	fflush(stdout);
	log_info("msg=\"first run: created the default project, its API key "
	    "and a one-time sign-in link (printed on stdout)\" project=%s",
	    p.id);
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(token, sizeof(token));
	ml_store_dash_cleanup(&d);
	ml_store_project_cleanup(&p);
	return rc;
}

/* Start MHD on ss (resolved from --listen host) and settle public_url. */
static int
server_start_daemon(struct ml_server *srv, struct sockaddr_storage *ss,
    char *host, size_t hcap, struct ml_err *err)
{
	const union MHD_DaemonInfo *info;
	unsigned flags;
	int rc;

	flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG;
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, ml_http_access,
	    srv,
	    MHD_OPTION_EXTERNAL_LOGGER, ml_log_mhd, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->opts.threads,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)srv->opts.conn_memory,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_CONNECTION_LIMIT, 4096u,
	    MHD_OPTION_NOTIFY_COMPLETED, ml_http_completed, srv,
	    MHD_OPTION_END);
	if (srv->daemon == NULL)
		return ml_err_set(err, ML_EIO, "listen_failed",
		    "cannot listen on %s (address in use, or not an address "
		    "of this machine?)", srv->opts.listen);
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info != NULL ? info->port : 0;
	if (srv->opts.public_url[0] != '\0') {
		ml_strlcpy(srv->public_url, srv->opts.public_url,
		    sizeof(srv->public_url));
	} else {
		if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
			ml_strlcpy(host, "localhost", hcap);
		snprintf(srv->public_url, sizeof(srv->public_url),
		    strchr(host, ':') != NULL ? "http://[%s]:%u" :
		    "http://%s:%u", host, (unsigned)srv->port);
	}
	rc = (int)strlen(srv->public_url);
	while (rc > 0 && srv->public_url[rc - 1] == '/')
		srv->public_url[--rc] = '\0';
	return ML_OK;
}

/* Stop accepting, drain, cancel upstream calls, stop the daemon. */
static void
server_shutdown(struct ml_server *srv)
{
	struct timespec until;
	MHD_socket fd;
	long left;

	if (srv->daemon == NULL)
		goto client;
	fd = MHD_quiesce_daemon(srv->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += srv->opts.drain_ms / 1000;
	until.tv_nsec += (srv->opts.drain_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&srv->inflight_mu);
	while (srv->inflight > 0 && pthread_cond_timedwait(&srv->inflight_cv,
	    &srv->inflight_mu, &until) == 0)
		;
	left = srv->inflight;
	pthread_mutex_unlock(&srv->inflight_mu);
	if (left > 0)
		log_warn("msg=\"shutdown: requests still running after the "
		    "drain period are canceled\" requests=%ld", left);
client:
	pthread_rwlock_wrlock(&srv->client_lock);
	srv->stopping = 1;
	pthread_rwlock_unlock(&srv->client_lock);
	/* Cancels calls in flight: their callbacks resume the connections. */
	ml_client_free(srv->client);
	ml_client_free(srv->verify_client);
	/* Runs the jobs still queued: each resumes its connection. */
	ml_work_free(srv->work);
	pthread_rwlock_wrlock(&srv->client_lock);
	srv->client = NULL;
	srv->verify_client = NULL;
	srv->work = NULL;
	pthread_rwlock_unlock(&srv->client_lock);
	if (srv->daemon != NULL)
		MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	/* Rows still in flight stay in the outbox for the next start. */
	ml_deliver_free(srv->deliver);
	srv->deliver = NULL;
}

/* The outbox worker: its own client, MOELINK_DELIVER_* from the environment. */
static int
server_deliver(struct ml_server *srv, struct ml_err *err)
{
	struct ml_deliver_opts dopts;
	int rc;

	ml_deliver_opts_init(&dopts);
	rc = ml_deliver_opts_from_env(&dopts, err);
	if (rc)
		return rc;
	ml_strlcpy(dopts.connect_to, srv->opts.connect_to,
	    sizeof(dopts.connect_to));
	ml_strlcpy(dopts.ca_file, srv->opts.ca_file, sizeof(dopts.ca_file));
	ml_strlcpy(dopts.proxy, srv->opts.proxy, sizeof(dopts.proxy));
	return ml_deliver_new(&dopts, srv->opts.db, srv->store, srv->vault,
	    &srv->deliver, err);
}

static int
server_open(struct ml_server *srv, struct ml_err *err)
{
	struct ml_client_opts copts;
	unsigned vflags = 0;
	int rc;

	rc = ml_vault_new(&srv->vault, err);
	if (rc == ML_OK)
		rc = ml_vault_load(srv->vault, srv->opts.master_key[0] != '\0' ?
		    srv->opts.master_key : NULL, srv->opts.key_file, 1,
		    &vflags, err);
	if (rc)
		return rc;
	if (vflags & ML_VAULT_GENERATED)
		log_warn("msg=\"GENERATED A NEW MASTER KEY: every linked "
		    "account's credentials are sealed with it. BACK UP %s NOW "
		    "(or set MOELINK_MASTER_KEY): without it no stored "
		    "credential can be opened\" key_file=%s",
		    srv->opts.key_file, srv->opts.key_file);
	rc = ml_store_open(srv->opts.db, &srv->store, err);
	if (rc == ML_OK)
		rc = ml_acache_new(&srv->acache, err);
	if (rc == ML_OK)
		rc = server_secret(srv, err);
	/* One thread: password checks take turns (and slow guessing down). */
	if (rc == ML_OK)
		rc = ml_work_new(1, &srv->work, err);
	if (rc == ML_OK)
		rc = server_deliver(srv, err);
	if (rc)
		return rc;
	ml_client_opts_init(&copts);
	copts.connect_to = srv->opts.connect_to[0] != '\0' ?
	    srv->opts.connect_to : NULL;
	copts.ca_file = srv->opts.ca_file[0] != '\0' ? srv->opts.ca_file :
	    NULL;
	copts.proxy = srv->opts.proxy[0] != '\0' ? srv->opts.proxy : NULL;
	/* A caller waits on these: --retry-* bound how long (retry.h). */
	if (srv->opts.retry_attempts > 0)
		copts.retry.max_attempts = (int)srv->opts.retry_attempts;
	if (srv->opts.retry_base_ms > 0)
		copts.retry.base_ms = srv->opts.retry_base_ms;
	if (srv->opts.retry_max_wait_ms > 0)
		copts.retry.max_wait_ms = srv->opts.retry_max_wait_ms;
	rc = ml_client_new(&copts, &srv->client, err);
	if (rc)
		return rc;
	/* A person waits on a link check: one quick retry, short timeouts. */
	copts.timeout_ms = 15000;
	copts.connect_timeout_ms = 5000;
	copts.retry.max_attempts = 2;
	copts.retry.base_ms = 300;
	copts.retry.max_backoff_ms = 1000;
	copts.retry.max_wait_ms = 3000;
	return ml_client_new(&copts, &srv->verify_client, err);
}

static void
server_close(struct ml_server *srv)
{
	server_shutdown(srv);
	ml_acache_free(srv->acache);
	ml_store_close(srv->store);
	ml_vault_free(srv->vault);
	pthread_rwlock_destroy(&srv->client_lock);
	pthread_mutex_destroy(&srv->inflight_mu);
	pthread_mutex_destroy(&srv->health_mu);
	pthread_mutex_destroy(&srv->key_cache_mu);
	sodium_memzero(srv->key_cache, sizeof(srv->key_cache));
	pthread_cond_destroy(&srv->inflight_cv);
	sodium_memzero(srv->secret, sizeof(srv->secret));
	sodium_memzero(srv->opts.master_key, sizeof(srv->opts.master_key));
	ml_free(srv);
}

static void
server_wait(struct ml_server *srv, const sigset_t *set)
{
	struct ml_err err;
	int sig = 0;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		ml_err_clear(&err);
		if (ml_vault_reload(srv->vault, srv->opts.master_key[0] ?
		    srv->opts.master_key : NULL, srv->opts.key_file,
		    &err) == ML_OK)
			log_info("msg=\"SIGHUP: master keys reloaded\" keys=%zu",
			    ml_vault_key_count(srv->vault));
		else
			log_error("msg=\"SIGHUP: keys not reloaded: %s\"",
			    err.msg);
	}
	log_info("msg=\"%s: shutting down: no new connections, finishing "
	    "requests in flight\"", sig == SIGINT ? "SIGINT" : "SIGTERM");
}

int
ml_server_run(const struct ml_server_opts *opts, struct ml_err *err)
{
	struct ml_server *srv;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	enum ml_log_level lvl;
	char host[128];
	sigset_t set;
	int rc;

	if (sodium_init() < 0)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "libsodium failed to initialise");
	if (ml_log_parse_level(opts->log_level, &lvl) != 0)
		return ml_err_set(err, ML_EINVAL, "invalid_option",
		    "--log-level must be debug, info, warn or error");
	ml_log_set_level(lvl);
	srv = ml_calloc(1, sizeof(*srv));
	if (srv == NULL)
		return ML_ENOMEM;
	srv->opts = *opts;
	srv->routes = ml_server_routes;
	pthread_rwlock_init(&srv->client_lock, NULL);
	pthread_mutex_init(&srv->inflight_mu, NULL);
	pthread_mutex_init(&srv->health_mu, NULL);
	pthread_mutex_init(&srv->key_cache_mu, NULL);
	pthread_cond_init(&srv->inflight_cv, NULL);
	/* Every thread started from here on inherits the blocked set. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* Refuse a bad --listen before anything is created on disk. */
	rc = server_resolve(srv->opts.listen, &ss, &sslen, host, sizeof(host),
	    err);
	if (rc == ML_OK)
		rc = server_open(srv, err);
	if (rc == ML_OK)
		rc = server_start_daemon(srv, &ss, host, sizeof(host), err);
	if (rc == ML_OK)
		rc = server_first_run(srv, err);
	if (rc == ML_OK && srv->opts.port_file[0] != '\0')
		rc = server_write_port_file(srv->opts.port_file, srv->port, err);
	if (rc)
		goto out;
	printf("moelink: serving on %s (dashboard: %s/dashboard)\n",
	    srv->public_url, srv->public_url);
	fflush(stdout);
	log_info("msg=\"listening\" url=%s dashboard=%s/dashboard threads=%ld "
	    "store=%s", srv->public_url, srv->public_url, srv->opts.threads,
	    srv->store->scheme);
	server_wait(srv, &set);
out:
	server_close(srv);
	if (rc == ML_OK)
		log_info("msg=\"stopped\"");
	return rc;
}
