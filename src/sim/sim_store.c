/* SPDX-License-Identifier: MIT */
/*
 * sim_store.c: what the simulated MoEngage keeps for the families beyond
 * Data: per workspace, named collections (templates per channel, content
 * blocks, catalogs, segments, business events, subscription preferences,
 * Inform transactions, ...). Each collection is a json-c object keyed by the
 * item's id; json-c keeps insertion order, so iterating a collection lists
 * items in creation order, which is what the paging endpoints page over.
 *
 * One mutex guards every workspace; families work on a collection only
 * inside ml_sim_store_run, so a read-modify-write (duplicate check, then
 * insert) is atomic. Collections are created, and seeded where a family
 * documents seeded data, on first use; /_sim/reset empties everything.
 * Memory stays bounded by the families' caps (ML_SIM_STORE_ITEMS_MAX).
 */
#include "sim/sim_fam.h"

#include <pthread.h>
#include <string.h>

#include <moelink/mem.h>

struct ml_sim_store {
	pthread_mutex_t mu;
	size_t nws;
	json_object **root;	/* per workspace: name -> collection */
};

int
ml_sim_store_new(size_t nws, struct ml_sim_store **out)
{
	struct ml_sim_store *s;

	*out = NULL;
	s = ml_calloc(1, sizeof(*s));
	if (s == NULL)
		return ML_ENOMEM;
	s->root = ml_calloc(nws > 0 ? nws : 1, sizeof(*s->root));
	if (s->root == NULL) {
		ml_free(s);
		return ML_ENOMEM;
	}
	pthread_mutex_init(&s->mu, NULL);
	s->nws = nws;
	*out = s;
	return ML_OK;
}

static void
store_clear(struct ml_sim_store *s)
{
	size_t i;

	for (i = 0; i < s->nws; i++) {
		json_object_put(s->root[i]);
		s->root[i] = NULL;
	}
}

void
ml_sim_store_free(struct ml_sim_store *s)
{
	if (s == NULL)
		return;
	store_clear(s);
	pthread_mutex_destroy(&s->mu);
	ml_free(s->root);
	ml_free(s);
}

void
ml_sim_store_reset(struct ml_sim_store *s)
{
	pthread_mutex_lock(&s->mu);
	store_clear(s);
	pthread_mutex_unlock(&s->mu);
}

/* The collection, created and seeded if new; NULL on ML_ENOMEM. Locked. */
static json_object *
store_coll(struct ml_sim_store *s, struct ml_sim_ctx *ctx,
    const struct ml_sim_coll *coll, int *rc)
{
	size_t ws = (size_t)ctx->ws_idx;
	json_object *c;

	*rc = ML_OK;
	if (s->root[ws] == NULL) {
		s->root[ws] = json_object_new_object();
		if (s->root[ws] == NULL) {
			*rc = ML_ENOMEM;
			return NULL;
		}
	}
	if (json_object_object_get_ex(s->root[ws], coll->name, &c))
		return c;
	c = json_object_new_object();
	if (c != NULL && coll->seed != NULL)
		*rc = coll->seed(ctx, c);
	if (c == NULL || *rc != ML_OK ||
	    json_object_object_add(s->root[ws], coll->name, c) != 0) {
		json_object_put(c);
		if (*rc == ML_OK)
			*rc = ML_ENOMEM;
		return NULL;
	}
	return c;
}

int
ml_sim_store_run(struct ml_sim_ctx *ctx, const struct ml_sim_coll *coll,
    int (*fn)(struct ml_sim_ctx *ctx, json_object *coll, void *arg),
    void *arg)
{
	struct ml_sim_store *s = ctx->sim->store;
	json_object *c;
	int rc;

	if (ctx->ws_idx < 0 || (size_t)ctx->ws_idx >= s->nws)
		return ML_EINTERNAL;
	pthread_mutex_lock(&s->mu);
	c = store_coll(s, ctx, coll, &rc);
	if (c != NULL)
		rc = fn(ctx, c, arg);
	pthread_mutex_unlock(&s->mu);
	return rc;
}
