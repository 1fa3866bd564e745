/* SPDX-License-Identifier: MIT */
/*
 * sim_fileimports.c: the File Imports APIs of data.yaml, served on
 * fileimports-data-api-<dc> under /v1.0/data with the Data key and
 * MOE-APPKEY. Their fault and journal family is "data"; their bodies are
 * their own:
 *
 *   POST /fileimports/trigger/{schedule_id}  run an import now; once per
 *        five minutes per import (else 400 ALREADY_EXISTS, not a 429)
 *   POST /fileimports/import/status          imports, filtered, 50 a page
 *        (offset 1, 2, ...), 50/min
 *   POST /fileimports/import/run/history     the files of one import (by
 *        import_id or import_name), 50 a page, 50/min
 *
 * Errors: 400 {"status":"fail"|"FAILURE","error_type","message"}, a value
 * in the wrong case {"success":false,"status_code":"400 Bad Request",
 * "data":"Unable to process the request"}, 401 {"title","description"}
 * (AuthenticationInvalid, HeaderMissing, HeaderMismatch), 403 the Data
 * API's BlockedClient body, 415 {"title","description"} (history:
 * "error_description"), 429 {"status":"fail","error":{message,type,
 * request_id}}, 500 {"title","description","code"}.
 *
 * Imports are set up on the dashboard at MoEngage, which the simulator has
 * not got: each workspace holds FI_SEEDED imports (or its "file_imports"
 * count: the seeds repeated as "Import <n>", so paging can be exercised)
 * with FI_FILES files each (or its "file_import_files"; stable ids derived
 * from the workspace id). Bodies for cases data.yaml
 * shows no example of are marked inferred (docs/sim.md).
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

#define FI_SEEDED 4
#define FI_FILES 2
#define FI_PAGE 50
#define FI_TRIGGER_MS (5 * 60 * 1000)
#define FI_RANGE_DAYS 30
#define FI_HISTORY 1	/* route extra: the run-history route */

static const struct ml_sim_limit fi_limits[] = {
	{ "file_import_status_per_min", 50 },
	{ "file_import_history_per_min", 50 },
};

static const char *const fi_import_types[] = {
	"USERS", "EVENTS", "AUX_DATA", NULL
};
static const char *const fi_schedule_types[] = { "PERIODIC", "ONETIME", NULL };
static const char *const fi_sources[] = { "SFTP", "S3", "CSV", NULL };
static const char *const fi_statuses[] = {
	"SUCCESSFUL", "FAILED", "PARTIAL_SUCCESS", "SCHEDULED", "PROCESSING",
	"QUEUED", "ARCHIVED", NULL
};
static const char *const fi_file_statuses[] = {
	"SUCCESSFUL", "FAILED", "PARTIAL_SUCCESS", "PROCESSING", "QUEUED",
	"WAITING", NULL
};
/* The date formats data.yaml lists (DD-MM-YYYY hh:mm:ss, ...). */
static const char *const fi_date_formats[] = {
	"YYYY-MM-DD", "YYYY/MM/DD", "DD/MM/YYYY", "DD-MM-YYYY",
	"DD-MM-YYYY hh:mm:ss", "DD/MM/YYYY hh:mm:ss", "YYYY-MM-DD hh:mm:ss",
	"YYYY/MM/DD hh:mm:ss", NULL
};

static const struct {
	const char *name, *type, *schedule, *source, *status;
} fi_seeds[FI_SEEDED] = {
	{ "Daily users", "USERS", "PERIODIC", "SFTP", "SUCCESSFUL" },
	{ "Events backfill", "EVENTS", "ONETIME", "S3", "PARTIAL_SUCCESS" },
	{ "Store locations", "AUX_DATA", "PERIODIC", "S3", "FAILED" },
	{ "Old price list", "USERS", "PERIODIC", "CSV", "ARCHIVED" },
};

/* ---- seeded imports ---------------------------------------------------- */

static json_object *
fi_seed_file(struct ml_sim_ctx *ctx, long i, long j)
{
	char id[ML_SIM_HEXID_LEN + 1], name[64], at[ML_SIM_TIME_MAX];
	char done[ML_SIM_TIME_MAX];
	const char *status = j == 0 ? "SUCCESSFUL" :
	    fi_seeds[i % FI_SEEDED].status;
	json_object *f;

	if (strcmp(status, "ARCHIVED") == 0 || strcmp(status, "SCHEDULED") == 0)
		status = "SUCCESSFUL";
	/* The first FI_FILES keep their ids; more are past every other. */
	ml_sim_fam_hexid_of(ctx->ws->id, j < FI_FILES ? 9100 + i * 10 + j :
	    1000000 + i * 1000 + j, id);
	snprintf(name, sizeof(name), "import_%ld_file_%ld.csv", i + 1, j + 1);
	ml_sim_fam_time(at, sizeof(at), ML_SIM_TIME_MICRO, (j + 1) * 3600L);
	ml_sim_fam_time(done, sizeof(done), ML_SIM_TIME_MICRO,
	    (j + 1) * 3600L - 40);
	f = ml_sim_fam_strs("id", id, "file_name", name, "scheduled_at", at,
	    "completed_at", done, "type", fi_seeds[i % FI_SEEDED].type,
	    "file_size", "1544",
	    "file_status", status, "status_msg", "", NULL);
	if (f != NULL && (ml_json_add_int(f, "total_rows", 10) ||
	    ml_json_add_int(f, "skipped_rows", 0) ||
	    ml_json_add_int(f, "updated_rows", 0) ||
	    ml_json_add_int(f, "failed_rows",
	    strcmp(status, "SUCCESSFUL") == 0 ? 0 : 4) ||
	    ml_json_add_int(f, "added_rows",
	    strcmp(status, "SUCCESSFUL") == 0 ? 10 : 6))) {
		json_object_put(f);
		f = NULL;
	}
	return f;
}

static int
fi_seed(struct ml_sim_ctx *ctx, json_object *coll)
{
	char id[ML_SIM_HEXID_LEN + 1], created[ML_SIM_TIME_MAX];
	char last[ML_SIM_TIME_MAX], next[ML_SIM_TIME_MAX], name[64];
	json_object *imp, *files;
	long i, j, n = ctx->ws->file_imports < 0 ? FI_SEEDED :
	    ctx->ws->file_imports;
	long nf = ctx->ws->file_import_files < 0 ? FI_FILES :
	    ctx->ws->file_import_files;

	for (i = 0; i < n; i++) {
		/* Ids: the seeds' 9000.., files 9100 + 10 i + j, the
		 * repeats' 20000.. (past every file id). */
		ml_sim_fam_hexid_of(ctx->ws->id, i < FI_SEEDED ? 9000 + i :
		    20000 + i, id);
		if (i < FI_SEEDED)
			ml_strlcpy(name, fi_seeds[i].name, sizeof(name));
		else
			snprintf(name, sizeof(name), "Import %ld", i + 1);
		ml_sim_fam_time(created, sizeof(created), ML_SIM_TIME_MICRO,
		    (i + 1) * 86400L);
		ml_sim_fam_time(last, sizeof(last), ML_SIM_TIME_MICRO, 3600L);
		ml_sim_fam_time(next, sizeof(next), ML_SIM_TIME_MICRO,
		    -86400L);
		imp = ml_sim_fam_strs("import_id", id, "import_name", name,
		    "last_run_status", fi_seeds[i % FI_SEEDED].status,
		    "import_type", fi_seeds[i % FI_SEEDED].type,
		    "schedule_type", fi_seeds[i % FI_SEEDED].schedule,
		    "import_source", fi_seeds[i % FI_SEEDED].source,
		    "created_at", created, "last_run_at", last,
		    "next_scheduled_at", next, "created_by_email",
		    "ops@example.com", "status", fi_seeds[i % FI_SEEDED].status,
		    "time_zone", "UTC", NULL);
		imp = ml_sim_fam_put(imp, "custom_segment_config",
		    json_object_new_object());
		imp = ml_sim_fam_put(imp, "aux_data_config",
		    json_object_new_object());
		files = json_object_new_array();
		for (j = 0; files != NULL && j < nf; j++)
			files = ml_sim_fam_push(files, fi_seed_file(ctx, i, j));
		imp = ml_sim_fam_put(imp, "files", files);
		if (imp == NULL || ml_json_add_int(imp, "total_files", nf) ||
		    ml_json_add_int(imp, "processed_files", nf) ||
		    ml_json_add_int(imp, "total_rows", nf * 10) ||
		    ml_json_add_int(imp, "processed_rows", nf * 10) ||
		    json_object_object_add(coll, id, imp)) {
			json_object_put(imp);
			return ML_ENOMEM;
		}
	}
	return ML_OK;
}

static const struct ml_sim_coll fi_coll = { "file_imports", fi_seed };

/* ---- answers ----------------------------------------------------------- */

/* {"status","error_type","message"} */
static int
fi_fail(struct ml_sim_ctx *ctx, const char *status, const char *type,
    const char *msg)
{
	return ml_sim_fam_send(ctx, 400, ml_sim_fam_strs("status", status,
	    "error_type", type, "message", msg, NULL));
}

/* The documented answer to a value in the wrong case (or not allowed). */
static int
fi_unprocessable(struct ml_sim_ctx *ctx)
{
	json_object *o = ml_sim_fam_strs("status_code", "400 Bad Request",
	    "data", "Unable to process the request", NULL);

	return ml_sim_fam_send(ctx, 400, ml_sim_fam_put(o, "success",
	    json_object_new_boolean(0)));
}

static int
fi_title(struct ml_sim_ctx *ctx, int status, const char *title,
    const char *desc_key, const char *desc)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title", title,
	    desc_key, desc, NULL));
}

static int
fi_history_route(const struct ml_sim_ctx *ctx)
{
	const int *extra = ml_sim_fam_route(ctx)->extra;

	return extra != NULL && *extra == FI_HISTORY;
}

static int
fi_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	json_object *e;

	switch (why->ref) {
	case ML_SIM_REF_NO_APPKEY:
		return fi_title(ctx, 401, "HeaderMissing", "description",
		    "MOE-APPKEY is missing in Header");
	case ML_SIM_REF_APPKEY:
		return fi_title(ctx, 401, "HeaderMismatch", "description",
		    "MOE_APPKEY doesn't match the Username (APP_KEY) used in "
		    "Basic Auth authorization");
	case ML_SIM_REF_STATE:
		e = ml_sim_fam_strs("message", "Your account is suspended. "
		    "Please contact MoEngage team.", "type", "BlockedClient",
		    "request_id", ctx->request_id, NULL);
		return ml_sim_fam_send(ctx, 403, ml_sim_fam_put(
		    ml_sim_fam_strs("status", "fail", NULL), "error", e));
	case ML_SIM_REF_MEDIA:
		/* Run history words it error_description. */
		return fi_title(ctx, 415, "Unsupported media type",
		    fi_history_route(ctx) ? "error_description" : "description",
		    "Content type is not supported");
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return fi_title(ctx, 413, "Payload too large", "description",
		    "Payload can not exceed 128KB.");
	case ML_SIM_REF_NO_BODY:	/* inferred */
	case ML_SIM_REF_MALFORMED:
		return fi_unprocessable(ctx);
	case ML_SIM_REF_RATE:
		e = ml_sim_fam_strs("message", "Rate limits exceeded, please "
		    "try after some time", "type", "Rate Limits Exceeded",
		    "request_id", ctx->request_id, NULL);
		return ml_sim_fam_send(ctx, 429, ml_sim_fam_put(
		    ml_sim_fam_strs("status", "fail", NULL), "error", e));
	default:
		break;
	}
	/* Unknown workspace, wrong key, no credentials (documented one). */
	return fi_title(ctx, 401, "AuthenticationInvalid", "description",
	    "Password (APP_KEY) doesn't match the one available on the "
	    "dashboard. Kindly ensure the same APP_KEY available on the "
	    "dashboard is used.");
}

static const struct ml_sim_fam_spec fi_spec = { ML_FAM_DATA, fi_refuse };

/* An import without the simulator's private members. */
static json_object *
fi_public(json_object *imp)
{
	json_object *o = ml_sim_fam_copy(imp);

	if (o != NULL) {
		json_object_object_del(o, "files");
		json_object_object_del(o, "triggered_ms");
	}
	return o;
}

/* ---- trigger ----------------------------------------------------------- */

static int
fi_trigger_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	char last[ML_SIM_TIME_MAX];
	int64_t now = ml_sim_fam_mono_ms();
	json_object *imp, *t, *s;

	(void)arg;
	if (!json_object_object_get_ex(coll, ctx->param[0], &imp) ||
	    strcmp(ml_json_str(imp, "status"), "ARCHIVED") == 0)
		return fi_fail(ctx, "fail", "NOT_FOUND",
		    "This import is either deleted or expired.");
	if (json_object_object_get_ex(imp, "triggered_ms", &t) &&
	    now - json_object_get_int64(t) < FI_TRIGGER_MS)
		return fi_fail(ctx, "fail", "ALREADY_EXISTS",
		    "Import has run in the last 5 min.");
	ml_sim_fam_time(last, sizeof(last), ML_SIM_TIME_MICRO, 0);
	s = json_object_new_string(last);
	if (s == NULL || json_object_object_add(imp, "last_run_at", s) ||
	    ml_json_add_int(imp, "triggered_ms", now))
		return ML_ENOMEM;
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("status", "success",
	    "message", "Triggered Import Successfully", NULL));
}

static int
fi_trigger(struct ml_sim_ctx *ctx)
{
	json_object *body = NULL;
	int rc;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &fi_coll, fi_trigger_fn, NULL);
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- filters ----------------------------------------------------------- */

/*
 * A filter member: absent, one string of list, or (as the examples send)
 * an array of them. 1 if it is well formed; *val gets the member.
 */
static int
fi_filter_ok(json_object *o, const char *key, const char *const *list,
    json_object **val)
{
	size_t i, n;

	*val = NULL;
	if (!json_object_object_get_ex(o, key, val))
		return 1;
	if (json_object_is_type(*val, json_type_string))
		return ml_sim_fam_in(json_object_get_string(*val), list);
	if (!json_object_is_type(*val, json_type_array))
		return 0;
	n = json_object_array_length(*val);
	for (i = 0; i < n; i++)
		if (!ml_sim_fam_in(json_object_get_string(
		    json_object_array_get_idx(*val, i)), list))
			return 0;
	return n > 0;
}

/* 1 if the filter value (NULL: none) takes s. */
static int
fi_filter_takes(json_object *val, const char *s)
{
	size_t i;

	if (val == NULL)
		return 1;
	if (json_object_is_type(val, json_type_string))
		return strcmp(json_object_get_string(val), s) == 0;
	for (i = 0; i < json_object_array_length(val); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(val,
		    i)), s) == 0)
			return 1;
	return 0;
}

/* offset: absent (1), a whole number >= 1, or such a string. -1 if bad. */
static long
fi_offset(json_object *o)
{
	json_object *v;
	const char *s;
	long n = 0;

	if (!json_object_object_get_ex(o, "offset", &v))
		return 1;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) >= 1 &&
		    json_object_get_int64(v) < 1000000 ?
		    (long)json_object_get_int64(v) : -1;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	for (s = json_object_get_string(v); *s >= '0' && *s <= '9' &&
	    n < 1000000; s++)
		n = n * 10 + (*s - '0');
	return *s == '\0' && n >= 1 && n < 1000000 ? n : -1;
}

/*
 * date in fmt ("DD/MM/YYYY hh:mm:ss", ...) to days since 1970; -1 if it
 * does not match. Without fmt: an ISO 8601 date (YYYY-MM-DD[T...]).
 */
static long
fi_days(const char *date, const char *fmt)
{
	char iso[11];
	const char *d = date, *f = fmt != NULL ? fmt : "YYYY-MM-DD";
	size_t n;

	memcpy(iso, "0000-00-00", sizeof(iso));
	if (date == NULL)
		return -1;
	while (*f != '\0') {
		/* A run of one token letter (YYYY, MM, DD, hh, mm, ss). */
		for (n = 0; strchr("YMDhms", f[0]) != NULL && f[n] == f[0];
		    n++)
			;
		if (n == 0) {
			if (*d != *f)
				return -1;
			d++;
			f++;
			continue;
		}
		if (strspn(d, "0123456789") < n)
			return -1;
		if (f[0] == 'Y' && n == 4)
			memcpy(iso, d, 4);
		else if (f[0] == 'M' && n == 2)
			memcpy(iso + 5, d, 2);
		else if (f[0] == 'D' && n == 2)
			memcpy(iso + 8, d, 2);
		d += n;
		f += n;
	}
	/* ISO: what follows the date must be a time. */
	if (*d != '\0' && (fmt != NULL || *d != 'T'))
		return -1;
	return ml_sim_fam_days(iso);
}

/*
 * The date member: absent (*from = -1) or start_date/end_date in format
 * (status: one of fi_date_formats; history: ISO 8601). ML_OK or answered.
 */
static int
fi_date(struct ml_sim_ctx *ctx, json_object *o, int history, long *from,
    long *to)
{
	json_object *d;
	const char *fmt;

	*from = *to = -1;
	if (!json_object_object_get_ex(o, "date", &d))
		return ML_OK;
	fmt = history ? NULL : ml_json_str(d, "format");
	if (!history && (fmt == NULL || !ml_sim_fam_in(fmt, fi_date_formats)))
		fmt = "";	/* matches no date */
	*from = fi_days(ml_json_str(d, "start_date"), fmt);
	*to = fi_days(ml_json_str(d, "end_date"), fmt);
	if (*from < 0 || *to < 0 || *to < *from)
		return history ? fi_fail(ctx, "FAILURE", "Invalid Date format",
		    "The date entered is not in the correct format. Please "
		    "ensure you are using the ISO 8601 format which should "
		    "look like this: YYYY-MM-DDTHH:MM:SS.ssssss. Please check "
		    "this and try again.") : fi_fail(ctx, "FAILURE",
		    "Invalid Date format", "The provided date format is either "
		    "incorrect or doesn't match the entered dates. Please "
		    "ensure both the dates and the format are valid.");
	if (*to - *from > FI_RANGE_DAYS)
		return fi_fail(ctx, "FAILURE", "Difference exceeds 30 days",
		    "Please note that only imports with a date difference of "
		    "30 can be displayed. Kindly adjust the dates accordingly.");
	return ML_OK;
}

/* 1 if the "YYYY-MM-DD..." time member of item is within [from, to]. */
static int
fi_in_range(json_object *item, const char *key, long from, long to)
{
	long day;

	if (from < 0)
		return 1;
	day = fi_days(ml_json_str(item, key), NULL);
	return day >= from && day <= to;
}

/* {"status":"success","total_count","data":page,"offset","more_files"} */
static int
fi_page(struct ml_sim_ctx *ctx, json_object *all, long offset,
    const char *past_end_type, const char *past_end_msg)
{
	size_t n = json_object_array_length(all), i, first;
	json_object *page, *o;

	first = (size_t)(offset - 1) * FI_PAGE;
	if (offset > 1 && first >= n) {
		json_object_put(all);
		return fi_fail(ctx, "FAILURE", past_end_type, past_end_msg);
	}
	page = json_object_new_array();
	for (i = first; page != NULL && i < n && i < first + FI_PAGE; i++)
		page = ml_sim_fam_push(page, ml_sim_fam_copy(
		    json_object_array_get_idx(all, i)));
	o = ml_sim_fam_put(ml_sim_fam_strs("status", "success", NULL), "data",
	    page);
	if (o != NULL && (ml_json_add_int(o, "total_count", (int64_t)n) ||
	    ml_json_add_int(o, "offset", offset) ||
	    json_object_object_add(o, "more_files",
	    json_object_new_boolean(first + FI_PAGE < n)))) {
		json_object_put(o);
		o = NULL;
	}
	json_object_put(all);
	return ml_sim_fam_send(ctx, 200, o);
}

/* ---- import details (status) -------------------------------------------- */

struct fi_query {
	json_object *body;
	long offset, from, to;
};

static int
fi_status_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	static const struct {
		const char *filter, *member;
		const char *const *list;
	} filters[] = {
		{ "import_type", "import_type", fi_import_types },
		{ "schedule_type", "schedule_type", fi_schedule_types },
		{ "file_source", "import_source", fi_sources },
		{ "schedule_status", "status", fi_statuses },
	};
	struct fi_query *q = arg;
	const char *name = ml_json_str(q->body, "import_name");
	json_object *all = json_object_new_array(), *val;
	size_t i;
	int take;

	json_object_object_foreach(coll, k, imp) {
		(void)k;
		take = name == NULL || strcmp(name, ml_json_str(imp,
		    "import_name")) == 0;
		for (i = 0; take && i < sizeof(filters) / sizeof(filters[0]);
		    i++) {
			fi_filter_ok(q->body, filters[i].filter,
			    filters[i].list, &val);
			take = fi_filter_takes(val, ml_json_str(imp,
			    filters[i].member));
		}
		if (take && fi_in_range(imp, "created_at", q->from, q->to))
			all = ml_sim_fam_push(all, fi_public(imp));
		if (all == NULL)
			return ML_ENOMEM;
	}
	return fi_page(ctx, all, q->offset, "Invalid Offset Value", "The "
	    "offset value you have provided is not valid. Please review and "
	    "correct the offset.");
}

static int
fi_status(struct ml_sim_ctx *ctx)
{
	struct fi_query q = { NULL, 1, -1, -1 };
	json_object *val;
	int rc;

	rc = ml_sim_fam_begin(ctx, &q.body);
	if (rc == ML_OK && (!fi_filter_ok(q.body, "import_type",
	    fi_import_types, &val) || !fi_filter_ok(q.body, "schedule_type",
	    fi_schedule_types, &val) || !fi_filter_ok(q.body, "file_source",
	    fi_sources, &val) || !fi_filter_ok(q.body, "schedule_status",
	    fi_statuses, &val)))
		rc = fi_unprocessable(ctx);
	if (rc == ML_OK) {
		q.offset = fi_offset(q.body);
		if (q.offset < 0)
			rc = fi_fail(ctx, "FAILURE", "Invalid Offset Value",
			    "The offset value you have provided is not valid. "
			    "Please review and correct the offset.");
	}
	if (rc == ML_OK)
		rc = fi_date(ctx, q.body, 0, &q.from, &q.to);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &fi_coll, fi_status_fn, &q);
	json_object_put(q.body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- file run history ---------------------------------------------------- */

#define FI_NO_IMPORT "Import Doesn't Exist", "No import exist in the " \
	"database with the given query parameters."

static int
fi_history_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct fi_query *q = arg;
	const char *id = ml_sim_fam_str(q->body, "import_id");
	const char *name = ml_sim_fam_str(q->body, "import_name");
	json_object *imp = NULL, *files, *all, *f, *val;
	size_t i;

	/* "If both are passed, import_id takes precedence." */
	if (id != NULL)
		json_object_object_get_ex(coll, id, &imp);
	else
		imp = ml_sim_fam_find(coll, "import_name", name, NULL);
	if (imp == NULL)
		return fi_fail(ctx, "FAILURE", FI_NO_IMPORT);
	files = ml_json_get(imp, "files", json_type_array);
	all = json_object_new_array();
	fi_filter_ok(q->body, "file_status", fi_file_statuses, &val);
	for (i = 0; all != NULL && i < json_object_array_length(files); i++) {
		f = json_object_array_get_idx(files, i);
		if (fi_filter_takes(val, ml_json_str(f, "file_status")) &&
		    fi_in_range(f, "scheduled_at", q->from, q->to))
			all = ml_sim_fam_push(all, ml_sim_fam_copy(f));
	}
	if (all == NULL)
		return ML_ENOMEM;
	return fi_page(ctx, all, q->offset, FI_NO_IMPORT);
}

static int
fi_history(struct ml_sim_ctx *ctx)
{
	struct fi_query q = { NULL, 1, -1, -1 };
	json_object *val;
	int rc;

	rc = ml_sim_fam_begin(ctx, &q.body);
	/* Inferred: neither import_id nor import_name. */
	if (rc == ML_OK && ml_sim_fam_str(q.body, "import_id") == NULL &&
	    ml_sim_fam_str(q.body, "import_name") == NULL)
		rc = fi_fail(ctx, "FAILURE", "Missing Field", "The import_id "
		    "or the import_name must be passed.");
	if (rc == ML_OK && (!fi_filter_ok(q.body, "file_status",
	    fi_file_statuses, &val) || (val != NULL &&
	    !json_object_is_type(val, json_type_array))))
		rc = fi_unprocessable(ctx);
	if (rc == ML_OK) {
		q.offset = fi_offset(q.body);
		if (q.offset < 0)	/* documented: this wording */
			rc = fi_fail(ctx, "FAILURE", FI_NO_IMPORT);
	}
	if (rc == ML_OK)
		rc = fi_date(ctx, q.body, 1, &q.from, &q.to);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &fi_coll, fi_history_fn, &q);
	json_object_put(q.body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- faults and the family ----------------------------------------------- */

static int
fi_other(struct ml_sim_ctx *ctx, int status)
{
	if (status == 400)
		return fi_unprocessable(ctx);
	if (status == 404)	/* documented */
		return ml_sim_fam_send(ctx, 404, ml_sim_fam_strs("status",
		    "fail", "message", "Resource not found", NULL));
	if (status < 500)
		return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("status",
		    "fail", "message", MHD_get_reason_phrase_for(
		    (unsigned)status), NULL));
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title",
	    "Server Error", "description", "An unexpected error was "
	    "encountered while processing this request. Please contact "
	    "MoEngage Team.", "code", ctx->request_id, NULL));
}

static int
fi_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, fi_other);
}

static const int fi_history_tag = FI_HISTORY;

static const struct ml_sim_fam_route r_trigger = {
	&fi_spec, ML_SIM_F_APPKEY, { NULL }, NULL
};
static const struct ml_sim_fam_route r_status = {
	&fi_spec, ML_SIM_F_APPKEY | ML_SIM_F_MEDIA | ML_SIM_F_BODY,
	{ &fi_limits[0], NULL }, NULL
};
static const struct ml_sim_fam_route r_history = {
	&fi_spec, ML_SIM_F_APPKEY | ML_SIM_F_MEDIA | ML_SIM_F_BODY,
	{ &fi_limits[1], NULL }, &fi_history_tag
};

static const struct ml_sim_route fi_routes[] = {
	{ "POST", "/v1.0/data/fileimports/trigger/{schedule_id}",
	    "trigger_file_import", fi_trigger, &r_trigger },
	{ "POST", "/v1.0/data/fileimports/import/status", "file_import_status",
	    fi_status, &r_status },
	{ "POST", "/v1.0/data/fileimports/import/run/history",
	    "file_import_history", fi_history, &r_history },
};

const struct ml_sim_family ml_sim_family_fileimports = {
	"data", ML_HOST_FILEIMPORTS, fi_routes,
	sizeof(fi_routes) / sizeof(fi_routes[0]),
	fi_limits, sizeof(fi_limits) / sizeof(fi_limits[0]),
	fi_fault,
};
