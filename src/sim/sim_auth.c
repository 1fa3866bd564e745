/* SPDX-License-Identifier: MIT */
/*
 * sim_auth.c: the credential checks every Basic-auth family shares. Each
 * step reports a distinct outcome so a family can answer with the body
 * MoEngage documents for exactly that case (reference 2.3): no header, empty
 * header, another scheme, undecodable base64, half the pair missing, unknown
 * workspace, workspace of another data center, key never set, wrong key.
 *
 * Keys are compared with sodium_memcmp (constant time for equal lengths);
 * the decoded password is wiped when the caller cleans the creds up.
 */
#include "sim/sim.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

void
ml_sim_creds_cleanup(struct ml_sim_creds *c)
{
	sodium_memzero(c, sizeof(*c));
}

static const char *
auth_skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

enum ml_sim_basic
ml_sim_auth_basic(struct ml_sim_ctx *ctx, struct ml_sim_creds *c)
{
	unsigned char bin[sizeof(c->user) + sizeof(c->pass) + 1];
	const char *h, *sp, *end;
	size_t binlen = 0, b64len, ulen;
	unsigned char *colon;
	enum ml_sim_basic res = ML_SIM_BASIC_OK;

	memset(c, 0, sizeof(*c));
	h = ml_sim_header(ctx, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL)
		return ML_SIM_BASIC_NO_HEADER;
	h = auth_skip_space(h);
	if (*h == '\0')
		return ML_SIM_BASIC_EMPTY;
	sp = h;
	while (*sp != '\0' && *sp != ' ' && *sp != '\t')
		sp++;
	if ((size_t)(sp - h) != 5 || strncasecmp(h, "Basic", 5) != 0)
		return ML_SIM_BASIC_NOT_BASIC;
	sp = auth_skip_space(sp);
	b64len = strlen(sp);
	while (b64len > 0 && (sp[b64len - 1] == ' ' || sp[b64len - 1] == '\t'))
		b64len--;
	if (b64len == 0)
		return ML_SIM_BASIC_EMPTY;
	if (sodium_base642bin(bin, sizeof(bin) - 1, sp, b64len, NULL, &binlen,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != sp + b64len || memchr(bin, '\0', binlen) != NULL) {
		res = ML_SIM_BASIC_UNDECODABLE;
		goto out;
	}
	bin[binlen] = '\0';
	colon = memchr(bin, ':', binlen);
	if (colon == NULL) {
		res = ML_SIM_BASIC_UNDECODABLE;
		goto out;
	}
	ulen = (size_t)(colon - bin);
	if (ulen == 0) {
		res = ML_SIM_BASIC_NO_USER;
		goto out;
	}
	if (colon[1] == '\0') {
		res = ML_SIM_BASIC_NO_PASS;
		goto out;
	}
	if (ulen >= sizeof(c->user) ||
	    strlen((char *)colon + 1) >= sizeof(c->pass)) {
		res = ML_SIM_BASIC_UNDECODABLE;
		goto out;
	}
	memcpy(c->user, bin, ulen);
	c->user[ulen] = '\0';
	ml_strlcpy(c->pass, (char *)colon + 1, sizeof(c->pass));
out:
	sodium_memzero(bin, sizeof(bin));
	return res;
}

/* Constant-time equality of two NUL-terminated keys. */
static int
auth_key_equal(const char *key, const char *given)
{
	size_t kl, gl;

	if (key == NULL)
		return 0;
	kl = strlen(key);
	gl = strlen(given);
	if (kl != gl)
		return 0;
	return sodium_memcmp(key, given, kl) == 0;
}

enum ml_sim_keycheck
ml_sim_auth_key(struct ml_sim_ctx *ctx, enum ml_family fam,
    const struct ml_sim_creds *c)
{
	const struct ml_sim_wsset *set = &ctx->sim->ws;
	const struct ml_sim_ws *ws;
	const char *own, *multi;
	long idx;
	int ok;

	idx = ml_sim_wsset_find(set, c->user);
	if (idx < 0)
		return ML_SIM_KEY_UNKNOWN_WS;
	ctx->claimed_idx = idx;
	ws = &set->ws[idx];
	/* Each data center is a separate MoEngage: the workspace is unknown. */
	if (strcmp(ws->dc, ctx->dc) != 0)
		return ML_SIM_KEY_WRONG_DC;
	own = ws->keys.key[ml_family_key_slot(fam)];
	multi = ws->keys.key[ML_KEY_MULTI];
	if (own == NULL && multi == NULL)
		return ML_SIM_KEY_NOT_SET;
	/* Evaluate both so timing does not tell which slot matched. */
	ok = auth_key_equal(own, c->pass);
	ok |= auth_key_equal(multi, c->pass);
	if (!ok)
		return ML_SIM_KEY_MISMATCH;
	ctx->ws = ws;
	ctx->ws_idx = idx;
	return ML_SIM_KEY_OK;
}
