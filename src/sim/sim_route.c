/* SPDX-License-Identifier: MIT */
/*
 * sim_route.c: the registry of simulated API families and the route matcher.
 *
 * Each family (sim_<family>.c) exports one const struct ml_sim_family with
 * its host kind, its routes (method + path pattern with {params}, written
 * from MoEngage's OpenAPI file), its documented rate limits and its fault
 * bodies. Adding a family is adding its file and one row below. The tables
 * are const and read concurrently without locks.
 *
 * Matching is per path segment; a literal segment beats a {param}, so
 * /v1/customer/merge wins over /v1/customer/{app_id}. A path that matches
 * with another method gives ML_SIM_MATCH_METHOD (405).
 */
#include "sim/sim.h"

#include <string.h>

const struct ml_sim_family *const ml_sim_families[] = {
	&ml_sim_family_data,
	&ml_sim_family_archival,
	&ml_sim_family_fileimports,
	&ml_sim_family_push,
	&ml_sim_family_live_activities,
	&ml_sim_family_cards,
	&ml_sim_family_campaign_report,
	&ml_sim_family_business_events,
	&ml_sim_family_templates,
	&ml_sim_family_content_blocks,
	&ml_sim_family_catalog,
	&ml_sim_family_segmentation,
	&ml_sim_family_subscription,
	&ml_sim_family_personalize,
	&ml_sim_family_recommendations,
	&ml_sim_family_inform,
	&ml_sim_family_inform_sandbox,
	NULL,
};

/*
 * Match path against pattern. Returns the number of literal segments that
 * matched (>= 0), or -1. Param values go into ctx->param[].
 */
static int
route_try(const char *pattern, const char *path, struct ml_sim_ctx *ctx)
{
	const char *p = pattern, *q = path, *pe, *qe;
	int literals = 0, np = 0;
	size_t len;

	while (*p == '/' && *q == '/') {
		p++;
		q++;
		pe = strchr(p, '/');
		qe = strchr(q, '/');
		if (pe == NULL)
			pe = p + strlen(p);
		if (qe == NULL)
			qe = q + strlen(q);
		len = (size_t)(qe - q);
		if (*p == '{') {
			if (len == 0 || len >= ML_SIM_PARAM_MAX ||
			    np >= ML_SIM_MAX_PARAMS)
				return -1;
			memcpy(ctx->param[np], q, len);
			ctx->param[np][len] = '\0';
			np++;
		} else {
			if (len != (size_t)(pe - p) || strncmp(p, q, len) != 0)
				return -1;
			literals++;
		}
		p = pe;
		q = qe;
	}
	if (*p != '\0' || *q != '\0')
		return -1;
	ctx->nparam = np;
	return literals;
}

enum ml_sim_match
ml_sim_route_match(struct ml_sim_ctx *ctx)
{
	const struct ml_sim_family *const *f;
	const struct ml_sim_family *best_fam = NULL;
	const struct ml_sim_route *best = NULL;
	int best_score = -1, other_method = 0, score;
	size_t i;

	for (f = ml_sim_families; *f != NULL; f++) {
		if ((*f)->host != ctx->kind)
			continue;
		for (i = 0; i < (*f)->nroutes; i++) {
			const struct ml_sim_route *r = &(*f)->routes[i];

			score = route_try(r->pattern, ctx->path, ctx);
			if (score < 0)
				continue;
			if (strcmp(r->method, ctx->method) != 0) {
				other_method = 1;
				continue;
			}
			if (score > best_score) {
				best_score = score;
				best = r;
				best_fam = *f;
			}
		}
	}
	if (best == NULL)
		return other_method ? ML_SIM_MATCH_METHOD : ML_SIM_MATCH_NONE;
	/* Re-run the winner so ctx->param[] holds its values. */
	route_try(best->pattern, ctx->path, ctx);
	ctx->fam = best_fam;
	ctx->route = best;
	return ML_SIM_MATCH_OK;
}

const struct ml_sim_limit *
ml_sim_limit_find(const char *name)
{
	const struct ml_sim_family *const *f;
	size_t i;

	for (f = ml_sim_families; *f != NULL; f++)
		for (i = 0; i < (*f)->nlimits; i++)
			if (strcmp((*f)->limits[i].name, name) == 0)
				return &(*f)->limits[i];
	return NULL;
}

const struct ml_sim_family *
ml_sim_family_find(const char *name)
{
	const struct ml_sim_family *const *f;

	for (f = ml_sim_families; *f != NULL; f++)
		if (strcmp((*f)->name, name) == 0)
			return *f;
	return NULL;
}
