/* SPDX-License-Identifier: MIT */
/*
 * acache.c: the account cache of `moelink serve` (see acache.h).
 *
 * Contract: a fixed array of ML_ACACHE_SLOTS slots, direct-mapped by a
 * hash of (project id, account id), under one mutex held only to compare
 * and copy. A hit hands out copies (row, keys) or answers from the cached
 * JSON text; nothing cached is ever handed out by pointer. The generation
 * a slot is tagged with is read before the store is, so a write that
 * lands during a miss leaves the new slot already stale. Failing to cache
 * (out of memory) never fails the request.
 */
#include "server/acache.h"

#include <pthread.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#include "server/api.h"
#include "server/server.h"

struct acache_slot {
	char project_id[ML_STORE_ID_MAX];
	char id[ML_STORE_ID_MAX];
	uint64_t gen;			/* store account generation when filled */
	int64_t until_ns;		/* 0 = empty */
	struct ml_store_account row;	/* no sealed blob */
	int has_keys;
	struct ml_account acct;		/* opened keys, db_name */
	char *json;			/* GET's answer, or NULL */
	size_t json_len;
};

struct ml_acache {
	pthread_mutex_t mu;
	struct acache_slot slot[ML_ACACHE_SLOTS];
};

int
ml_acache_new(struct ml_acache **out, struct ml_err *err)
{
	struct ml_acache *c;

	*out = NULL;
	/*
	 * Zeroed memory is what the slots' _init functions make (empty
	 * strings, NULL pointers): no loop over them, so the ~450 KB stay
	 * untouched pages (not resident) until slots are used.
	 */
	c = ml_calloc(1, sizeof(*c));
	if (c == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		ml_free(c);
		return ml_err_set(err, ML_ENOMEM, NULL, "mutex init failed");
	}
	*out = c;
	return ML_OK;
}

/* Empty a slot: keys wiped, heap freed. */
static void
acache_slot_clear(struct acache_slot *s)
{
	ml_store_account_cleanup(&s->row);
	ml_account_cleanup(&s->acct);
	ml_free(s->json);
	s->json = NULL;
	s->json_len = 0;
	s->has_keys = 0;
	s->until_ns = 0;
	s->gen = 0;
	s->project_id[0] = '\0';
	s->id[0] = '\0';
}

void
ml_acache_free(struct ml_acache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < ML_ACACHE_SLOTS; i++)
		acache_slot_clear(&c->slot[i]);
	pthread_mutex_destroy(&c->mu);
	ml_free(c);
}

/* FNV-1a over "project\0id": ids are random, so this spreads well. */
static struct acache_slot *
acache_slot_of(struct ml_acache *c, const char *project_id, const char *id)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)project_id; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ 0) * 16777619u;
	for (p = (const unsigned char *)id; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	return &c->slot[h & (ML_ACACHE_SLOTS - 1)];
}

/* Is s a live answer for (project, id) at generation gen? */
static int
acache_live(const struct acache_slot *s, const char *project_id,
    const char *id, uint64_t gen, int64_t now)
{
	return s->until_ns > now && s->gen == gen &&
	    strcmp(s->id, id) == 0 && strcmp(s->project_id, project_id) == 0;
}

/* Copy a row without its sealed blob; dst is cleaned first. */
static int
acache_row_copy(struct ml_store_account *dst,
    const struct ml_store_account *src)
{
	ml_store_account_cleanup(dst);
	*dst = *src;
	dst->sealed = NULL;
	dst->sealed_len = 0;
	dst->metadata = NULL;
	dst->status_reasons = NULL;
	dst->key_hints = NULL;
	if ((src->metadata != NULL &&
	    (dst->metadata = ml_strdup(src->metadata)) == NULL) ||
	    (src->status_reasons != NULL &&
	    (dst->status_reasons = ml_strdup(src->status_reasons)) == NULL) ||
	    (src->key_hints != NULL &&
	    (dst->key_hints = ml_strdup(src->key_hints)) == NULL)) {
		ml_store_account_cleanup(dst);
		return ML_ENOMEM;
	}
	return ML_OK;
}

/* Copy workspace, data center, db_name and keys; dst is cleaned first. */
static int
acache_acct_copy(struct ml_account *dst, const struct ml_account *src)
{
	ml_account_cleanup(dst);
	ml_account_init(dst);
	memcpy(dst->workspace_id, src->workspace_id, sizeof(dst->workspace_id));
	memcpy(dst->data_center, src->data_center, sizeof(dst->data_center));
	memcpy(dst->db_name, src->db_name, sizeof(dst->db_name));
	return ml_keyset_copy(&dst->keys, &src->keys);
}

/* Empty every slot that can no longer answer (keys wiped). Locked. */
static void
acache_sweep(struct ml_acache *c, uint64_t gen, int64_t now)
{
	size_t i;

	for (i = 0; i < ML_ACACHE_SLOTS; i++)
		if (c->slot[i].until_ns != 0 && (c->slot[i].until_ns <= now ||
		    c->slot[i].gen != gen))
			acache_slot_clear(&c->slot[i]);
}

/*
 * Remember what a miss read at generation gen: the row, and the opened
 * keys and JSON text when given. A live slot of the same account keeps
 * what it has and gains what is new; any other is replaced.
 */
static void
acache_put(struct ml_server *srv, uint64_t gen,
    const struct ml_store_account *row, const struct ml_account *acct,
    const char *json)
{
	struct ml_acache *c = srv->acache;
	struct acache_slot *s;
	int64_t now = ml_http_now_ns();
	int fresh, rc = ML_OK;

	pthread_mutex_lock(&c->mu);
	acache_sweep(c, ml_store_account_gen(srv->store), now);
	if (gen != ml_store_account_gen(srv->store)) {
		/* A write landed while we read: what we read may be old. */
		pthread_mutex_unlock(&c->mu);
		return;
	}
	s = acache_slot_of(c, row->project_id, row->id);
	fresh = !acache_live(s, row->project_id, row->id, gen, now);
	if (fresh) {
		acache_slot_clear(s);
		rc = acache_row_copy(&s->row, row);
		ml_strlcpy(s->project_id, row->project_id,
		    sizeof(s->project_id));
		ml_strlcpy(s->id, row->id, sizeof(s->id));
		s->gen = gen;
		s->until_ns = now + ML_ACACHE_TTL_NS;
	}
	if (rc == ML_OK && acct != NULL && !s->has_keys) {
		rc = acache_acct_copy(&s->acct, acct);
		s->has_keys = rc == ML_OK;
	}
	if (rc == ML_OK && json != NULL && s->json == NULL) {
		s->json = ml_strdup(json);
		s->json_len = s->json != NULL ? strlen(s->json) : 0;
		rc = s->json != NULL ? ML_OK : ML_ENOMEM;
	}
	if (rc)
		acache_slot_clear(s);
	pthread_mutex_unlock(&c->mu);
}

static int
acache_not_found(struct ml_http_req *r, const char *id)
{
	return ml_err_set(&r->err, ML_ENOTFOUND, "account_not_found",
	    "no account %.64s in this project", id);
}

int
ml_acache_account(struct ml_http_req *r, const char *id,
    struct ml_store_account *row, struct ml_link_creds *creds)
{
	struct ml_server *srv = r->srv;
	struct ml_acache *c = srv->acache;
	struct acache_slot *s;
	uint64_t gen = ml_store_account_gen(srv->store);
	int rc;

	pthread_mutex_lock(&c->mu);
	s = acache_slot_of(c, r->project_id, id);
	if (acache_live(s, r->project_id, id, gen, ml_http_now_ns()) &&
	    (creds == NULL || s->has_keys)) {
		rc = acache_row_copy(row, &s->row);
		if (rc == ML_OK && creds != NULL) {
			ml_link_creds_cleanup(creds);
			ml_link_creds_init(creds);
			rc = acache_acct_copy(&creds->acct, &s->acct);
		}
		pthread_mutex_unlock(&c->mu);
		return rc == ML_OK ? ML_OK : ml_err_set(&r->err, rc, NULL,
		    "out of memory");
	}
	pthread_mutex_unlock(&c->mu);
	rc = ml_store_account_get(srv->store, r->project_id, id, row,
	    &r->err);
	if (rc == ML_ENOTFOUND)
		return acache_not_found(r, id);
	if (rc == ML_OK && creds != NULL)
		rc = ml_link_open(srv, row, creds, &r->err);
	if (rc == ML_OK)
		acache_put(srv, gen, row, creds != NULL ? &creds->acct : NULL,
		    NULL);
	return rc;
}

int
ml_acache_reply_account(struct ml_http_req *r)
{
	struct ml_server *srv = r->srv;
	struct ml_acache *c = srv->acache;
	struct ml_store_account a;
	struct acache_slot *s;
	json_object *o = NULL;
	const char *text;
	uint64_t gen = ml_store_account_gen(srv->store);
	int rc;

	pthread_mutex_lock(&c->mu);
	s = acache_slot_of(c, r->project_id, r->params[0]);
	if (acache_live(s, r->project_id, r->params[0], gen,
	    ml_http_now_ns()) && s->json != NULL) {
		rc = ml_http_reply(r, 200, "application/json", s->json,
		    s->json_len);
		pthread_mutex_unlock(&c->mu);
		return rc;
	}
	pthread_mutex_unlock(&c->mu);
	ml_store_account_init(&a);
	rc = ml_acache_account(r, r->params[0], &a, NULL);
	if (rc == ML_OK)
		rc = ml_api_account_json(&a, &o);
	if (rc == ML_OK) {
		text = ml_json_text(o);
		rc = text != NULL ? ML_OK : ML_ENOMEM;
		if (rc == ML_OK) {
			acache_put(srv, gen, &a, NULL, text);
			rc = ml_http_reply(r, 200, "application/json", text,
			    strlen(text));
		}
	}
	json_object_put(o);
	ml_store_account_cleanup(&a);
	return rc;
}
