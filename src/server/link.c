/* SPDX-License-Identifier: MIT */
/*
 * link.c: credential input, verification against MoEngage and storing a
 * linked account (see link.h).
 *
 * Contract: nothing is stored unless every checked key was accepted by
 * MoEngage on the chosen data center. A rejection is turned into a sentence
 * for the user that names the field to fix and quotes MoEngage's reason.
 * MoEngage answers an unknown workspace and a workspace that lives on
 * another data center the same way ("Invalid APP_ID"), so that message
 * points at both fields. Plaintext keys live in struct ml_account's keyset
 * (wiped on cleanup) and in the request body (wiped by http.c); the copies
 * json-c made are overwritten by ml_link_wipe_json.
 */
#include "server/link.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <moelink/catalog.h>
#include <moelink/dc.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/log.h"
#include "server/api.h"
#include "server/server.h"
#include "vault/vault.h"

#define LINK_KEY_MAX 256

/* Form fields that carry keys, and the slot each fills. */
static const struct {
	const char *field;
	enum ml_key_slot slot;
} link_key_fields[] = {
	{ "data_key", ML_KEY_DATA },
	{ "general_key", ML_KEY_GENERAL },
	{ "push_key", ML_KEY_PUSH },
	{ "inform_key", ML_KEY_INFORM },
	{ "personalize_key", ML_KEY_PERSONALIZE },
	{ "api_key", ML_KEY_MULTI },
};
#define LINK_NKEYS (sizeof(link_key_fields) / sizeof(link_key_fields[0]))

/*
 * General-key reads that prove a key without changing anything, cheapest
 * first; the first one the catalog has is used.
 */
static const struct {
	const char *action;
	const char *body;
} link_general_probes[] = {
	{ "moengage_search_business_events",
	    "{\"event_names\":[\"moelink_link_check\"]}" },
	{ "moengage_search_content_blocks",
	    "{\"filters\":{\"search_text\":\"moelink_link_check\"}}" },
	{ "moengage_search_push_templates", "{\"page\":1,\"entries\":1}" },
};

void
ml_link_creds_init(struct ml_link_creds *c)
{
	ml_account_init(&c->acct);
	c->single_field[0] = '\0';
	c->db_name_given = 0;
}

void
ml_link_creds_cleanup(struct ml_link_creds *c)
{
	ml_account_cleanup(&c->acct);
	c->single_field[0] = '\0';
	c->db_name_given = 0;
}

void
ml_link_wipe_json(json_object *obj)
{
	json_object *v;
	size_t i;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return;
	for (i = 0; i < LINK_NKEYS; i++) {
		v = ml_json_get(obj, link_key_fields[i].field,
		    json_type_string);
		if (v != NULL)
			sodium_memzero((void *)(uintptr_t)json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
	}
	v = ml_json_get(obj, "credentials", json_type_object);
	if (v != NULL)
		ml_link_wipe_json(v);
}

/* Trimmed copy of a string member into out; "" if absent. */
static int
link_field(json_object *obj, const char *name, char *out, size_t cap,
    struct ml_err *err)
{
	json_object *v;
	const char *s;
	size_t n;

	out[0] = '\0';
	if (!json_object_object_get_ex(obj, name, &v) || v == NULL)
		return ML_OK;
	if (!json_object_is_type(v, json_type_string)) {
		ml_err_field(err, name);
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "%s must be a string", name);
	}
	s = json_object_get_string(v);
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= cap) {
		ml_err_field(err, name);
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "%s is too long (at most %zu characters)", name, cap - 1);
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return ML_OK;
}

static int
link_check_key(const char *field, const char *key, struct ml_err *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f) {
			ml_err_field(err, field);
			return ml_err_set(err, ML_EINVAL, "invalid_api_key",
			    "an API key has no spaces or non-ASCII characters: "
			    "copy it again from the API Key Dashboard");
		}
	}
	return ML_OK;
}

int
ml_link_check_db_name(const char *db_name, struct ml_err *err)
{
	const unsigned char *p;

	if (strlen(db_name) >= ML_DB_NAME_MAX) {
		ml_err_field(err, "db_name");
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "db_name is too long (at most %d characters)",
		    ML_DB_NAME_MAX - 1);
	}
	for (p = (const unsigned char *)db_name; *p != '\0'; p++) {
		if (!isalnum(*p) && *p != '_' && *p != '-' && *p != '.') {
			ml_err_field(err, "db_name");
			return ml_err_set(err, ML_EINVAL, "invalid_field",
			    "db_name is a database name such as "
			    "\"acme_prod\": letters, digits, '_', '-' and '.' "
			    "only (ask MoEngage support for it)");
		}
	}
	return ML_OK;
}

int
ml_link_creds_parse(json_object *obj, const char *def_ws, const char *def_dc,
    struct ml_link_creds *c, struct ml_err *err)
{
	char ws[ML_WORKSPACE_ID_MAX + 1], dc[8];
	char *key = NULL;
	const char *single = NULL;
	size_t i, nkeys = 0;
	int rc;

	ml_link_creds_cleanup(c);
	ml_link_creds_init(c);
	key = ml_malloc(LINK_KEY_MAX);
	if (key == NULL)
		return ML_ENOMEM;
	rc = link_field(obj, "workspace_id", ws, sizeof(ws), err);
	if (rc == ML_OK)
		rc = link_field(obj, "data_center", dc, sizeof(dc), err);
	if (rc)
		goto out;
	if (ws[0] == '\0' && def_ws != NULL)
		ml_strlcpy(ws, def_ws, sizeof(ws));
	if (dc[0] == '\0' && def_dc != NULL)
		ml_strlcpy(dc, def_dc, sizeof(dc));
	if (ws[0] == '\0') {
		ml_err_field(err, "workspace_id");
		rc = ml_err_set(err, ML_EINVAL, "missing_field",
		    "enter the Workspace ID (Settings > Account > APIs; "
		    "formerly App ID)");
		goto out;
	}
	if (dc[0] == '\0') {
		ml_err_field(err, "data_center");
		rc = ml_err_set(err, ML_EINVAL, "missing_field",
		    "choose the data center: the number in your dashboard "
		    "address, dashboard-0X.moengage.com");
		goto out;
	}
	rc = ml_account_set(&c->acct, ws, dc, err);
	if (rc)
		goto out;
	if (json_object_object_get_ex(obj, "db_name", NULL)) {
		c->db_name_given = 1;
		rc = link_field(obj, "db_name", c->acct.db_name,
		    sizeof(c->acct.db_name), err);
		if (rc == ML_OK)
			rc = ml_link_check_db_name(c->acct.db_name, err);
		if (rc)
			goto out;
	}
	for (i = 0; i < LINK_NKEYS; i++) {
		rc = link_field(obj, link_key_fields[i].field, key,
		    LINK_KEY_MAX, err);
		if (rc == ML_OK && key[0] != '\0')
			rc = link_check_key(link_key_fields[i].field, key, err);
		if (rc == ML_OK && key[0] != '\0') {
			rc = ml_keyset_set(&c->acct.keys, link_key_fields[i].slot,
			    key);
			nkeys++;
			single = link_key_fields[i].field;
		}
		if (rc)
			goto out;
	}
	if (nkeys == 0) {
		ml_err_field(err, "data_key");
		rc = ml_err_set(err, ML_EINVAL, "missing_api_key",
		    "enter an API key: the Data API key, or one "
		    "multi-permission key from the API Key Dashboard");
		goto out;
	}
	/*
	 * One key alone in the Data or general field, or Data == general: a
	 * multi-permission key. (A lone per-API key is not enough: the Data
	 * key is required below.)
	 */
	if (nkeys == 1 && (c->acct.keys.key[ML_KEY_DATA] != NULL ||
	    c->acct.keys.key[ML_KEY_GENERAL] != NULL)) {
		for (i = 0; i <= ML_KEY_GENERAL; i++) {
			if (c->acct.keys.key[i] == NULL)
				continue;
			rc = ml_keyset_set(&c->acct.keys, ML_KEY_MULTI,
			    c->acct.keys.key[i]);
			if (rc == ML_OK)
				rc = ml_keyset_set(&c->acct.keys,
				    (enum ml_key_slot)i, NULL);
			if (rc)
				goto out;
		}
		ml_strlcpy(c->single_field, single, sizeof(c->single_field));
	} else if (c->acct.keys.key[ML_KEY_DATA] != NULL &&
	    c->acct.keys.key[ML_KEY_GENERAL] != NULL &&
	    strcmp(c->acct.keys.key[ML_KEY_DATA],
	    c->acct.keys.key[ML_KEY_GENERAL]) == 0) {
		rc = ml_keyset_set(&c->acct.keys, ML_KEY_MULTI,
		    c->acct.keys.key[ML_KEY_DATA]);
		if (rc == ML_OK)
			rc = ml_keyset_set(&c->acct.keys, ML_KEY_DATA, NULL);
		if (rc == ML_OK)
			rc = ml_keyset_set(&c->acct.keys, ML_KEY_GENERAL, NULL);
		if (rc)
			goto out;
		ml_strlcpy(c->single_field, "data_key",
		    sizeof(c->single_field));
	}
	if (c->acct.keys.key[ML_KEY_DATA] == NULL &&
	    c->acct.keys.key[ML_KEY_MULTI] == NULL) {
		ml_err_field(err, "data_key");
		rc = ml_err_set(err, ML_EINVAL, "missing_api_key",
		    "enter the Data API key too: moelink checks every "
		    "workspace with it");
		goto out;
	}
out:
	ml_free_zero(key, LINK_KEY_MAX);
	return rc;
}

void
ml_link_verify_init(struct ml_link_verify *v)
{
	memset(v, 0, sizeof(*v));
	ml_http_call_init(&v->call);
	ml_err_clear(&v->err);
}

void
ml_link_verify_cleanup(struct ml_link_verify *v)
{
	ml_http_call_cleanup(&v->call);
	ml_link_verify_init(v);
}

static const char *
link_region(const char *dc)
{
	const struct ml_dc_info *info = NULL;

	if (ml_dc_lookup(dc, &info, NULL) != ML_OK || info == NULL ||
	    info->region == NULL)
		return "";
	return info->region;
}

/* Which field the key used for a slot's check came from. */
static const char *
link_key_field(const struct ml_link_creds *c, enum ml_key_slot slot)
{
	if (c->acct.keys.key[slot] == NULL && c->single_field[0] != '\0')
		return c->single_field;
	return slot == ML_KEY_GENERAL ? "general_key" : "data_key";
}

static int
link_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static void link_msg(struct ml_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set e->msg (truncated to fit, as MoEngage's text may be long). */
static void
link_msg(struct ml_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* Turn a failed check into the user's sentence, field and status. */
static void
link_fail(struct ml_link_verify *v, const struct ml_link_creds *c,
    enum ml_key_slot slot, const struct ml_err *e)
{
	const char *ws = c->acct.workspace_id, *dc = c->acct.data_center;
	const char *region = link_region(dc);
	const char *what = slot == ML_KEY_GENERAL ? "Campaign Report / "
	    "Business Events / Templates / Catalog / Inform API key" :
	    "Data API key";
	const char *moe = e->moe_message[0] != '\0' ? e->moe_message : e->msg;
	struct ml_err *out = &v->err;

	*out = *e;
	out->field[0] = '\0';
	v->rc = e->code != ML_OK ? e->code : ML_EHTTP;
	v->http_status = 422;
	if (e->code == ML_ENET || e->code == ML_ETIMEOUT ||
	    e->code == ML_ECANCELED || e->http_status >= 500 ||
	    e->http_status == 429 || e->code == ML_ERATELIMIT) {
		v->http_status = e->code == ML_ETIMEOUT ? 504 : 502;
		if (e->http_status == 429 || e->code == ML_ERATELIMIT)
			v->http_status = 429;
		ml_strlcpy(out->kind, "moengage_unavailable",
		    sizeof(out->kind));
		link_msg(out, "could not check the "
		    "credentials with MoEngage on data center %s: %s. Nothing "
		    "was saved; try again in a moment", dc, moe);
		return;
	}
	if (link_contains(moe, "APP_ID") || link_contains(moe, "app id")) {
		ml_strlcpy(out->kind, "workspace_not_found",
		    sizeof(out->kind));
		ml_strlcpy(out->field, "workspace_id,data_center",
		    sizeof(out->field));
		link_msg(out, "Workspace %s was not "
		    "found on data center %s%s%s%s: check the data center and "
		    "Workspace ID (MoEngage: %s)", ws, dc,
		    region[0] != '\0' ? " (" : "", region,
		    region[0] != '\0' ? ")" : "", moe);
		return;
	}
	if (e->http_status == 403 || link_contains(moe, "suspended")) {
		ml_strlcpy(out->kind, "workspace_suspended",
		    sizeof(out->kind));
		ml_strlcpy(out->field, "workspace_id", sizeof(out->field));
		link_msg(out, "MoEngage refused "
		    "workspace %s: %s", ws, moe);
		return;
	}
	if (e->code == ML_EAUTH || e->code == ML_ECONFLICT ||
	    e->http_status == 401 || e->http_status == 409) {
		ml_strlcpy(out->kind, "invalid_api_key", sizeof(out->kind));
		ml_strlcpy(out->field, link_key_field(c, slot),
		    sizeof(out->field));
		link_msg(out, "MoEngage did not accept "
		    "the %s for workspace %s: %s", c->single_field[0] != '\0' ?
		    "API key" : what, ws, moe);
		return;
	}
	ml_strlcpy(out->kind, "verification_failed", sizeof(out->kind));
	link_msg(out, "MoEngage could not check "
	    "these credentials: %s", moe);
}

static void
link_app_name(struct ml_link_verify *v)
{
	json_object *obj = NULL;
	const char *name;

	v->app_name[0] = '\0';
	if (v->call.resp.body == NULL || ml_json_parse(v->call.resp.body,
	    v->call.resp.body_len, 1024 * 1024, 0, &obj, NULL) != ML_OK)
		return;
	name = ml_json_str(obj, "app_name");
	if (name != NULL)
		ml_strlcpy(v->app_name, name, sizeof(v->app_name));
	json_object_put(obj);
}

/* Start the general-key probe; ML_OK with v->step 3 if none applies. */
static int
link_start_general(struct ml_http_req *r, struct ml_link_verify *v,
    const struct ml_link_creds *c)
{
	const struct ml_action *a = NULL;
	struct ml_call_input in;
	json_object *body = NULL;
	size_t i;
	int rc;

	v->step = 3;
	v->rc = ML_OK;
	if (c->acct.keys.key[ML_KEY_GENERAL] == NULL)
		return ML_OK;
	for (i = 0; a == NULL && i < sizeof(link_general_probes) /
	    sizeof(link_general_probes[0]); i++) {
		a = ml_catalog_find(link_general_probes[i].action);
		if (a != NULL && ml_json_parse(link_general_probes[i].body,
		    strlen(link_general_probes[i].body), 0, 0, &body,
		    NULL) != ML_OK)
			body = NULL;
	}
	if (a == NULL || body == NULL) {
		v->general_checked = -1;
		ml_http_log(r, ML_LOG_WARN, "msg=\"general key not verified: "
		    "the catalog has no general-key read yet\"");
		json_object_put(body);
		return ML_OK;
	}
	memset(&in, 0, sizeof(in));
	in.body = body;
	rc = ml_http_call_start(r, &v->call, a, &c->acct, &in, 1,
	    &v->err);
	json_object_put(body);
	if (rc) {
		link_fail(v, c, ML_KEY_GENERAL, &v->err);
		return ML_OK;
	}
	v->step = 2;
	return ML_LINK_PENDING;
}

int
ml_link_verify_step(struct ml_http_req *r, struct ml_link_verify *v,
    const struct ml_link_creds *c)
{
	const struct ml_action *a;
	int rc;

	switch (v->step) {
	case 0:
		a = ml_catalog_find("moengage_test_connection");
		if (a == NULL) {
			v->step = 3;
			v->http_status = 500;
			v->rc = ml_err_set(&v->err, ML_EINTERNAL, NULL,
			    "this build has no Test Connection action");
			return ML_OK;
		}
		rc = ml_http_call_start(r, &v->call, a, &c->acct, NULL, 1,
		    &v->err);
		if (rc) {
			v->step = 3;
			link_fail(v, c, ML_KEY_DATA, &v->err);
			return ML_OK;
		}
		v->step = 1;
		return ML_LINK_PENDING;
	case 1:
		if (!v->call.done)
			return ML_LINK_PENDING;
		if (v->call.rc != ML_OK) {
			v->step = 3;
			link_fail(v, c, ML_KEY_DATA, &v->call.err);
			return ML_OK;
		}
		link_app_name(v);
		ml_http_call_cleanup(&v->call);
		return link_start_general(r, v, c);
	case 2:
		if (!v->call.done)
			return ML_LINK_PENDING;
		v->step = 3;
		/* Any answer but an auth refusal means the key was accepted. */
		if (v->call.rc == ML_EAUTH || v->call.err.http_status == 401 ||
		    v->call.err.http_status == 403 || v->call.rc == ML_ENET ||
		    v->call.rc == ML_ETIMEOUT || v->call.rc == ML_ECANCELED ||
		    v->call.err.http_status >= 500) {
			link_fail(v, c, ML_KEY_GENERAL, &v->call.err);
			return ML_OK;
		}
		/* 404: this host does not know the read; nothing learned. */
		v->general_checked = v->call.err.http_status == 404 ? -1 : 1;
		if (v->general_checked < 0)
			ml_http_log(r, ML_LOG_WARN, "msg=\"general key not "
			    "verified: MoEngage answered 404 to the check\"");
		v->rc = ML_OK;
		return ML_OK;
	default:
		return ML_OK;
	}
}

/*
 * The account row's key_hints: the vault's hints plus db_name, which is no
 * secret and is shown in the account JSON without opening the sealed blob.
 */
static int
link_hints(const struct ml_link_creds *c, char **out, struct ml_err *err)
{
	json_object *o = NULL;
	char *hints = NULL;
	int rc;

	*out = NULL;
	rc = ml_vault_keyset_hints(&c->acct.keys, &hints, err);
	if (rc || c->acct.db_name[0] == '\0') {
		*out = hints;
		return rc;
	}
	rc = ml_json_parse(hints, strlen(hints), 0, 0, &o, err);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "db_name", c->acct.db_name);
	if (rc == ML_OK) {
		*out = ml_strdup(ml_json_text(o));
		if (*out == NULL)
			rc = ML_ENOMEM;
	}
	json_object_put(o);
	ml_free(hints);
	return rc;
}

/* Seal c's keys for account a (fills sealed, key_id, key_hints). */
static int
link_seal(struct ml_server *srv, struct ml_store_account *a,
    const struct ml_link_creds *c, struct ml_err *err)
{
	int rc;

	ml_free_zero(a->sealed, a->sealed_len);
	a->sealed = NULL;
	a->sealed_len = 0;
	ml_free(a->key_hints);
	a->key_hints = NULL;
	rc = ml_vault_seal_keyset(srv->vault, a->id, &c->acct.keys,
	    c->acct.db_name, &a->sealed, &a->sealed_len, a->key_id,
	    sizeof(a->key_id), err);
	if (rc == ML_OK)
		rc = link_hints(c, &a->key_hints, err);
	return rc;
}

int
ml_link_store_new(struct ml_server *srv, const char *project_id,
    const struct ml_link_creds *c, const struct ml_link_verify *v,
    const struct ml_link_owner *owner, char *account_id, size_t cap,
    struct ml_err *err)
{
	struct ml_store_account a;
	const char *label;
	int rc;

	ml_store_account_init(&a);
	rc = ml_store_id_new("acc", a.id, sizeof(a.id), err);
	if (rc)
		goto out;
	ml_strlcpy(a.project_id, project_id, sizeof(a.project_id));
	ml_strlcpy(a.provider, "moengage", sizeof(a.provider));
	ml_strlcpy(a.origin_owner_id, owner->origin_owner_id,
	    sizeof(a.origin_owner_id));
	ml_strlcpy(a.origin_owner_name, owner->origin_owner_name,
	    sizeof(a.origin_owner_name));
	if (owner->origin_username != NULL)
		ml_strlcpy(a.origin_username, owner->origin_username,
		    sizeof(a.origin_username));
	label = owner->label;
	if (label == NULL || label[0] == '\0')
		label = v->app_name[0] != '\0' ? v->app_name :
		    c->acct.workspace_id;
	ml_strlcpy(a.label, label, sizeof(a.label));
	if (owner->metadata != NULL) {
		a.metadata = ml_strdup(owner->metadata);
		if (a.metadata == NULL) {
			rc = ML_ENOMEM;
			goto out;
		}
	}
	ml_strlcpy(a.workspace_id, c->acct.workspace_id,
	    sizeof(a.workspace_id));
	ml_strlcpy(a.data_center, c->acct.data_center, sizeof(a.data_center));
	a.status = ML_ACCOUNT_ACTIVE;
	a.last_verified_at = ml_store_now();
	rc = link_seal(srv, &a, c, err);
	if (rc)
		goto out;
	if (owner->session_id != NULL)
		rc = ml_store_account_insert_spend(srv->store, &a,
		    owner->session_id, err);
	else
		rc = ml_store_account_insert(srv->store, &a, err);
	if (rc)
		goto out;
	ml_strlcpy(account_id, a.id, cap);
out:
	ml_store_account_cleanup(&a);
	return rc;
}

int
ml_link_store_creds(struct ml_server *srv, struct ml_store_account *a,
    const struct ml_link_creds *c, int verified, struct ml_err *err)
{
	int rc;

	rc = link_seal(srv, a, c, err);
	if (rc)
		return rc;
	ml_strlcpy(a->workspace_id, c->acct.workspace_id,
	    sizeof(a->workspace_id));
	ml_strlcpy(a->data_center, c->acct.data_center,
	    sizeof(a->data_center));
	if (!verified)
		return ml_store_account_set_credentials(srv->store, a, err);
	/* A deactivated account stays so until a person activates it. */
	if (a->status != ML_ACCOUNT_INACTIVE) {
		a->status = ML_ACCOUNT_ACTIVE;
		ml_free(a->status_reasons);
		a->status_reasons = NULL;
	}
	a->last_verified_at = ml_store_now();
	return ml_store_account_set_credentials(srv->store, a, err);
}

void
ml_link_hint_db_name(const struct ml_store_account *a, char *out, size_t cap)
{
	json_object *o = NULL;
	const char *db;

	out[0] = '\0';
	if (a->key_hints == NULL || ml_json_parse(a->key_hints,
	    strlen(a->key_hints), 0, 0, &o, NULL) != ML_OK)
		return;
	db = ml_json_str(o, "db_name");
	if (db != NULL)
		ml_strlcpy(out, db, cap);
	json_object_put(o);
}

int
ml_link_open(struct ml_server *srv, const struct ml_store_account *a,
    struct ml_link_creds *c, struct ml_err *err)
{
	int rc;

	ml_link_creds_cleanup(c);
	ml_link_creds_init(c);
	rc = ml_account_set(&c->acct, a->workspace_id, a->data_center, err);
	if (rc)
		return rc;
	rc = ml_vault_open_keyset(srv->vault, a->id, a->sealed,
	    a->sealed_len, a->key_id, &c->acct.keys, c->acct.db_name,
	    sizeof(c->acct.db_name), err);
	/* Not the caller's fault: the server lacks a key or the blob is bad. */
	if (rc == ML_ENOKEY || rc == ML_ECRYPTO)
		rc = ml_err_set(err, ML_ECRYPTO, "credentials_unreadable",
		    "the stored credentials of %s cannot be opened (sealed "
		    "with master key '%s'): is that key loaded?", a->id,
		    a->key_id);
	return rc;
}

char *
ml_link_reasons(const struct ml_err *err, int64_t now)
{
	json_object *arr, *o;
	char ts[32];
	struct tm tm;
	time_t t = (time_t)now;
	char *out = NULL;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	arr = json_object_new_array();
	o = json_object_new_object();
	if (arr == NULL || o == NULL || json_object_array_add(arr, o)) {
		json_object_put(o);
		goto out;
	}
	if (ml_json_add_str(o, "code", err->kind[0] != '\0' ? err->kind :
	    ml_err_kind(err->code)) || ml_json_add_str(o, "description",
	    err->msg) || ml_json_add_str(o, "timestamp", ts))
		goto out;
	out = ml_strdup(ml_json_text(arr));
out:
	json_object_put(arr);
	return out;
}

struct ml_link_job *
ml_link_job_new(void)
{
	struct ml_link_job *job = ml_calloc(1, sizeof(*job));

	if (job == NULL)
		return NULL;
	ml_link_creds_init(&job->creds);
	ml_link_verify_init(&job->verify);
	return job;
}

void
ml_link_job_free(void *p)
{
	struct ml_link_job *job = p;

	if (job == NULL)
		return;
	ml_link_creds_cleanup(&job->creds);
	ml_link_verify_cleanup(&job->verify);
	ml_free(job->metadata);
	ml_free(job);
}

/* The Hub's answer: nothing the end user did not type, nothing secret. */
static int
link_hub_json(const struct ml_store_account *a, json_object **out)
{
	const struct ml_dc_info *dc = NULL;
	json_object *o = json_object_new_object();
	int rc;

	*out = NULL;
	if (o == NULL)
		return ML_ENOMEM;
	ml_dc_lookup(a->data_center, &dc, NULL);
	rc = ml_json_add_str(o, "account_id", a->id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "label", a->label);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "workspace_id", a->workspace_id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "data_center", a->data_center);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "region", dc != NULL ? dc->region : "");
	if (rc) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return ML_OK;
}

static int
link_session_error(struct ml_http_req *r, int rc)
{
	if (rc == ML_ECONFLICT)
		return ml_err_set(&r->err, rc, "session_spent", "this link "
		    "was already used to connect an account: ask for a new "
		    "link");
	if (rc == ML_EEXPIRED)
		return ml_err_set(&r->err, rc, "session_expired", "this link "
		    "has expired while connecting: ask for a new link");
	return rc;
}

int
ml_link_job_run(struct ml_http_req *r, struct ml_link_job *job)
{
	struct ml_link_owner owner;
	struct ml_store_account a;
	char id[ML_STORE_ID_MAX];
	json_object *out = NULL;
	int rc;

	rc = ml_link_verify_step(r, &job->verify, &job->creds);
	if (rc == ML_LINK_PENDING)
		return ML_OK;
	if (job->verify.rc != ML_OK) {
		ml_http_log(r, ML_LOG_INFO, "msg=\"link refused\" code=%s "
		    "workspace=%s data_center=%s", job->verify.err.kind,
		    job->creds.acct.workspace_id, job->creds.acct.data_center);
		return ml_http_reply_err(r, job->verify.http_status,
		    &job->verify.err);
	}
	ml_store_account_init(&a);
	memset(&owner, 0, sizeof(owner));
	owner.origin_owner_id = job->owner_id;
	owner.origin_owner_name = job->owner_name;
	owner.origin_username = job->username;
	owner.label = job->label;
	owner.metadata = job->metadata;
	owner.session_id = job->session_id[0] != '\0' ? job->session_id :
	    NULL;
	rc = ml_link_store_new(r->srv, job->project_id, &job->creds,
	    &job->verify, &owner, id, sizeof(id), &r->err);
	if (rc) {
		rc = link_session_error(r, rc);
		goto out;
	}
	rc = ml_store_account_get(r->srv->store, job->project_id, id, &a,
	    &r->err);
	if (rc == ML_OK)
		rc = job->hub ? link_hub_json(&a, &out) :
		    ml_api_account_json(&a, &out);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 201, out);
	if (rc == ML_OK)
		ml_http_log(r, ML_LOG_INFO, "msg=\"account linked\" account=%s "
		    "project=%s workspace=%s data_center=%s general_key=%s", id,
		    job->project_id, a.workspace_id, a.data_center,
		    job->verify.general_checked > 0 ? "verified" :
		    (job->verify.general_checked < 0 ? "not_verified" : "none"));
out:
	json_object_put(out);
	ml_store_account_cleanup(&a);
	return rc;
}
