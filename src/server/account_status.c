/* SPDX-License-Identifier: MIT */
/*
 * account_status.c: an operator's deactivation and reactivation of a
 * linked account (account_status.h).
 *
 * Contract: "inactive" is set only by a person (PATCH status), never by
 * MoEngage's answers, and only a person clears it: a credential change or
 * a verification keeps an inactive account inactive (link.c). While it is
 * inactive, every path that would send to MoEngage on the caller's behalf
 * refuses with 409 account_inactive before anything is built, and the
 * delivery worker keeps the account's outbox rows without sending,
 * retrying or dead-lettering them. Reactivation re-checks the credentials
 * with MoEngage first, so an account comes back only with working keys.
 */
#include "server/account_status.h"

#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/log.h"
#include "server/api.h"
#include "server/deliver.h"
#include "server/server.h"

int
ml_account_status_parse(json_object *body,
    struct ml_account_status_change *sc, struct ml_err *err)
{
	const char *s;
	json_object *v;

	memset(sc, 0, sizeof(*sc));
	if (!json_object_object_get_ex(body, "status", &v))
		return ML_OK;
	s = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	if (s == NULL || (strcmp(s, "active") != 0 &&
	    strcmp(s, "inactive") != 0)) {
		ml_err_field(err, "status");
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "status must be \"inactive\" (deactivate) or \"active\" "
		    "(reactivate, after MoEngage accepts the keys)");
	}
	sc->to = strcmp(s, "active") == 0 ? ML_ACCOUNT_ACTIVE :
	    ML_ACCOUNT_INACTIVE;
	sc->wanted = 1;
	return ML_OK;
}

int
ml_account_status_verify(struct ml_http_req *r,
    struct ml_account_status_change *sc, const struct ml_store_account *a,
    struct ml_link_creds *creds, struct ml_link_verify *v, int has_creds)
{
	int rc;

	if (!sc->wanted || sc->to != ML_ACCOUNT_ACTIVE ||
	    a->status == ML_ACCOUNT_ACTIVE || has_creds || sc->verified)
		return ML_OK;
	if (v->step == 0) {
		rc = ml_link_open(r->srv, a, creds, &r->err);
		if (rc)
			return rc;
	}
	rc = ml_link_verify_step(r, v, creds);
	if (rc == ML_LINK_PENDING)
		return rc;
	if (v->rc != ML_OK) {
		ml_http_log(r, ML_LOG_INFO, "msg=\"reactivation refused\" "
		    "account=%s code=%s", a->id, v->err.kind);
		rc = ml_http_reply_err(r, v->http_status, &v->err);
		return rc ? rc : ML_ACCOUNT_STATUS_ANSWERED;
	}
	sc->verified = 1;
	return ML_OK;
}

/* [{"code":"deactivated","description":...,"timestamp":...}] (heap). */
static char *
status_deactivated_reason(const struct ml_http_req *r, int64_t now)
{
	struct ml_err e;

	ml_err_clear(&e);
	ml_strlcpy(e.kind, "deactivated", sizeof(e.kind));
	ml_strlcpy(e.msg, r->via_dashboard ? "Deactivated from the dashboard: "
	    "nothing is sent to MoEngage." : "Deactivated through the API: "
	    "nothing is sent to MoEngage.", sizeof(e.msg));
	return ml_link_reasons(&e, now);
}

int
ml_account_status_apply(struct ml_http_req *r,
    const struct ml_account_status_change *sc,
    const struct ml_store_account *a)
{
	char *reasons = NULL;
	int64_t now = ml_store_now();
	int rc;

	if (!sc->wanted || a->status == sc->to)
		return ML_OK;
	if (sc->to == ML_ACCOUNT_INACTIVE) {
		reasons = status_deactivated_reason(r, now);
		if (reasons == NULL)
			return ML_ENOMEM;
	}
	/* Activation was verified just now; deactivation keeps the time. */
	rc = ml_store_account_set_status(r->srv->store, r->project_id, a->id,
	    sc->to, reasons, sc->to == ML_ACCOUNT_ACTIVE ? now : 0, &r->err);
	ml_free(reasons);
	if (rc)
		return rc;
	/* Before the answer: no batch starts after a deactivation's. */
	ml_deliver_recheck(r->srv->deliver, a->project_id, a->id);
	ml_http_log(r, ML_LOG_INFO, "msg=\"account %s\" account=%s",
	    sc->to == ML_ACCOUNT_ACTIVE ? "activated" : "deactivated", a->id);
	return ML_OK;
}

int
ml_account_status_check(const struct ml_store_account *a,
    struct ml_err *err)
{
	if (a->status != ML_ACCOUNT_INACTIVE)
		return ML_OK;
	return ml_err_set(err, ML_ECONFLICT, "account_inactive",
	    "account %s is inactive: nothing is sent to MoEngage for it "
	    "until it is activated again (PATCH /accounts/{id} with "
	    "{\"status\":\"active\"}, or `moelink accounts activate ID`)",
	    a->id);
}

int
ml_account_status_verified(struct ml_http_req *r,
    const struct ml_store_account *a, const struct ml_link_verify *v)
{
	int rc;

	if (v->rc != ML_OK)
		return ml_http_reply_err(r, v->http_status, &v->err);
	rc = ml_store_account_set_status(r->srv->store, r->project_id, a->id,
	    ML_ACCOUNT_INACTIVE, a->status_reasons, ml_store_now(), &r->err);
	if (rc)
		return rc;
	ml_http_log(r, ML_LOG_INFO, "msg=\"account verified\" account=%s "
	    "result=inactive", a->id);
	return ml_api_accounts_get(r);
}
