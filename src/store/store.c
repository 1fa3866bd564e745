/* SPDX-License-Identifier: MIT */
/*
 * store.c: the backend-independent half of the store (see store.h).
 *
 * Contract: every public ml_store_* function validates its arguments here
 * (sizes against the ML_STORE_* caps, required fields, token shapes),
 * generates ids and secret tokens with libsodium's CSPRNG, hashes tokens with
 * SHA-256 and only then calls the backend through s->ops. No plaintext token
 * ever reaches a backend. Tokens are 32 random bytes, so an unkeyed fast hash
 * is enough: there is nothing to brute-force, and the lookup needs a
 * deterministic hash to use the index. Its only state is the write
 * generations in struct ml_store (bumped after every account write and
 * API-key revocation, for the server's caches).
 */
#include "store/store_int.h"

#include <moelink/mem.h>

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STORE_ID_RANDOM 16	/* bytes -> 22 base64url chars */
#define STORE_TOKEN_RANDOM 32	/* bytes -> 43 base64url chars */
#define STORE_APIKEY_PREFIX "mlk_"
#define STORE_SESSION_PREFIX "cst_"
#define STORE_DASH_PREFIX "mds_"
#define STORE_DISPLAY_CHARS 6	/* random chars shown after "mlk_" */

static const struct ml_store_ops *const store_backends[] = {
	&ml__store_sqlite_ops,
#ifdef ML_HAVE_LIBPQ
	&ml__store_pg_ops,
#endif
};

#ifdef ML_HAVE_LIBPQ
#define STORE_SCHEME_NOTE ""
#else
#define STORE_SCHEME_NOTE " (this moelink was built without PostgreSQL: " \
	"install libpq-dev and rebuild)"
#endif

int64_t
ml_store_now(void)
{
	return (int64_t)time(NULL);
}

int
ml__store_copy(char *dst, size_t cap, const char *src, const char *field,
    struct ml_err *err)
{
	if (src == NULL)
		src = "";
	if (strlen(src) >= cap) {
		ml_err_set(err, ML_EINVAL, "invalid_request",
		    "%s is longer than %zu bytes", field, cap - 1);
		ml_err_field(err, field);
		return ML_EINVAL;
	}
	ml_strlcpy(dst, src, cap);
	return ML_OK;
}

/* NULL or "" is fine; otherwise 1..cap-1 bytes. */
static int
store_check_len(const char *s, size_t cap, const char *field,
    struct ml_err *err)
{
	if (s != NULL && strlen(s) >= cap) {
		ml_err_set(err, ML_EINVAL, "invalid_request",
		    "%s is longer than %zu bytes", field, cap - 1);
		ml_err_field(err, field);
		return ML_EINVAL;
	}
	return ML_OK;
}

static int
store_check_required(const char *s, size_t cap, const char *field,
    struct ml_err *err)
{
	if (s == NULL || s[0] == '\0') {
		ml_err_set(err, ML_EINVAL, "invalid_request", "%s is required",
		    field);
		ml_err_field(err, field);
		return ML_EINVAL;
	}
	return store_check_len(s, cap, field, err);
}

static int
store_random_text(const char *prefix, size_t nrandom, char *out, size_t cap,
    struct ml_err *err)
{
	unsigned char raw[STORE_TOKEN_RANDOM];
	size_t plen = strlen(prefix);

	if (nrandom > sizeof(raw) || cap < plen +
	    sodium_base64_ENCODED_LEN(nrandom,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return ml_err_set(err, ML_EINVAL, "invalid_request",
		    "output buffer too small for a %s id", prefix);
	randombytes_buf(raw, nrandom);
	memcpy(out, prefix, plen);
	sodium_bin2base64(out + plen, cap - plen, raw, nrandom,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return ML_OK;
}

int
ml_store_id_new(const char *prefix, char *out, size_t cap, struct ml_err *err)
{
	char pfx[8];
	size_t n = strlen(prefix);

	if (n == 0 || n > 6)
		return ml_err_set(err, ML_EINVAL, "invalid_request",
		    "id prefix must be 1..6 characters");
	memcpy(pfx, prefix, n);
	pfx[n] = '_';
	pfx[n + 1] = '\0';
	return store_random_text(pfx, STORE_ID_RANDOM, out, cap, err);
}

/* A new token "<prefix>" + 43 chars and its hash (store_int.h). */
int
ml__store_token_new(const char *prefix, char *token, size_t cap,
    unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	int rc;

	if (cap < ML_STORE_TOKEN_MAX)
		return ml_err_set(err, ML_EINVAL, "invalid_request",
		    "token buffer must hold %d bytes", ML_STORE_TOKEN_MAX);
	rc = store_random_text(prefix, STORE_TOKEN_RANDOM, token, cap, err);
	if (rc)
		return rc;
	crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
	return ML_OK;
}

/*
 * Hash a presented token after checking its shape; a token of the wrong
 * shape is ML_ENOTFOUND without touching the database.
 */
int
ml__store_token_hash(const char *prefix, const char *token,
    unsigned char hash[ML_STORE_HASH_BYTES], struct ml_err *err)
{
	size_t plen = strlen(prefix), i, len;

	len = token != NULL ? strnlen(token, ML_STORE_TOKEN_MAX) : 0;
	if (len != plen + 43 || strncmp(token, prefix, plen) != 0)
		goto bad;
	for (i = plen; i < len; i++) {
		char c = token[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			goto bad;
	}
	crypto_hash_sha256(hash, (const unsigned char *)token, len);
	return ML_OK;
bad:
	return ml_err_set(err, ML_ENOTFOUND, "not_found", "unknown token");
}

/* ---- open / close ------------------------------------------------------ */

static int
store_parse_url(const char *url, const struct ml_store_ops **ops,
    struct ml_store_url *out, struct ml_err *err)
{
	const char *sep, *rest, *q;
	size_t i, slen, plen;
	char *end;

	memset(out, 0, sizeof(*out));
	sep = url != NULL ? strstr(url, "://") : NULL;
	if (sep == NULL)
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "store URL '%s' has no scheme; supported: %s (for example "
		    "%s)", url != NULL ? url : "", ML_STORE_SCHEMES,
		    ML_STORE_DEFAULT_URL);
	slen = (size_t)(sep - url);
	*ops = NULL;
	for (i = 0; i < sizeof(store_backends) / sizeof(store_backends[0]);
	    i++)
		if (strlen(store_backends[i]->scheme) == slen &&
		    strncmp(store_backends[i]->scheme, url, slen) == 0)
			*ops = store_backends[i];
	if (*ops == NULL)
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "unsupported store URL scheme '%.*s://'; supported: %s%s",
		    (int)slen, url, ML_STORE_SCHEMES, STORE_SCHEME_NOTE);
	rest = sep + 3;
	q = strchr(rest, '?');
	plen = q != NULL ? (size_t)(q - rest) : strlen(rest);
	if (plen == 0 || plen >= sizeof(out->path))
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "store URL '%s' needs a file path, as in %s", url,
		    ML_STORE_DEFAULT_URL);
	memcpy(out->path, rest, plen);
	out->path[plen] = '\0';
	if (q == NULL)
		return ML_OK;
	if (strncmp(q, "?pool=", 6) != 0)
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "unknown store URL option '%s'; supported: ?pool=N", q);
	errno = 0;
	out->pool = strtol(q + 6, &end, 10);
	if (errno != 0 || end == q + 6 || *end != '\0' || out->pool < 1 ||
	    out->pool > 64)
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "store URL option pool must be 1..64");
	return ML_OK;
}

int
ml_store_open(const char *url, struct ml_store **out, struct ml_err *err)
{
	const struct ml_store_ops *ops = NULL;
	struct ml_store_url *u = NULL;
	struct ml_store *s = NULL;
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		rc = ml_err_set(err, ML_ECRYPTO, NULL,
		    "libsodium failed to initialise");
		goto out;
	}
	u = ml_calloc(1, sizeof(*u));
	s = ml_calloc(1, sizeof(*s));
	if (u == NULL || s == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	rc = store_parse_url(url, &ops, u, err);
	if (rc)
		goto out;
	s->ops = ops;
	ml_strlcpy(s->scheme, ops->scheme, sizeof(s->scheme));
	rc = ops->open(s, u, err);
	if (rc)
		goto out;
	*out = s;
	s = NULL;
out:
	ml_free(s);
	ml_free(u);
	return rc;
}

void
ml_store_close(struct ml_store *s)
{
	if (s == NULL)
		return;
	s->ops->close(s);
	ml_free(s);
}

int
ml_store_schema_version(struct ml_store *s, int *version, struct ml_err *err)
{
	return s->ops->schema_version(s, version, err);
}

uint64_t
ml_store_account_gen(struct ml_store *s)
{
	return atomic_load(&s->account_gen);
}

uint64_t
ml_store_apikey_gen(struct ml_store *s)
{
	return atomic_load(&s->apikey_gen);
}

/* A write happened (or was tried): cached answers from before are void. */
static int
store_wrote(_Atomic uint64_t *gen, int rc)
{
	atomic_fetch_add(gen, 1);
	return rc;
}

int
ml_store_schema_latest(void)
{
	return ml__store_sqlite_migration_count;
}

/* ---- projects ---------------------------------------------------------- */

void
ml_store_project_init(struct ml_store_project *p)
{
	memset(p, 0, sizeof(*p));
}

void
ml_store_project_cleanup(struct ml_store_project *p)
{
	memset(p, 0, sizeof(*p));
}

int
ml_store_project_create(struct ml_store *s, const char *name,
    struct ml_store_project *out, struct ml_err *err)
{
	struct ml_store_project p;
	int rc;

	ml_store_project_init(&p);
	rc = store_check_required(name, sizeof(p.name), "name", err);
	if (rc)
		return rc;
	ml_strlcpy(p.name, name, sizeof(p.name));
	rc = ml_store_id_new("prj", p.id, sizeof(p.id), err);
	if (rc)
		return rc;
	p.created_at = ml_store_now();
	rc = s->ops->project_insert(s, &p, err);
	if (rc == ML_OK && out != NULL)
		*out = p;
	return rc;
}

int
ml_store_project_get(struct ml_store *s, const char *id,
    struct ml_store_project *out, struct ml_err *err)
{
	ml_store_project_cleanup(out);
	if (id == NULL || id[0] == '\0')
		return ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "no such project");
	return s->ops->project_get(s, id, out, err);
}

int
ml_store_project_list(struct ml_store *s, struct ml_store_project **out,
    size_t *n, struct ml_err *err)
{
	*out = NULL;
	*n = 0;
	return s->ops->project_list(s, out, n, err);
}

void
ml_store_project_list_free(struct ml_store_project *list, size_t n)
{
	(void)n;
	ml_free(list);
}

int
ml_store_project_count(struct ml_store *s, int64_t *n, struct ml_err *err)
{
	*n = 0;
	return s->ops->project_count(s, n, err);
}

/* ---- API keys ---------------------------------------------------------- */

void
ml_store_apikey_init(struct ml_store_apikey *k)
{
	memset(k, 0, sizeof(*k));
}

void
ml_store_apikey_cleanup(struct ml_store_apikey *k)
{
	memset(k, 0, sizeof(*k));
}

int
ml_store_apikey_create(struct ml_store *s, const char *project_id,
    char *key, size_t cap, struct ml_store_apikey *info, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	struct ml_store_apikey k;
	int rc;

	ml_store_apikey_init(&k);
	rc = ml__store_copy(k.project_id, sizeof(k.project_id), project_id,
	    "project_id", err);
	if (rc)
		goto out;
	rc = ml_store_id_new("key", k.id, sizeof(k.id), err);
	if (rc)
		goto out;
	rc = ml__store_token_new(STORE_APIKEY_PREFIX, key, cap, hash, err);
	if (rc)
		goto out;
	memcpy(k.prefix, key, strlen(STORE_APIKEY_PREFIX) +
	    STORE_DISPLAY_CHARS);
	k.created_at = ml_store_now();
	rc = s->ops->apikey_insert(s, &k, hash, err);
	if (rc == ML_OK && info != NULL)
		*info = k;
out:
	if (rc && cap > 0)
		sodium_memzero(key, cap);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
ml_store_apikey_lookup(struct ml_store *s, const char *key,
    struct ml_store_apikey *info, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	int rc;

	ml_store_apikey_cleanup(info);
	rc = ml__store_token_hash(STORE_APIKEY_PREFIX, key, hash, err);
	if (rc == ML_OK)
		rc = s->ops->apikey_lookup(s, hash, info, err);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
ml_store_apikey_revoke(struct ml_store *s, const char *project_id,
    const char *key_id, struct ml_err *err)
{
	return store_wrote(&s->apikey_gen, s->ops->apikey_revoke(s,
	    project_id, key_id, ml_store_now(), err));
}

int
ml_store_apikey_list(struct ml_store *s, const char *project_id,
    struct ml_store_apikey **out, size_t *n, struct ml_err *err)
{
	*out = NULL;
	*n = 0;
	return s->ops->apikey_list(s, project_id, out, n, err);
}

void
ml_store_apikey_list_free(struct ml_store_apikey *list, size_t n)
{
	(void)n;
	ml_free(list);
}

/* ---- settings ---------------------------------------------------------- */

static int
store_check_setting(const char *key, const char *value, struct ml_err *err)
{
	int rc;

	rc = store_check_required(key, ML_STORE_SETTING_KEY_MAX, "key", err);
	if (rc == ML_OK && value != NULL)
		rc = store_check_len(value, ML_STORE_VALUE_MAX + 1, "value",
		    err);
	return rc;
}

int
ml_store_setting_set(struct ml_store *s, const char *project_id,
    const char *key, const char *value, struct ml_err *err)
{
	int rc;

	rc = store_check_setting(key, value != NULL ? value : "", err);
	if (rc)
		return rc;
	return s->ops->setting_set(s, project_id != NULL ? project_id : "",
	    key, value != NULL ? value : "", ml_store_now(), err);
}

int
ml_store_setting_get(struct ml_store *s, const char *project_id,
    const char *key, char **value, struct ml_err *err)
{
	int rc;

	*value = NULL;
	rc = store_check_setting(key, NULL, err);
	if (rc)
		return rc;
	return s->ops->setting_get(s, project_id != NULL ? project_id : "",
	    key, value, err);
}

int
ml_store_setting_delete(struct ml_store *s, const char *project_id,
    const char *key, struct ml_err *err)
{
	int rc;

	rc = store_check_setting(key, NULL, err);
	if (rc)
		return rc;
	return s->ops->setting_delete(s, project_id != NULL ? project_id : "",
	    key, err);
}

/* ---- connect sessions -------------------------------------------------- */

const char *
ml_store_session_status_name(enum ml_store_session_status st)
{
	switch (st) {
	case ML_SESSION_OPEN:
		return "open";
	case ML_SESSION_SPENT:
		return "spent";
	case ML_SESSION_EXPIRED:
		return "expired";
	}
	return "unknown";
}

void
ml_store_session_init(struct ml_store_session *cs)
{
	memset(cs, 0, sizeof(*cs));
}

void
ml_store_session_cleanup(struct ml_store_session *cs)
{
	ml_free(cs->metadata);
	memset(cs, 0, sizeof(*cs));
}

static int
store_check_json(const char *json, const char *field, struct ml_err *err)
{
	return store_check_len(json, ML_STORE_JSON_MAX + 1, field, err);
}

int
ml_store_session_create(struct ml_store *s, struct ml_store_session *cs,
    char *token, size_t cap, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	int64_t now = ml_store_now();
	int rc;

	rc = store_check_required(cs->project_id, sizeof(cs->project_id),
	    "project_id", err);
	if (rc == ML_OK)
		rc = store_check_required(cs->origin_owner_id,
		    sizeof(cs->origin_owner_id), "origin_owner_id", err);
	if (rc == ML_OK)
		rc = store_check_required(cs->origin_owner_name,
		    sizeof(cs->origin_owner_name), "origin_owner_name", err);
	if (rc == ML_OK)
		rc = store_check_json(cs->metadata, "metadata", err);
	if (rc == ML_OK && cs->expires_at <= now) {
		rc = ml_err_set(err, ML_EINVAL, "invalid_request",
		    "expires_at must be in the future");
		ml_err_field(err, "expires_at");
	}
	if (rc)
		return rc;
	rc = ml_store_id_new("cs", cs->id, sizeof(cs->id), err);
	if (rc)
		return rc;
	rc = ml__store_token_new(STORE_SESSION_PREFIX, token, cap, hash, err);
	if (rc)
		return rc;
	cs->created_at = now;
	cs->spent_at = 0;
	cs->account_id[0] = '\0';
	cs->status = ML_SESSION_OPEN;
	rc = s->ops->session_insert(s, cs, hash, err);
	if (rc)
		sodium_memzero(token, cap);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

/* The status a session has now. */
static void
store_session_status(struct ml_store_session *cs)
{
	if (cs->spent_at != 0)
		cs->status = ML_SESSION_SPENT;
	else if (cs->expires_at <= ml_store_now())
		cs->status = ML_SESSION_EXPIRED;
	else
		cs->status = ML_SESSION_OPEN;
}

int
ml_store_session_find(struct ml_store *s, const char *token,
    struct ml_store_session *out, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	int rc;

	ml_store_session_cleanup(out);
	rc = ml__store_token_hash(STORE_SESSION_PREFIX, token, hash, err);
	if (rc == ML_OK)
		rc = s->ops->session_find(s, hash, out, err);
	if (rc == ML_OK)
		store_session_status(out);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
ml_store_session_get(struct ml_store *s, const char *project_id,
    const char *id, struct ml_store_session *out, struct ml_err *err)
{
	int rc;

	ml_store_session_cleanup(out);
	rc = s->ops->session_get(s, project_id, id, out, err);
	if (rc == ML_OK)
		store_session_status(out);
	return rc;
}

int
ml_store_session_spend(struct ml_store *s, const char *project_id,
    const char *id, const char *account_id, struct ml_err *err)
{
	int rc;

	rc = store_check_len(account_id, ML_STORE_ID_MAX, "account_id", err);
	if (rc)
		return rc;
	return s->ops->session_spend(s, project_id, id, account_id,
	    ml_store_now(), err);
}

/* ---- accounts ---------------------------------------------------------- */

static const char *const account_status_names[] = {
	[ML_ACCOUNT_ACTIVE] = "active",
	[ML_ACCOUNT_INACTIVE] = "inactive",
	[ML_ACCOUNT_ERROR] = "error",
};

const char *
ml_store_account_status_name(enum ml_store_account_status st)
{
	if ((int)st < 0 || (size_t)st >= sizeof(account_status_names) /
	    sizeof(account_status_names[0]))
		return "unknown";
	return account_status_names[st];
}

int
ml_store_account_status_parse(const char *name,
    enum ml_store_account_status *out)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(account_status_names) /
	    sizeof(account_status_names[0]); i++) {
		if (strcmp(name, account_status_names[i]) == 0) {
			*out = (enum ml_store_account_status)i;
			return ML_OK;
		}
	}
	return ML_EINVAL;
}

void
ml_store_account_init(struct ml_store_account *a)
{
	memset(a, 0, sizeof(*a));
}

void
ml_store_account_cleanup(struct ml_store_account *a)
{
	ml_free(a->metadata);
	ml_free(a->status_reasons);
	ml_free(a->key_hints);
	ml_free_zero(a->sealed, a->sealed_len);
	memset(a, 0, sizeof(*a));
}

static int
store_check_status(enum ml_store_account_status st, struct ml_err *err)
{
	if (st != ML_ACCOUNT_ACTIVE && st != ML_ACCOUNT_INACTIVE &&
	    st != ML_ACCOUNT_ERROR) {
		ml_err_set(err, ML_EINVAL, "invalid_request",
		    "status must be active, inactive or error");
		ml_err_field(err, "status");
		return ML_EINVAL;
	}
	return ML_OK;
}

/* What insert and set_credentials both require of the credential part. */
static int
store_check_credentials(const struct ml_store_account *a, struct ml_err *err)
{
	int rc;

	rc = store_check_required(a->project_id, sizeof(a->project_id),
	    "project_id", err);
	if (rc == ML_OK)
		rc = store_check_required(a->id, sizeof(a->id), "id", err);
	if (rc == ML_OK)
		rc = store_check_required(a->workspace_id,
		    sizeof(a->workspace_id), "workspace_id", err);
	if (rc == ML_OK)
		rc = store_check_required(a->data_center,
		    sizeof(a->data_center), "data_center", err);
	if (rc == ML_OK)
		rc = store_check_required(a->key_id, sizeof(a->key_id),
		    "key_id", err);
	if (rc == ML_OK)
		rc = store_check_status(a->status, err);
	if (rc == ML_OK)
		rc = store_check_json(a->status_reasons, "status_reasons", err);
	if (rc == ML_OK)
		rc = store_check_json(a->key_hints, "key_hints", err);
	if (rc == ML_OK && (a->sealed == NULL || a->sealed_len == 0 ||
	    a->sealed_len > ML_STORE_BLOB_MAX))
		rc = ml_err_set(err, ML_EINVAL, "invalid_request",
		    "sealed credentials must be 1..%d bytes",
		    ML_STORE_BLOB_MAX);
	return rc;
}

static int
store_check_account(const struct ml_store_account *a, struct ml_err *err)
{
	int rc;

	rc = store_check_credentials(a, err);
	if (rc == ML_OK)
		rc = store_check_required(a->provider, sizeof(a->provider),
		    "provider", err);
	if (rc == ML_OK)
		rc = store_check_required(a->origin_owner_id,
		    sizeof(a->origin_owner_id), "origin_owner_id", err);
	if (rc == ML_OK)
		rc = store_check_required(a->origin_owner_name,
		    sizeof(a->origin_owner_name), "origin_owner_name", err);
	if (rc == ML_OK)
		rc = store_check_json(a->metadata, "metadata", err);
	return rc;
}

int
ml_store_account_insert(struct ml_store *s, const struct ml_store_account *a,
    struct ml_err *err)
{
	int rc;

	rc = store_check_account(a, err);
	if (rc)
		return rc;
	return store_wrote(&s->account_gen, s->ops->account_insert(s, a, NULL,
	    ml_store_now(), err));
}

int
ml_store_account_insert_spend(struct ml_store *s,
    const struct ml_store_account *a, const char *session_id,
    struct ml_err *err)
{
	int rc;

	rc = store_check_account(a, err);
	if (rc == ML_OK)
		rc = store_check_required(session_id, ML_STORE_ID_MAX,
		    "session_id", err);
	if (rc)
		return rc;
	return store_wrote(&s->account_gen, s->ops->account_insert(s, a,
	    session_id, ml_store_now(), err));
}

int
ml_store_account_get(struct ml_store *s, const char *project_id,
    const char *id, struct ml_store_account *out, struct ml_err *err)
{
	ml_store_account_cleanup(out);
	return s->ops->account_get(s, project_id, id, out, err);
}

int
ml_store_account_list(struct ml_store *s,
    const struct ml_store_account_filter *f, struct ml_store_account **out,
    size_t *n, int64_t *total, struct ml_err *err)
{
	struct ml_store_account_filter g = *f;
	int rc;

	*out = NULL;
	*n = 0;
	*total = 0;
	rc = store_check_required(f->project_id, ML_STORE_ID_MAX,
	    "project_id", err);
	if (rc)
		return rc;
	if (g.page == 0)
		g.page = 1;
	if (g.page_size == 0)
		g.page_size = ML_STORE_PAGE_SIZE_DEFAULT;
	if (g.page < 1 || g.page_size < 1 ||
	    g.page_size > ML_STORE_PAGE_SIZE_MAX ||
	    g.page > INT64_MAX / g.page_size) {
		ml_err_set(err, ML_EINVAL, "invalid_request",
		    "page must be >= 1 and page_size 1..%d",
		    ML_STORE_PAGE_SIZE_MAX);
		ml_err_field(err, g.page < 1 ? "page" : "page_size");
		return ML_EINVAL;
	}
	if (f->more != NULL)
		*f->more = 0;
	if (g.count_max < 0 || (g.after_id != NULL &&
	    strlen(g.after_id) >= ML_STORE_ID_MAX))
		return ml_err_set(err, ML_EINVAL, "invalid_request",
		    "bad cursor or count limit");
	rc = s->ops->account_list(s, &g, out, n, total, err);
	/* The backend read one row more than the page: drop it. */
	if (rc == ML_OK && *n > (size_t)g.page_size) {
		ml_store_account_cleanup(&(*out)[g.page_size]);
		*n = (size_t)g.page_size;
		if (f->more != NULL)
			*f->more = 1;
	}
	return rc;
}

void
ml_store_account_list_free(struct ml_store_account *list, size_t n)
{
	size_t i;

	for (i = 0; list != NULL && i < n; i++)
		ml_store_account_cleanup(&list[i]);
	ml_free(list);
}

int
ml_store_account_update(struct ml_store *s, const char *project_id,
    const char *id, const char *label, const char *metadata,
    struct ml_err *err)
{
	int rc;

	rc = store_check_len(label, ML_STORE_TEXT_MAX, "label", err);
	if (rc == ML_OK)
		rc = store_check_json(metadata, "metadata", err);
	if (rc)
		return rc;
	return store_wrote(&s->account_gen, s->ops->account_update(s,
	    project_id, id, label, metadata, ml_store_now(), err));
}

int
ml_store_account_set_credentials(struct ml_store *s,
    const struct ml_store_account *a, struct ml_err *err)
{
	int rc;

	rc = store_check_credentials(a, err);
	if (rc)
		return rc;
	return store_wrote(&s->account_gen, s->ops->account_set_credentials(s,
	    a, ml_store_now(), err));
}

int
ml_store_account_set_status(struct ml_store *s, const char *project_id,
    const char *id, enum ml_store_account_status status, const char *reasons,
    int64_t last_verified_at, struct ml_err *err)
{
	int rc;

	rc = store_check_status(status, err);
	if (rc == ML_OK)
		rc = store_check_json(reasons, "status_reasons", err);
	if (rc)
		return rc;
	return store_wrote(&s->account_gen, s->ops->account_set_status(s,
	    project_id, id, status, reasons, last_verified_at, ml_store_now(),
	    err));
}

int
ml_store_account_delete(struct ml_store *s, const char *project_id,
    const char *id, struct ml_err *err)
{
	return store_wrote(&s->account_gen, s->ops->account_delete(s,
	    project_id, id, err));
}

int
ml_store_account_count(struct ml_store *s, const char *project_id,
    int64_t *n, struct ml_err *err)
{
	*n = 0;
	return s->ops->account_count(s, project_id, n, err);
}

int
ml_store_account_reseal(struct ml_store *s, ml_store_reseal_fn fn, void *ctx,
    int64_t *resealed, struct ml_err *err)
{
	int64_t dummy;

	if (resealed == NULL)
		resealed = &dummy;
	*resealed = 0;
	return store_wrote(&s->account_gen, s->ops->account_reseal(s, fn, ctx,
	    ml_store_now(), resealed, err));
}

int
ml_store_key_usage(struct ml_store *s, struct ml_store_key_usage **out,
    size_t *n, struct ml_err *err)
{
	*out = NULL;
	*n = 0;
	return s->ops->key_usage(s, out, n, err);
}

void
ml_store_key_usage_free(struct ml_store_key_usage *list, size_t n)
{
	(void)n;
	ml_free(list);
}

/* ---- dashboard sessions ------------------------------------------------ */

void
ml_store_dash_init(struct ml_store_dash *d)
{
	memset(d, 0, sizeof(*d));
}

void
ml_store_dash_cleanup(struct ml_store_dash *d)
{
	memset(d, 0, sizeof(*d));
}

int
ml_store_dash_create(struct ml_store *s, struct ml_store_dash *d, char *token,
    size_t cap, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	int64_t now = ml_store_now();
	int rc;

	rc = store_check_required(d->subject, sizeof(d->subject), "subject",
	    err);
	if (rc)
		return rc;
	if (d->expires_at <= now) {
		ml_err_field(err, "expires_at");
		return ml_err_set(err, ML_EINVAL, "invalid_request",
		    "expires_at must be in the future");
	}
	rc = ml_store_id_new("ds", d->id, sizeof(d->id), err);
	if (rc)
		return rc;
	rc = ml__store_token_new(STORE_DASH_PREFIX, token, cap, hash, err);
	if (rc)
		return rc;
	d->one_time = d->one_time ? 1 : 0;
	d->created_at = now;
	d->consumed_at = 0;
	rc = s->ops->dash_insert(s, d, hash, err);
	if (rc)
		sodium_memzero(token, cap);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
ml_store_dash_find(struct ml_store *s, const char *token,
    struct ml_store_dash *out, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	struct ml_store_dash d;
	int rc;

	ml_store_dash_init(&d);
	rc = ml__store_token_hash(STORE_DASH_PREFIX, token, hash, err);
	if (rc == ML_OK)
		rc = s->ops->dash_find(s, hash, &d, err);
	sodium_memzero(hash, sizeof(hash));
	if (rc)
		return rc;
	if (d.one_time && d.consumed_at != 0)
		rc = ml_err_set(err, ML_ECONFLICT, "link_used",
		    "this sign-in link was already used");
	else if (d.expires_at <= ml_store_now())
		rc = ml_err_set(err, ML_EEXPIRED, "session_expired",
		    "the session has expired");
	if (out != NULL)
		*out = d;
	return rc;
}

int
ml_store_dash_consume(struct ml_store *s, const char *token,
    struct ml_store_dash *out, struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	struct ml_store_dash d;
	int rc;

	ml_store_dash_init(&d);
	rc = ml__store_token_hash(STORE_DASH_PREFIX, token, hash, err);
	if (rc == ML_OK)
		rc = s->ops->dash_consume(s, hash, ml_store_now(), &d, err);
	sodium_memzero(hash, sizeof(hash));
	if (out != NULL)
		*out = d;
	return rc;
}

int
ml_store_dash_delete(struct ml_store *s, const char *token,
    struct ml_err *err)
{
	unsigned char hash[ML_STORE_HASH_BYTES];
	int rc;

	rc = ml__store_token_hash(STORE_DASH_PREFIX, token, hash, err);
	if (rc == ML_OK)
		rc = s->ops->dash_delete(s, hash, err);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
ml_store_purge_expired(struct ml_store *s, int64_t *n, struct ml_err *err)
{
	int64_t dummy;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	return s->ops->purge_expired(s, ml_store_now(), n, err);
}
