/* SPDX-License-Identifier: MIT */
/*
 * api_accounts.c: the Accounts API.
 *   GET    /accounts            filters origin_owner_id, provider; page or
 *                               cursor, page_size; total counted up to
 *                               ML_API_ACCOUNTS_COUNT_MAX (?total=exact: all)
 *   POST   /accounts            link from a trusted backend or the CLI
 *   GET    /accounts/{id}
 *   PATCH  /accounts/{id}       label, metadata, db_name, credentials
 *                               (verified first), status
 *                               (account_status.c)
 *   DELETE /accounts/{id}
 *   POST   /accounts/{id}/verify
 *
 * Contract: every query is scoped by the caller's project, so another
 * project's account is a plain 404. New credentials are checked with
 * MoEngage before they replace the old ones: a rejection leaves the stored
 * keys untouched and working. A verification MoEngage refuses marks the
 * account "error" with a status reason; one that cannot reach MoEngage
 * changes nothing and answers 502/504.
 */
#include "server/api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/log.h"
#include "server/account_status.h"
#include "server/acache.h"
#include "server/link.h"
#include "server/server.h"

/* State of PATCH and verify across the suspension. */
struct accounts_state {
	struct ml_store_account a;
	struct ml_link_creds creds;
	struct ml_link_verify verify;
	struct ml_account_status_change status;
	int has_creds;
	int has_label;
	int has_db_name;
	char label[ML_STORE_TEXT_MAX];
	char db_name[ML_DB_NAME_MAX];
	char *metadata;
};

static void
accounts_state_free(void *p)
{
	struct accounts_state *st = p;

	if (st == NULL)
		return;
	ml_store_account_cleanup(&st->a);
	ml_link_creds_cleanup(&st->creds);
	ml_link_verify_cleanup(&st->verify);
	ml_free(st->metadata);
	ml_free(st);
}

/* First run of PATCH/verify: make the state and load account {id}. */
static int
accounts_state_begin(struct ml_http_req *r, struct accounts_state **out)
{
	struct accounts_state *st = ml_calloc(1, sizeof(*st));

	*out = st;
	if (st == NULL)
		return ML_ENOMEM;
	ml_store_account_init(&st->a);
	ml_link_creds_init(&st->creds);
	ml_link_verify_init(&st->verify);
	r->state = st;
	r->state_free = accounts_state_free;
	return ml_api_account_load(r, &st->a);
}

/* Load account {id} of r's project (a initialised) and its JSON. */
static int
accounts_load_json(struct ml_http_req *r, struct ml_store_account *a,
    json_object **out)
{
	int rc = ml_api_account_load(r, a);

	if (rc == ML_OK)
		rc = ml_api_account_json(a, out);
	return rc;
}

/* Reload account {id} and answer with it. */
static int
accounts_reply(struct ml_http_req *r, unsigned status)
{
	struct ml_store_account a;
	json_object *out = NULL;
	int rc;

	ml_store_account_init(&a);
	rc = accounts_load_json(r, &a, &out);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, status, out);
	json_object_put(out);
	ml_store_account_cleanup(&a);
	return rc;
}

static int
accounts_query_long(struct ml_http_req *r, const char *name, long lo,
    long hi, int64_t *out)
{
	const char *s = ml_http_query(r, name);
	char *end;
	long v;

	if (s == NULL || s[0] == '\0')
		return ML_OK;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < lo || v > hi) {
		ml_err_field(&r->err, name);
		return ml_err_set(&r->err, ML_EINVAL, "invalid_query",
		    "%s must be a whole number from %ld to %ld", name, lo, hi);
	}
	*out = v;
	return ML_OK;
}

/*
 * ?cursor= is "<created_at>.<account id>" of the last account of the page
 * before (next_cursor of the last answer): the keyset the store pages from.
 */
static int
accounts_cursor(struct ml_http_req *r, struct ml_store_account_filter *f)
{
	const char *s = ml_http_query(r, "cursor"), *id;
	char *end;
	long long t;

	if (s == NULL || s[0] == '\0')
		return ML_OK;
	errno = 0;
	t = strtoll(s, &end, 10);
	id = end + 1;
	if (errno || end == s || *end != '.' || t < 0 || strlen(id) == 0 ||
	    strlen(id) >= ML_STORE_ID_MAX || strspn(id, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(id)) {
		ml_err_field(&r->err, "cursor");
		return ml_err_set(&r->err, ML_EINVAL, "invalid_query",
		    "cursor must be the next_cursor of a previous answer");
	}
	f->after_created_at = t;
	f->after_id = id;
	return ML_OK;
}

/* total, total_capped, next_page and next_cursor of a list answer. */
static int
accounts_list_tail(json_object *root, const struct ml_store_account_filter *f,
    const struct ml_store_account *last, int64_t total, int more)
{
	char cursor[64];
	int capped = f->count_max > 0 && total > f->count_max;
	int rc;

	rc = ml_json_add_int(root, "total", capped ? f->count_max : total);
	if (rc == ML_OK && json_object_object_add(root, "total_capped",
	    json_object_new_boolean(capped)))
		rc = ML_ENOMEM;
	if (rc == ML_OK && more && f->after_id == NULL)
		rc = ml_json_add_int(root, "next_page", f->page + 1);
	else if (rc == ML_OK && json_object_object_add(root, "next_page",
	    NULL))
		rc = ML_ENOMEM;
	if (rc == ML_OK && more && last != NULL) {
		snprintf(cursor, sizeof(cursor), "%lld.%s",
		    (long long)last->created_at, last->id);
		rc = ml_json_add_str(root, "next_cursor", cursor);
	} else if (rc == ML_OK && json_object_object_add(root, "next_cursor",
	    NULL)) {
		rc = ML_ENOMEM;
	}
	return rc;
}

int
ml_api_accounts_list(struct ml_http_req *r)
{
	struct ml_store_account_filter f;
	struct ml_store_account *list = NULL;
	json_object *root = NULL, *data, *item;
	int64_t page = 1, page_size = ML_STORE_PAGE_SIZE_DEFAULT, total = 0;
	const char *want_total = ml_http_query(r, "total");
	size_t i, n = 0;
	int rc, more = 0;

	memset(&f, 0, sizeof(f));
	rc = accounts_query_long(r, "page", 1, 1000000000L, &page);
	if (rc == ML_OK)
		rc = accounts_query_long(r, "page_size", 1,
		    ML_STORE_PAGE_SIZE_MAX, &page_size);
	if (rc == ML_OK)
		rc = accounts_cursor(r, &f);
	if (rc == ML_OK && f.after_id != NULL && page != 1) {
		ml_err_field(&r->err, "page");
		rc = ml_err_set(&r->err, ML_EINVAL, "invalid_query",
		    "send either page or cursor, not both");
	}
	if (rc == ML_OK && want_total != NULL && strcmp(want_total, "exact") !=
	    0) {
		ml_err_field(&r->err, "total");
		rc = ml_err_set(&r->err, ML_EINVAL, "invalid_query",
		    "total may only be 'exact'");
	}
	if (rc)
		return rc;
	f.project_id = r->project_id;
	f.origin_owner_id = ml_http_query(r, "origin_owner_id");
	f.provider = ml_http_query(r, "provider");
	f.page = page;
	f.page_size = page_size;
	/* Counting stops here unless asked: a page costs the same at any size. */
	f.count_max = want_total != NULL ? 0 : ML_API_ACCOUNTS_COUNT_MAX;
	f.more = &more;
	rc = ml_store_account_list(r->srv->store, &f, &list, &n, &total,
	    &r->err);
	if (rc)
		return rc;
	root = json_object_new_object();
	data = json_object_new_array();
	if (root == NULL || data == NULL ||
	    json_object_object_add(root, "data", data)) {
		json_object_put(data);
		rc = ML_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc = ml_api_account_json(&list[i], &item);
		if (rc == ML_OK && json_object_array_add(data, item)) {
			json_object_put(item);
			rc = ML_ENOMEM;
		}
		if (rc)
			goto out;
	}
	rc = ml_json_add_int(root, "page", page);
	if (rc == ML_OK)
		rc = ml_json_add_int(root, "page_size", page_size);
	if (rc == ML_OK)
		rc = accounts_list_tail(root, &f, n > 0 ? &list[n - 1] : NULL,
		    total, more);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, root);
out:
	json_object_put(root);
	ml_store_account_list_free(list, n);
	return rc;
}

/* The hot path: answered from the account cache when it can (acache.h). */
int
ml_api_accounts_get(struct ml_http_req *r)
{
	return ml_acache_reply_account(r);
}

int
ml_api_accounts_create(struct ml_http_req *r)
{
	struct ml_link_job *job = r->state;
	json_object *body = NULL, *creds;
	int rc;

	if (job != NULL)
		return ml_link_job_run(r, job);
	job = ml_link_job_new();
	if (job == NULL)
		return ML_ENOMEM;
	r->state = job;
	r->state_free = ml_link_job_free;
	ml_strlcpy(job->project_id, r->project_id, sizeof(job->project_id));
	rc = ml_http_body_json(r, &body);
	if (rc)
		goto out;
	rc = ml_api_text(body, "origin_owner_id", 1, job->owner_id,
	    sizeof(job->owner_id), &r->err);
	if (rc == ML_OK)
		rc = ml_api_text(body, "origin_owner_name", 1, job->owner_name,
		    sizeof(job->owner_name), &r->err);
	if (rc == ML_OK)
		rc = ml_api_text(body, "origin_username", 0, job->username,
		    sizeof(job->username), &r->err);
	if (rc == ML_OK)
		rc = ml_api_text(body, "label", 0, job->label,
		    sizeof(job->label), &r->err);
	if (rc == ML_OK)
		rc = ml_api_metadata(body, &job->metadata, &r->err);
	if (rc)
		goto out;
	creds = ml_json_get(body, "credentials", json_type_object);
	rc = ml_link_creds_parse(creds != NULL ? creds : body, NULL, NULL,
	    &job->creds, &r->err);
	if (rc)
		goto out;
	ml_link_wipe_json(body);
	json_object_put(body);
	body = NULL;
	rc = ml_link_job_run(r, job);
out:
	ml_link_wipe_json(body);
	json_object_put(body);
	return rc;
}

/* Parse PATCH's body into st; ML_OK with nothing set is refused. */
static int
accounts_patch_parse(struct ml_http_req *r, struct accounts_state *st)
{
	json_object *body = NULL, *creds = NULL, *v;
	int rc;

	rc = ml_http_body_json(r, &body);
	if (rc)
		goto out;
	json_object_object_foreach(body, k, val) {
		(void)val;
		if (strcmp(k, "label") != 0 && strcmp(k, "metadata") != 0 &&
		    strcmp(k, "credentials") != 0 &&
		    strcmp(k, "db_name") != 0 && strcmp(k, "status") != 0) {
			ml_err_field(&r->err, k);
			rc = ml_err_set(&r->err, ML_EINVAL, "invalid_field",
			    "%s cannot be changed (label, metadata, db_name, "
			    "credentials and status can)", k);
			goto out;
		}
	}
	if (json_object_object_get_ex(body, "db_name", &v)) {
		st->has_db_name = 1;
		rc = ml_api_text(body, "db_name", 0, st->db_name,
		    sizeof(st->db_name), &r->err);
		if (rc == ML_OK)
			rc = ml_link_check_db_name(st->db_name, &r->err);
		if (rc)
			goto out;
	}
	if (json_object_object_get_ex(body, "label", &v)) {
		st->has_label = 1;
		rc = ml_api_text(body, "label", 1, st->label,
		    sizeof(st->label), &r->err);
		if (rc)
			goto out;
	}
	rc = ml_api_metadata(body, &st->metadata, &r->err);
	if (rc == ML_OK)
		rc = ml_account_status_parse(body, &st->status, &r->err);
	if (rc)
		goto out;
	if (json_object_object_get_ex(body, "credentials", &creds)) {
		if (!json_object_is_type(creds, json_type_object)) {
			ml_err_field(&r->err, "credentials");
			rc = ml_err_set(&r->err, ML_EINVAL, "invalid_field",
			    "credentials must be an object");
			goto out;
		}
		st->has_creds = 1;
		rc = ml_link_creds_parse(creds, st->a.workspace_id,
		    st->a.data_center, &st->creds, &r->err);
		if (rc)
			goto out;
	}
	if (!st->has_label && st->metadata == NULL && !st->has_creds &&
	    !st->has_db_name && !st->status.wanted)
		rc = ml_err_set(&r->err, ML_EINVAL, "nothing_to_update",
		    "send label, metadata, db_name, credentials or status");
out:
	ml_link_wipe_json(body);
	json_object_put(body);
	return rc;
}

int
ml_api_accounts_patch(struct ml_http_req *r)
{
	struct accounts_state *st = r->state;
	int rc;

	if (st == NULL) {
		rc = accounts_state_begin(r, &st);
		if (rc == ML_OK)
			rc = accounts_patch_parse(r, st);
		if (rc)
			return rc;
	}
	rc = ml_account_status_verify(r, &st->status, &st->a, &st->creds,
	    &st->verify, st->has_creds);
	if (rc == ML_LINK_PENDING || rc == ML_ACCOUNT_STATUS_ANSWERED)
		return ML_OK;
	if (rc)
		return rc;
	if (st->has_creds) {
		rc = ml_link_verify_step(r, &st->verify, &st->creds);
		if (rc == ML_LINK_PENDING)
			return ML_OK;
		if (st->verify.rc != ML_OK)
			return ml_http_reply_err(r, st->verify.http_status,
			    &st->verify.err);
		/* New keys without a db_name keep the account's. */
		if (st->has_db_name)
			ml_strlcpy(st->creds.acct.db_name, st->db_name,
			    sizeof(st->creds.acct.db_name));
		else if (!st->creds.db_name_given)
			ml_link_hint_db_name(&st->a, st->creds.acct.db_name,
			    sizeof(st->creds.acct.db_name));
		rc = ml_link_store_creds(r->srv, &st->a, &st->creds, 1,
		    &r->err);
		if (rc)
			return rc;
		ml_http_log(r, ML_LOG_INFO, "msg=\"credentials replaced\" "
		    "account=%s", st->a.id);
	} else if (st->has_db_name) {
		/* Same keys, another database name: nothing to verify. */
		rc = ml_link_open(r->srv, &st->a, &st->creds, &r->err);
		if (rc)
			return rc;
		ml_strlcpy(st->creds.acct.db_name, st->db_name,
		    sizeof(st->creds.acct.db_name));
		rc = ml_link_store_creds(r->srv, &st->a, &st->creds, 0,
		    &r->err);
		if (rc)
			return rc;
	}
	if (st->has_label || st->metadata != NULL) {
		rc = ml_store_account_update(r->srv->store, r->project_id,
		    st->a.id, st->has_label ? st->label : NULL, st->metadata,
		    &r->err);
		if (rc)
			return rc;
	}
	rc = ml_account_status_apply(r, &st->status, &st->a);
	if (rc)
		return rc;
	return accounts_reply(r, 200);
}

int
ml_api_accounts_delete(struct ml_http_req *r)
{
	struct ml_store_account a;
	json_object *out = NULL;
	int rc;

	ml_store_account_init(&a);
	rc = accounts_load_json(r, &a, &out);
	if (rc == ML_OK)
		rc = ml_store_account_delete(r->srv->store, r->project_id, a.id,
		    &r->err);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, out);
	if (rc == ML_OK)
		ml_http_log(r, ML_LOG_INFO, "msg=\"account deleted\" "
		    "account=%s", a.id);
	json_object_put(out);
	ml_store_account_cleanup(&a);
	return rc;
}

int
ml_api_accounts_verify(struct ml_http_req *r)
{
	struct accounts_state *st = r->state;
	char *reasons = NULL;
	int rc;

	if (st == NULL) {
		rc = accounts_state_begin(r, &st);
		if (rc == ML_OK)
			rc = ml_link_open(r->srv, &st->a, &st->creds, &r->err);
		if (rc)
			return rc;
	}
	rc = ml_link_verify_step(r, &st->verify, &st->creds);
	if (rc == ML_LINK_PENDING)
		return ML_OK;
	if (st->a.status == ML_ACCOUNT_INACTIVE)
		return ml_account_status_verified(r, &st->a, &st->verify);
	if (st->verify.rc == ML_OK) {
		rc = ml_store_account_set_status(r->srv->store, r->project_id,
		    st->a.id, ML_ACCOUNT_ACTIVE, NULL, ml_store_now(), &r->err);
	} else if (st->verify.http_status == 422) {
		reasons = ml_link_reasons(&st->verify.err, ml_store_now());
		if (reasons == NULL)
			return ML_ENOMEM;
		rc = ml_store_account_set_status(r->srv->store, r->project_id,
		    st->a.id, ML_ACCOUNT_ERROR, reasons, ml_store_now(),
		    &r->err);
		ml_free(reasons);
	} else {
		return ml_http_reply_err(r, st->verify.http_status,
		    &st->verify.err);
	}
	if (rc)
		return rc;
	ml_http_log(r, ML_LOG_INFO, "msg=\"account verified\" account=%s "
	    "result=%s", st->a.id, st->verify.rc == ML_OK ? "active" :
	    st->verify.err.kind);
	return accounts_reply(r, 200);
}
