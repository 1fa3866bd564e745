/* SPDX-License-Identifier: MIT */
/*
 * sim_ws.c: the simulator's workspaces, loaded once at start from a JSON file
 * (or the built-in demo) and read-only afterwards, so lookups need no lock.
 *
 * File format (docs/sim.md): a JSON array of
 *   {"workspace_id": "...", "data_center": "01", "name": "...",
 *    "keys": {"data"|"general"|"push"|"inform"|"personalize"|"multi": "..."},
 *    "limits": {"<limit name>": n}, "state": "active"|"blocked"|...,
 *    "db_name": "..." (MOE-DBNAME of the Segments APIs; default: the id),
 *    "file_imports": n (File Imports seeded, 0..ML_SIM_FILE_IMPORTS_MAX),
 *    "file_import_files": n (files of each, 0..ML_SIM_FILE_IMPORT_FILES_MAX)}
 * Only workspace_id and data_center are required. Anything unexpected is an
 * error naming the entry, so a typo never silently changes behaviour. Keys are
 * secrets: they live in a struct ml_keyset, which wipes them on cleanup.
 */
#include "sim/sim.h"

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#define WS_FILE_MAX (4 * 1024 * 1024)

static const char *const ws_state_names[] = {
	"active", "blocked", "suspended", "temporarily_suspended"
};

/* The demo workspace served when no --workspaces file is given. */
static const char ws_demo_json[] =
    "[{\"workspace_id\":\"DEMO_WORKSPACE_01\",\"data_center\":\"01\","
    "\"name\":\"moelink demo\",\"keys\":{\"data\":\"demo-data-key\","
    "\"general\":\"demo-general-key\",\"push\":\"demo-push-key\","
    "\"inform\":\"demo-inform-key\",\"personalize\":\"demo-personalize-key\"}}]";

const char *
ml_sim_ws_state_name(enum ml_sim_ws_state st)
{
	if ((size_t)st >= sizeof(ws_state_names) / sizeof(ws_state_names[0]))
		return "active";
	return ws_state_names[st];
}

void
ml_sim_wsset_init(struct ml_sim_wsset *set)
{
	memset(set, 0, sizeof(*set));
}

void
ml_sim_wsset_cleanup(struct ml_sim_wsset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		ml_keyset_cleanup(&set->ws[i].keys);
		json_object_put(set->ws[i].limits);
	}
	ml_free(set->ws);
	memset(set, 0, sizeof(*set));
}

long
ml_sim_wsset_find(const struct ml_sim_wsset *set, const char *id)
{
	size_t i;

	if (id == NULL)
		return -1;
	for (i = 0; i < set->n; i++)
		if (strcmp(set->ws[i].id, id) == 0)
			return (long)i;
	return -1;
}

long
ml_sim_ws_limit(const struct ml_sim_ws *ws, const struct ml_sim_limit *lim)
{
	json_object *v;

	if (ws->limits != NULL &&
	    json_object_object_get_ex(ws->limits, lim->name, &v))
		return (long)json_object_get_int64(v);
	return lim->per_min;
}

/* Copy a required or optional string member into dst. */
static int
ws_str(json_object *o, const char *key, int required, char *dst, size_t cap,
    const char *where, struct ml_err *err)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (!required)
			return ML_OK;
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: \"%s\" is required", where, key);
	}
	if (!json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: \"%s\" must be a non-empty string", where, key);
	if ((size_t)json_object_get_string_len(v) >= cap)
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: \"%s\" is longer than %zu characters", where, key,
		    cap - 1);
	ml_strlcpy(dst, json_object_get_string(v), cap);
	return ML_OK;
}

static int
ws_keys(struct ml_sim_ws *ws, json_object *keys, const char *where,
    struct ml_err *err)
{
	enum ml_key_slot slot;

	if (!json_object_is_type(keys, json_type_object))
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: \"keys\" must be an object", where);
	json_object_object_foreach(keys, k, v) {
		if (ml_key_slot_parse(k, &slot))
			return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
			    "%s: unknown key slot \"%s\" (allowed: data, "
			    "general, push, inform, personalize, multi)",
			    where, k);
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) == 0)
			return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
			    "%s: key \"%s\" must be a non-empty string",
			    where, k);
		if (ml_keyset_set(&ws->keys, slot, json_object_get_string(v)))
			return ml_err_set(err, ML_ENOMEM, NULL,
			    "out of memory");
	}
	return ML_OK;
}

static int
ws_limits(struct ml_sim_ws *ws, json_object *limits, const char *where,
    struct ml_err *err)
{
	if (!json_object_is_type(limits, json_type_object))
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: \"limits\" must be an object", where);
	json_object_object_foreach(limits, k, v) {
		if (ml_sim_limit_find(k) == NULL)
			return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
			    "%s: unknown limit \"%s\" (see docs/sim.md)",
			    where, k);
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 1 ||
		    json_object_get_int64(v) > 1000000000)
			return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
			    "%s: limit \"%s\" must be a whole number from 1 "
			    "to 1000000000", where, k);
	}
	ws->limits = json_object_get(limits);
	return ML_OK;
}

static int
ws_state(struct ml_sim_ws *ws, json_object *o, const char *where,
    struct ml_err *err)
{
	char name[32] = "";
	size_t i;
	int rc;

	rc = ws_str(o, "state", 0, name, sizeof(name), where, err);
	if (rc)
		return rc;
	if (name[0] == '\0')
		return ML_OK;
	for (i = 0; i < sizeof(ws_state_names) / sizeof(ws_state_names[0]);
	    i++) {
		if (strcmp(name, ws_state_names[i]) == 0) {
			ws->state = (enum ml_sim_ws_state)i;
			return ML_OK;
		}
	}
	return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
	    "%s: \"state\" must be active, blocked, suspended or "
	    "temporarily_suspended", where);
}

/* o[key]: a whole number 0..max into *out; -1 when absent. */
static int
ws_count(json_object *o, const char *key, int max, int *out,
    const char *where, struct ml_err *err)
{
	json_object *v;

	*out = -1;
	if (!json_object_object_get_ex(o, key, &v))
		return ML_OK;
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 || json_object_get_int64(v) > max)
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: \"%s\" must be a whole number from 0 to %d", where,
		    key, max);
	*out = (int)json_object_get_int64(v);
	return ML_OK;
}

static int
ws_entry(struct ml_sim_wsset *set, json_object *o, size_t idx,
    const char *origin, struct ml_err *err)
{
	static const char *const members[] = {
		"workspace_id", "data_center", "name", "keys", "limits",
		"state", "db_name", "file_imports", "file_import_files", NULL
	};
	struct ml_sim_ws *ws = &set->ws[idx];
	char where[256];
	json_object *v;
	size_t i;
	int rc;

	snprintf(where, sizeof(where), "%s: entry %zu", origin, idx + 1);
	if (!json_object_is_type(o, json_type_object))
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: must be an object", where);
	json_object_object_foreach(o, k, val) {
		(void)val;
		for (i = 0; members[i] != NULL; i++)
			if (strcmp(k, members[i]) == 0)
				break;
		if (members[i] == NULL)
			return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
			    "%s: unknown member \"%s\"", where, k);
	}
	rc = ws_str(o, "workspace_id", 1, ws->id, sizeof(ws->id), where, err);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "%s: entry %zu (\"%s\")", origin,
	    idx + 1, ws->id);
	if (ml_sim_wsset_find(set, ws->id) >= 0 &&
	    ml_sim_wsset_find(set, ws->id) < (long)idx)
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: duplicate workspace_id", where);
	if (!json_object_object_get_ex(o, "data_center", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    ml_dc_lookup(json_object_get_string(v), NULL, NULL))
		return ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: \"data_center\" must be one of %s (a string)", where,
		    ML_DC_ALLOWED);
	ml_strlcpy(ws->dc, json_object_get_string(v), sizeof(ws->dc));
	ml_strlcpy(ws->name, ws->id, sizeof(ws->name));
	rc = ws_str(o, "name", 0, ws->name, sizeof(ws->name), where, err);
	if (rc)
		return rc;
	/* MOE-DBNAME of the Segments APIs; defaults to the workspace id. */
	ml_strlcpy(ws->db_name, ws->id, sizeof(ws->db_name));
	rc = ws_str(o, "db_name", 0, ws->db_name, sizeof(ws->db_name), where,
	    err);
	if (rc)
		return rc;
	rc = ws_state(ws, o, where, err);
	if (rc)
		return rc;
	if (json_object_object_get_ex(o, "keys", &v)) {
		rc = ws_keys(ws, v, where, err);
		if (rc)
			return rc;
	}
	if (json_object_object_get_ex(o, "limits", &v)) {
		rc = ws_limits(ws, v, where, err);
		if (rc)
			return rc;
	}
	rc = ws_count(o, "file_imports", ML_SIM_FILE_IMPORTS_MAX,
	    &ws->file_imports, where, err);
	if (rc == ML_OK)
		rc = ws_count(o, "file_import_files",
		    ML_SIM_FILE_IMPORT_FILES_MAX, &ws->file_import_files, where,
		    err);
	return rc;
}

int
ml_sim_wsset_parse(struct ml_sim_wsset *set, const char *text, size_t len,
    const char *origin, struct ml_err *err)
{
	json_object *root = NULL;
	struct ml_err jerr;
	size_t i, n;
	int rc;

	ml_err_clear(&jerr);
	rc = ml_json_parse(text, len, WS_FILE_MAX, 0, &root, &jerr);
	if (rc) {
		ml_err_set(err, rc, "invalid_workspaces", "%s: %s", origin,
		    jerr.msg);
		goto out;
	}
	if (!json_object_is_type(root, json_type_array)) {
		rc = ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: must be a JSON array of workspaces", origin);
		goto out;
	}
	n = json_object_array_length(root);
	if (n == 0 || n > ML_SIM_WS_MAX) {
		rc = ml_err_set(err, ML_EINVAL, "invalid_workspaces",
		    "%s: must hold 1 to %d workspaces", origin, ML_SIM_WS_MAX);
		goto out;
	}
	set->ws = ml_calloc(n, sizeof(*set->ws));
	if (set->ws == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		ml_keyset_init(&set->ws[i].keys);
		set->n = i + 1;
		rc = ws_entry(set, json_object_array_get_idx(root, i), i,
		    origin, err);
		if (rc)
			goto out;
	}
out:
	json_object_put(root);
	if (rc)
		ml_sim_wsset_cleanup(set);
	return rc;
}

int
ml_sim_wsset_load(struct ml_sim_wsset *set, const char *path,
    struct ml_err *err)
{
	struct ml_buf b;
	int rc;

	ml_buf_init(&b, WS_FILE_MAX);
	rc = ml_sim_read_file(path, &b, "invalid_workspaces", err);
	if (rc == ML_OK)
		rc = ml_sim_wsset_parse(set, b.data, b.len, path, err);
	ml_buf_cleanup_zero(&b);
	return rc;
}

int
ml_sim_wsset_demo(struct ml_sim_wsset *set, struct ml_err *err)
{
	int rc;

	rc = ml_sim_wsset_parse(set, ws_demo_json, sizeof(ws_demo_json) - 1,
	    "demo workspace", err);
	if (rc == ML_OK)
		set->demo = 1;
	return rc;
}

int
ml_sim_wsset_describe(const struct ml_sim_wsset *set, struct ml_buf *b)
{
	json_object *arr, *o = NULL, *keys = NULL;
	size_t i;
	int slot, rc = ML_ENOMEM;

	arr = json_object_new_array();
	if (arr == NULL)
		return ML_ENOMEM;
	for (i = 0; i < set->n; i++) {
		const struct ml_sim_ws *ws = &set->ws[i];

		o = json_object_new_object();
		keys = json_object_new_object();
		if (o == NULL || keys == NULL)
			goto out;
		if (ml_json_add_str(o, "workspace_id", ws->id) ||
		    ml_json_add_str(o, "data_center", ws->dc) ||
		    ml_json_add_str(o, "name", ws->name) ||
		    ml_json_add_str(o, "db_name", ws->db_name))
			goto out;
		for (slot = 0; slot < ML_KEY_SLOT_COUNT; slot++)
			if (ws->keys.key[slot] != NULL &&
			    ml_json_add_str(keys, ml_key_slot_name(
			    (enum ml_key_slot)slot), ws->keys.key[slot]))
				goto out;
		rc = ml_sim_json_add(o, "keys", keys);
		keys = NULL;
		if (rc)
			goto out;
		rc = ML_ENOMEM;
		if (ws->limits != NULL && ml_sim_json_add(o, "limits",
		    json_object_get(ws->limits)))
			goto out;
		if (ws->state != ML_SIM_WS_ACTIVE && ml_json_add_str(o,
		    "state", ml_sim_ws_state_name(ws->state)))
			goto out;
		rc = ml_sim_json_push(arr, o);
		o = NULL;
		if (rc)
			goto out;
		rc = ML_ENOMEM;
	}
	rc = ml_buf_append_str(b, json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(keys);
	json_object_put(o);
	json_object_put(arr);
	return rc;
}
