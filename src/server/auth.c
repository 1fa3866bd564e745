/* SPDX-License-Identifier: MIT */
/*
 * auth.c: caller authentication for project routes and the CSRF tokens of
 * the Hub and the dashboard (see auth.h).
 *
 * Contract: a project key is looked up by hash in the store (constant-time
 * there), or in a one-second cache of keys the store accepted (below; a
 * revocation through this process's store empties it at once); the
 * presented key is wiped from our copies after use. A cookie
 * caller must also present X-CSRF-Token on anything but GET/HEAD, so a
 * cross-site form or script cannot act with the operator's cookie (it is
 * SameSite=Strict as well). Every refusal is ML_EAUTH with a sentence that
 * says what to send; nothing tells an unknown key from a revoked one.
 */
#include "server/auth.h"

#include <sodium.h>
#include <string.h>

#include <moelink/mem.h>

#include "core/log.h"
#include "server/server.h"

static int
auth_fail(struct ml_http_req *r, const char *code, const char *msg)
{
	ml_http_add_header(r, "WWW-Authenticate", "Bearer realm=\"moelink\"");
	return ml_err_set(&r->err, ML_EAUTH, code, "%s", msg);
}

void
ml_auth_csrf(struct ml_server *srv, const char *purpose, const char *subject,
    char *out, size_t cap)
{
	unsigned char mac[32];
	crypto_generichash_state st;

	crypto_generichash_init(&st, srv->secret, sizeof(srv->secret),
	    sizeof(mac));
	crypto_generichash_update(&st, (const unsigned char *)purpose,
	    strlen(purpose) + 1);
	crypto_generichash_update(&st, (const unsigned char *)subject,
	    strlen(subject));
	crypto_generichash_final(&st, mac, sizeof(mac));
	if (cap < ML_AUTH_CSRF_LEN) {
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, cap, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
ml_auth_csrf_ok(struct ml_server *srv, const char *purpose,
    const char *subject, const char *presented)
{
	char want[ML_AUTH_CSRF_LEN];
	size_t n;

	if (presented == NULL)
		return 0;
	ml_auth_csrf(srv, purpose, subject, want, sizeof(want));
	n = strlen(want);
	if (n == 0 || strlen(presented) != n)
		return 0;
	return sodium_memcmp(want, presented, n) == 0;
}

int
ml_auth_admin_project(struct ml_http_req *r, char *out, size_t cap)
{
	struct ml_store_project *list = NULL, p;
	const char *want = ml_http_header(r, ML_AUTH_PROJECT_HEADER);
	size_t n = 0;
	int rc;

	if (want != NULL && want[0] != '\0') {
		ml_store_project_init(&p);
		rc = ml_store_project_get(r->srv->store, want, &p, &r->err);
		if (rc == ML_OK)
			ml_strlcpy(out, p.id, cap);
		ml_store_project_cleanup(&p);
		return rc;
	}
	rc = ml_store_project_list(r->srv->store, &list, &n, &r->err);
	if (rc)
		return rc;
	if (n == 0)
		rc = ml_err_set(&r->err, ML_ENOTFOUND, "no_project",
		    "there is no project yet: create one with "
		    "'moelink projects create NAME'");
	else
		ml_strlcpy(out, list[0].id, cap);
	ml_store_project_list_free(list, n);
	return rc;
}

/*
 * The cache of verified project keys. A key the store accepted is
 * remembered for ML_AUTH_KEY_CACHE_NS as a keyed BLAKE2b (under the
 * server's random secret) -> project, so a client that sends the same key on
 * every request costs one SQLite read per second instead of one per request.
 * Only successes are cached: an unknown key always reaches the store, and a
 * new key works at once. A slot answers only while the store's API-key
 * generation (ml_store_apikey_gen, read before the store lookup that
 * filled it) is unchanged, so a key revoked through this process's store
 * stops working with the very next request; one revoked by another
 * process (`moelink projects`) within ML_AUTH_KEY_CACHE_NS. A key's slot
 * is picked by its MAC's first byte and the MAC compared with
 * sodium_memcmp: the time taken tells neither how many bytes matched nor
 * anything about the key, since a MAC cannot be derived without the
 * secret (which slot a key uses is just as unpredictable). Two live keys
 * sharing a slot take turns in it; the loser is looked up in the store.
 */
static void
auth_key_mac(struct ml_server *srv, const char *key, unsigned char mac[32])
{
	crypto_generichash(mac, 32, (const unsigned char *)key, strlen(key),
	    srv->secret, sizeof(srv->secret));
}

static int
auth_key_cached(struct ml_server *srv, uint64_t gen,
    const unsigned char mac[32], char *project_id, size_t cap)
{
	struct ml_auth_key_slot *e;
	int found = 0;

	pthread_mutex_lock(&srv->key_cache_mu);
	e = &srv->key_cache[mac[0] % ML_AUTH_KEY_CACHE_SLOTS];
	if (e->until_ns != 0 && (e->gen != gen ||
	    e->until_ns <= ml_http_now_ns()))
		sodium_memzero(e, sizeof(*e));
	else if (e->until_ns != 0 && sodium_memcmp(e->mac, mac, 32) == 0) {
		ml_strlcpy(project_id, e->project_id, cap);
		found = 1;
	}
	pthread_mutex_unlock(&srv->key_cache_mu);
	return found;
}

static void
auth_key_remember(struct ml_server *srv, uint64_t gen,
    const unsigned char mac[32], const char *project_id)
{
	struct ml_auth_key_slot *e;

	pthread_mutex_lock(&srv->key_cache_mu);
	if (gen != ml_store_apikey_gen(srv->store)) {
		/* A revocation landed while we looked the key up. */
		pthread_mutex_unlock(&srv->key_cache_mu);
		return;
	}
	e = &srv->key_cache[mac[0] % ML_AUTH_KEY_CACHE_SLOTS];
	memcpy(e->mac, mac, 32);
	ml_strlcpy(e->project_id, project_id, sizeof(e->project_id));
	e->until_ns = ml_http_now_ns() + ML_AUTH_KEY_CACHE_NS;
	e->gen = gen;
	pthread_mutex_unlock(&srv->key_cache_mu);
}

/* Authorization: Bearer KEY / Basic base64(KEY:) -> project. */
static int
auth_api_key(struct ml_http_req *r, const char *hdr)
{
	struct ml_store_apikey info;
	unsigned char mac[32];
	char *user = NULL, *pass = NULL;
	const char *key = NULL;
	uint64_t gen = ml_store_apikey_gen(r->srv->store);
	int rc;

	ml_store_apikey_init(&info);
	if (strncasecmp(hdr, "Bearer ", 7) == 0) {
		key = hdr + 7;
		while (*key == ' ')
			key++;
	} else if (strncasecmp(hdr, "Basic ", 6) == 0) {
		user = MHD_basic_auth_get_username_password(r->conn, &pass);
		key = user;
	}
	if (key == NULL || key[0] == '\0') {
		rc = auth_fail(r, "unauthorized", "send your project API key "
		    "as 'Authorization: Bearer KEY' (or Basic auth with the "
		    "key as the username)");
		goto out;
	}
	auth_key_mac(r->srv, key, mac);
	if (auth_key_cached(r->srv, gen, mac, r->project_id,
	    sizeof(r->project_id))) {
		rc = ML_OK;
		goto out;
	}
	rc = ml_store_apikey_lookup(r->srv->store, key, &info, &r->err);
	if (rc == ML_ENOTFOUND) {
		rc = auth_fail(r, "invalid_api_key", "the API key is not "
		    "valid (unknown or revoked)");
		goto out;
	}
	if (rc)
		goto out;
	ml_strlcpy(r->project_id, info.project_id, sizeof(r->project_id));
	auth_key_remember(r->srv, gen, mac, info.project_id);
out:
	sodium_memzero(mac, sizeof(mac));
	if (user != NULL) {
		sodium_memzero(user, strlen(user));
		MHD_free(user);
	}
	if (pass != NULL) {
		sodium_memzero(pass, strlen(pass));
		MHD_free(pass);
	}
	ml_store_apikey_cleanup(&info);
	return rc;
}

static int
auth_dashboard(struct ml_http_req *r, const char *token)
{
	struct ml_store_dash d;
	int rc;

	ml_store_dash_init(&d);
	rc = ml_store_dash_find(r->srv->store, token, &d, &r->err);
	if (rc == ML_ENOTFOUND || rc == ML_EEXPIRED || rc == ML_ECONFLICT ||
	    (rc == ML_OK && d.one_time)) {
		rc = auth_fail(r, "session_expired", "your dashboard session "
		    "has ended: sign in again");
		goto out;
	}
	if (rc)
		goto out;
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
	    !ml_auth_csrf_ok(r->srv, "dash", token,
	    ml_http_header(r, ML_AUTH_CSRF_HEADER))) {
		rc = ml_err_set(&r->err, ML_EAUTH, "csrf_failed",
		    "missing or wrong %s header: reload the dashboard",
		    ML_AUTH_CSRF_HEADER);
		goto out;
	}
	if (d.project_id[0] != '\0')
		ml_strlcpy(r->project_id, d.project_id, sizeof(r->project_id));
	else
		rc = ml_auth_admin_project(r, r->project_id,
		    sizeof(r->project_id));
	r->via_dashboard = 1;
out:
	ml_store_dash_cleanup(&d);
	return rc;
}

int
ml_auth_project(struct ml_http_req *r)
{
	const char *hdr = ml_http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *cookie;

	r->project_id[0] = '\0';
	r->via_dashboard = 0;
	if (hdr != NULL)
		return auth_api_key(r, hdr);
	cookie = ml_http_cookie(r, ML_AUTH_DASH_COOKIE);
	if (cookie != NULL && cookie[0] != '\0')
		return auth_dashboard(r, cookie);
	return auth_fail(r, "unauthorized", "send your project API key as "
	    "'Authorization: Bearer KEY' (or Basic auth with the key as the "
	    "username)");
}
