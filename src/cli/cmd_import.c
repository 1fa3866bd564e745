/* SPDX-License-Identifier: MIT */
/*
 * cmd_import.c: `moelink import FILE --account ID [--format csv|ndjson]`:
 * stream users and events from a file into a running `moelink serve`
 * (POST /events with partial acceptance), in batches, in constant memory.
 *
 * Formats:
 *   ndjson  one MoEngage element per line ({"type":"customer",...}); blank
 *           lines are skipped.
 *   csv     a header row, then one element per record (RFC 4180 quoting,
 *           quoted fields may span lines). customer_id is required; a
 *           "type" column (customer|event) or --type picks the element;
 *           without either, a record with an "event" (or "action") column
 *           is an event. Event columns: event|action, time|current_time|
 *           timestamp, platform, app_version; every other column is an
 *           attribute, typed as integer, decimal or true/false when it
 *           reads as one, else a string; empty cells are left out.
 *
 * Memory: one record (at most ML_IMPORT_RECORD_MAX bytes), one batch body
 * and the first ML_IMPORT_REJECT_KEEP rejections are held; nothing grows
 * with the file. A malformed record or element is reported with its line
 * number and the import goes on.
 *
 * Output: a progress bar on stderr when it is a terminal (rate, done/total,
 * ETA), plain progress lines otherwise; a summary on stdout (--json for a
 * JSON one). Exit 0 when the file was read to the end (rejected rows are in
 * the summary), 1 when the import stopped (server unreachable, refused),
 * 2 for usage errors.
 */
#include "cli/cmd.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <moelink/buf.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/opts.h"

#define ML_IMPORT_RECORD_MAX (1024u * 1024u)
#define ML_IMPORT_BODY_MAX (8u * 1024u * 1024u)
#define ML_IMPORT_REJECT_KEEP 1000
#define ML_IMPORT_MAX_COLS 256
#define IMPORT_TRIES 6

struct import_opts {
	char account[64];
	char format[16];
	char type[16];
	char server[512];
	char api_key[256];
	long batch;
	int json;
	int quiet;
};

#define STR(field) offsetof(struct import_opts, field), \
	sizeof(((struct import_opts *)0)->field)

static const struct ml_opt import_tab[] = {
	{ "account", ML_OPT_STR, STR(account), NULL, NULL, 0, 0, "ID",
	    "the linked account (required)" },
	{ "format", ML_OPT_STR, STR(format), NULL, NULL, 0, 0, "csv|ndjson",
	    "file format (default: from the file name, else ndjson)" },
	{ "type", ML_OPT_STR, STR(type), NULL, NULL, 0, 0, "customer|event",
	    "CSV: the element type of every record" },
	{ "server", ML_OPT_STR, STR(server), "http://127.0.0.1:8080",
	    "MOELINK_URL", 0, 0, "URL", "the moelink server" },
	{ "api-key", ML_OPT_STR, STR(api_key), NULL, "MOELINK_PROJECT_KEY", 0,
	    0, "KEY", "the project API key (better in MOELINK_PROJECT_KEY)" },
	{ "batch", ML_OPT_LONG, offsetof(struct import_opts, batch),
	    sizeof(long), "1000", NULL, 1, 10000, "N",
	    "elements per request" },
	{ "json", ML_OPT_FLAG, offsetof(struct import_opts, json),
	    sizeof(int), NULL, NULL, 0, 0, NULL, "print the summary as JSON" },
	{ "quiet", ML_OPT_FLAG, offsetof(struct import_opts, quiet),
	    sizeof(int), NULL, NULL, 0, 0, NULL, "no progress output" },
	ML_OPT_END,
};

#undef STR

struct import_reject {
	long line;
	char reason[200];
};

struct import {
	struct import_opts o;
	FILE *fp;
	int csv;
	long line;			/* lines consumed so far */
	long long bytes;		/* bytes consumed */
	long long total_bytes;		/* file size, 0 if unknown */
	/* CSV header */
	char *cols[ML_IMPORT_MAX_COLS];
	size_t ncols;
	/* the batch being built */
	struct ml_buf body;
	long *lines;			/* record line of each element */
	size_t n;
	/* totals */
	long long rows, accepted, rejected;
	struct import_reject *rej;
	size_t nrej;
	/* HTTP */
	CURL *curl;
	struct curl_slist *hdrs;
	char url[600];
	struct ml_buf resp;
	/* progress */
	int tty;
	double t0, last_progress;
	char fatal[400];
};

static double
import_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
import_reject(struct import *im, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
import_reject(struct import *im, long line, const char *fmt, ...)
{
	va_list ap;

	im->rejected++;
	if (im->nrej >= ML_IMPORT_REJECT_KEEP)
		return;
	im->rej[im->nrej].line = line;
	va_start(ap, fmt);
	vsnprintf(im->rej[im->nrej].reason, sizeof(im->rej[0].reason), fmt,
	    ap);
	va_end(ap);
	im->nrej++;
}

/* ---- reading ------------------------------------------------------------ */

/* Next character, counting bytes and lines. */
static int
import_getc(struct import *im)
{
	int c = getc(im->fp);

	if (c != EOF) {
		im->bytes++;
		if (c == '\n')
			im->line++;
	}
	return c;
}

/*
 * One NDJSON line into rec. Returns 1 with a line, 0 at end of file, -1 for
 * a line over the cap (skipped). *start gets its line number.
 */
static int
import_read_line(struct import *im, struct ml_buf *rec, long *start)
{
	int c, over = 0;
	char ch;

	ml_buf_reset(rec);
	*start = im->line + 1;
	c = import_getc(im);
	if (c == EOF)
		return 0;
	for (; c != EOF && c != '\n'; c = import_getc(im)) {
		ch = (char)c;
		if (!over && ml_buf_append(rec, &ch, 1) != ML_OK)
			over = 1;
	}
	return over ? -1 : 1;
}

/*
 * One CSV record: fields are NUL-separated in rec, their starts in
 * fields[]. Returns 1, 0 at end of file, -1 for a malformed or oversized
 * record (skipped to its end).
 */
static int
import_read_csv(struct import *im, struct ml_buf *rec, size_t *offs,
    size_t *nf, long *start)
{
	int c, quoted = 0, bad = 0, any = 0;
	char ch, nul = '\0';

	ml_buf_reset(rec);
	*nf = 0;
	*start = im->line + 1;
	offs[(*nf)++] = 0;
	for (;;) {
		c = import_getc(im);
		if (c == EOF) {
			if (!any)
				return 0;
			if (quoted)
				bad = 1;
			break;
		}
		any = 1;
		if (quoted) {
			if (c == '"') {
				c = getc(im->fp);
				if (c == '"') {
					im->bytes++;
					ch = '"';
					if (ml_buf_append(rec, &ch, 1))
						bad = 1;
					continue;
				}
				if (c != EOF)
					ungetc(c, im->fp);
				quoted = 0;
				continue;
			}
			ch = (char)c;
			if (ml_buf_append(rec, &ch, 1))
				bad = 1;
			continue;
		}
		if (c == '"') {
			quoted = 1;
			continue;
		}
		if (c == '\r')
			continue;
		if (c == '\n')
			break;
		if (c == ',') {
			if (ml_buf_append(rec, &nul, 1))
				bad = 1;
			if (*nf >= ML_IMPORT_MAX_COLS)
				bad = 1;
			else
				offs[(*nf)++] = rec->len;
			continue;
		}
		ch = (char)c;
		if (ml_buf_append(rec, &ch, 1))
			bad = 1;
	}
	if (ml_buf_append(rec, &nul, 1))
		bad = 1;
	return bad ? -1 : 1;
}

/* A CSV cell as a typed JSON value. */
static json_object *
import_value(const char *s)
{
	char *end;
	long long v;

	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return json_object_new_boolean(s[0] == 't');
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0' && errno == 0 &&
	    (s[0] != '0' || s[1] == '\0'))
		return json_object_new_int64(v);
	errno = 0;
	(void)strtod(s, &end);
	if (*s != '\0' && *end == '\0' && errno == 0 && strchr(s, '.') &&
	    s[0] != '.')
		return json_object_new_double_s(strtod(s, NULL), s);
	return json_object_new_string(s);
}

static int
import_col_is(const char *name, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(name, *set) == 0)
			return 1;
	return 0;
}

/* A CSV record as a MoEngage element; NULL with *why set if it cannot be. */
static json_object *
import_csv_element(struct import *im, const char *rec, const size_t *offs,
    size_t nf, const char **why)
{
	static const char *const ev_names[] = { "event", "action", NULL };
	static const char *const ev_times[] = { "time", "current_time",
	    "timestamp", NULL };
	static const char *const ev_fields[] = { "platform", "app_version",
	    NULL };
	json_object *el, *attrs, *act = NULL, *acts;
	const char *type = im->o.type[0] ? im->o.type : NULL, *cid = NULL;
	const char *action = NULL, *v;
	size_t i;

	*why = NULL;
	if (nf != im->ncols) {
		*why = "wrong number of columns";
		return NULL;
	}
	for (i = 0; i < nf; i++) {
		v = rec + offs[i];
		if (strcmp(im->cols[i], "customer_id") == 0)
			cid = v;
		else if (strcmp(im->cols[i], "type") == 0 && v[0] && !type)
			type = v;
		else if (import_col_is(im->cols[i], ev_names) && v[0])
			action = v;
	}
	if (type == NULL)
		type = action != NULL ? "event" : "customer";
	if (strcmp(type, "customer") != 0 && strcmp(type, "event") != 0) {
		*why = "type must be customer or event";
		return NULL;
	}
	if (cid == NULL || cid[0] == '\0') {
		*why = "customer_id is empty";
		return NULL;
	}
	if (strcmp(type, "event") == 0 && action == NULL) {
		*why = "an event needs an event (or action) column value";
		return NULL;
	}
	el = json_object_new_object();
	attrs = json_object_new_object();
	if (el == NULL || attrs == NULL) {
		json_object_put(el);
		json_object_put(attrs);
		*why = "out of memory";
		return NULL;
	}
	ml_json_add_str(el, "type", type);
	ml_json_add_str(el, "customer_id", cid);
	if (strcmp(type, "event") == 0) {
		acts = json_object_new_array();
		act = json_object_new_object();
		json_object_array_add(acts, act);
		json_object_object_add(el, "actions", acts);
		ml_json_add_str(act, "action", action);
		json_object_object_add(act, "attributes", attrs);
	} else
		json_object_object_add(el, "attributes", attrs);
	for (i = 0; i < nf; i++) {
		const char *name = im->cols[i];

		v = rec + offs[i];
		if (v[0] == '\0' || strcmp(name, "customer_id") == 0 ||
		    strcmp(name, "type") == 0 ||
		    (act != NULL && import_col_is(name, ev_names)))
			continue;
		if (act != NULL && import_col_is(name, ev_times))
			json_object_object_add(act, "current_time",
			    import_value(v));
		else if (act != NULL && import_col_is(name, ev_fields))
			ml_json_add_str(act, name, v);
		else
			json_object_object_add(attrs, name, import_value(v));
	}
	return el;
}

/* ---- sending ------------------------------------------------------------ */

/* Map the answer's rejected indexes back to line numbers. */
static void
import_account(struct import *im, json_object *resp)
{
	json_object *rej = ml_json_get(resp, "rejected", json_type_array);
	size_t i, n = rej ? json_object_array_length(rej) : 0;
	int64_t idx;

	im->accepted += ml_json_int(resp, "accepted", 0);
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rej, i);
		const char *msg = ml_json_str(r, "message");

		idx = ml_json_int(r, "index", -1);
		import_reject(im, idx >= 0 && (size_t)idx < im->n ?
		    im->lines[idx] : 0, "%s", msg ? msg : "rejected");
	}
	/* Rejections past the server's list cap are still rejections. */
	if ((int64_t)n < ml_json_int(resp, "rejected_count", 0))
		im->rejected += ml_json_int(resp, "rejected_count", 0) -
		    (int64_t)n;
}

/* POST the batch; retries transport errors, 429 and 5xx. */
static int
import_flush(struct import *im)
{
	json_object *resp = NULL;
	long status = 0;
	int try, rc = ML_OK;
	CURLcode cc;

	if (im->n == 0)
		return ML_OK;
	if (ml_buf_append(&im->body, "]", 1) != ML_OK) {
		snprintf(im->fatal, sizeof(im->fatal), "batch too large");
		return ML_ETOOBIG;
	}
	for (try = 1; try <= IMPORT_TRIES; try++) {
		ml_buf_reset(&im->resp);
		curl_easy_setopt(im->curl, CURLOPT_POSTFIELDS, im->body.data);
		curl_easy_setopt(im->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)im->body.len);
		cc = curl_easy_perform(im->curl);
		status = 0;
		if (cc == CURLE_OK)
			curl_easy_getinfo(im->curl, CURLINFO_RESPONSE_CODE,
			    &status);
		if (cc == CURLE_OK && status != 429 && status < 500)
			break;
		if (try < IMPORT_TRIES)
			sleep((unsigned)(1u << (try - 1)));
	}
	if (cc != CURLE_OK) {
		snprintf(im->fatal, sizeof(im->fatal), "cannot reach %.200s: "
		    "%.80s", im->o.server, curl_easy_strerror(cc));
		rc = ML_ENET;
		goto out;
	}
	if (ml_json_parse(im->resp.data ? im->resp.data : "", im->resp.len, 0,
	    0, &resp, NULL) != ML_OK)
		resp = NULL;
	if (status == 202 || status == 200) {
		import_account(im, resp);
		goto out;
	}
	{
		json_object *e = ml_json_get(resp, "error", json_type_object);
		const char *msg = ml_json_str(e, "message");

		snprintf(im->fatal, sizeof(im->fatal), "the server answered %ld"
		    ": %s", status, msg ? msg : (im->resp.data ?
		    im->resp.data : ""));
	}
	rc = ML_EHTTP;
out:
	json_object_put(resp);
	ml_buf_reset(&im->body);
	im->n = 0;
	return rc;
}

/* Add one serialized element to the batch (flushing when full). */
static int
import_add(struct import *im, const char *text, size_t len, long line)
{
	int rc;

	if (im->n > 0 && im->body.len + len + 2 > ML_IMPORT_BODY_MAX) {
		rc = import_flush(im);
		if (rc)
			return rc;
	}
	rc = ml_buf_append(&im->body, im->n ? "," : "[", 1);
	if (rc == ML_OK)
		rc = ml_buf_append(&im->body, text, len);
	if (rc) {
		snprintf(im->fatal, sizeof(im->fatal), "out of memory");
		return rc;
	}
	im->lines[im->n++] = line;
	if (im->n >= (size_t)im->o.batch)
		return import_flush(im);
	return ML_OK;
}

/* ---- progress ----------------------------------------------------------- */

static void
import_progress(struct import *im, int final)
{
	double now = import_now(), el = now - im->t0, rate, eta = -1;
	int pct = -1, i, w;

	if (im->o.quiet || (!final && now - im->last_progress <
	    (im->tty ? 0.1 : 2.0)))
		return;
	im->last_progress = now;
	rate = el > 0 ? (double)im->rows / el : 0;
	if (im->total_bytes > 0) {
		pct = (int)(100.0 * (double)im->bytes /
		    (double)im->total_bytes);
		if (im->bytes > 0 && el > 0)
			eta = el * (double)(im->total_bytes - im->bytes) /
			    (double)im->bytes;
	}
	if (im->tty) {
		fputc('\r', stderr);
		if (pct >= 0) {
			w = pct / 4;
			fputc('[', stderr);
			for (i = 0; i < 25; i++)
				fputc(i < w ? '#' : '-', stderr);
			fprintf(stderr, "] %3d%% ", pct);
		}
		fprintf(stderr, "%lld rows, %.0f rows/s", im->rows, rate);
		if (eta >= 0)
			fprintf(stderr, ", ETA %d:%02d", (int)eta / 60,
			    (int)eta % 60);
		fprintf(stderr, "   %s", final ? "\n" : "");
	} else {
		fprintf(stderr, "progress: %lld rows read, %lld accepted, %lld "
		    "rejected, %.0f rows/s", im->rows, im->accepted,
		    im->rejected, rate);
		if (pct >= 0)
			fprintf(stderr, ", %d%% of %lld bytes", pct,
			    im->total_bytes);
		if (eta >= 0 && !final)
			fprintf(stderr, ", ETA %.0f s", eta);
		fputc('\n', stderr);
	}
	fflush(stderr);
}

static void
import_summary(struct import *im, int ok)
{
	double el = import_now() - im->t0;
	json_object *o, *arr, *r;
	size_t i;

	if (!im->o.json) {
		printf("import %s: %lld rows read, %lld accepted, %lld rejected "
		    "in %.1f s (%.0f rows/s)\n", ok ? "done" : "stopped",
		    im->rows, im->accepted, im->rejected, el,
		    el > 0 ? (double)im->rows / el : 0.0);
		for (i = 0; i < im->nrej; i++)
			printf("  line %ld: %s\n", im->rej[i].line,
			    im->rej[i].reason);
		if ((long long)im->nrej < im->rejected)
			printf("  ... and %lld more\n",
			    im->rejected - (long long)im->nrej);
		if (!ok)
			printf("error: %s\n", im->fatal);
		return;
	}
	o = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	ml_json_add_int(o, "rows", im->rows);
	ml_json_add_int(o, "accepted", im->accepted);
	ml_json_add_int(o, "rejected", im->rejected);
	json_object_object_add(o, "seconds", json_object_new_double(el));
	for (i = 0; i < im->nrej; i++) {
		r = json_object_new_object();
		ml_json_add_int(r, "line", im->rej[i].line);
		ml_json_add_str(r, "reason", im->rej[i].reason);
		json_object_array_add(arr, r);
	}
	json_object_object_add(o, "rejections", arr);
	if (!ok)
		ml_json_add_str(o, "error", im->fatal);
	printf("%s\n", ml_json_text(o));
	json_object_put(o);
}

/* ---- the run ------------------------------------------------------------ */

static int
import_setup(struct import *im, const char *path)
{
	char hdr[400];
	struct stat st;

	im->fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (im->fp == NULL) {
		fprintf(stderr, "moelink import: cannot open %s: %s\n", path,
		    strerror(errno));
		return ML_EIO;
	}
	if (fstat(fileno(im->fp), &st) == 0 && S_ISREG(st.st_mode))
		im->total_bytes = (long long)st.st_size;
	ml_buf_init(&im->body, ML_IMPORT_BODY_MAX);
	ml_buf_init(&im->resp, 4u * 1024u * 1024u);
	im->lines = ml_calloc((size_t)im->o.batch, sizeof(*im->lines));
	im->rej = ml_calloc(ML_IMPORT_REJECT_KEEP, sizeof(*im->rej));
	im->curl = curl_easy_init();
	if (im->lines == NULL || im->rej == NULL || im->curl == NULL)
		return ML_ENOMEM;
	snprintf(im->url, sizeof(im->url), "%s/events?partial=true",
	    im->o.server);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", im->o.api_key);
	im->hdrs = curl_slist_append(im->hdrs, hdr);
	snprintf(hdr, sizeof(hdr), "x-account-id: %s", im->o.account);
	im->hdrs = curl_slist_append(im->hdrs, hdr);
	im->hdrs = curl_slist_append(im->hdrs,
	    "Content-Type: application/json");
	im->hdrs = curl_slist_append(im->hdrs, "Expect:");
	curl_easy_setopt(im->curl, CURLOPT_URL, im->url);
	curl_easy_setopt(im->curl, CURLOPT_HTTPHEADER, im->hdrs);
	curl_easy_setopt(im->curl, CURLOPT_WRITEFUNCTION, cmd_curl_write_buf);
	curl_easy_setopt(im->curl, CURLOPT_WRITEDATA, &im->resp);
	curl_easy_setopt(im->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(im->curl, CURLOPT_TIMEOUT, 120L);
	im->tty = isatty(fileno(stderr));
	return ML_OK;
}

static void
import_cleanup(struct import *im)
{
	size_t i;

	if (im->fp != NULL && im->fp != stdin)
		fclose(im->fp);
	for (i = 0; i < im->ncols; i++)
		ml_free(im->cols[i]);
	ml_buf_cleanup(&im->body);
	ml_buf_cleanup(&im->resp);
	ml_free(im->lines);
	ml_free(im->rej);
	curl_slist_free_all(im->hdrs);
	if (im->curl != NULL)
		curl_easy_cleanup(im->curl);
}

/* Read the CSV header row into im->cols. */
static int
import_header(struct import *im, struct ml_buf *rec, size_t *offs)
{
	size_t nf, i;
	long start;

	if (import_read_csv(im, rec, offs, &nf, &start) != 1) {
		snprintf(im->fatal, sizeof(im->fatal), "the CSV file has no "
		    "readable header row");
		return ML_EINVAL;
	}
	for (i = 0; i < nf; i++) {
		im->cols[i] = ml_strdup(rec->data + offs[i]);
		if (im->cols[i] == NULL)
			return ML_ENOMEM;
		im->ncols++;
	}
	return ML_OK;
}

static int
import_run(struct import *im)
{
	struct ml_buf rec;
	size_t offs[ML_IMPORT_MAX_COLS + 1], nf = 0, len;
	json_object *el;
	const char *why, *text;
	long start;
	int got, rc = ML_OK;

	ml_buf_init(&rec, ML_IMPORT_RECORD_MAX);
	if (im->csv)
		rc = import_header(im, &rec, offs);
	while (rc == ML_OK) {
		got = im->csv ? import_read_csv(im, &rec, offs, &nf, &start) :
		    import_read_line(im, &rec, &start);
		if (got == 0)
			break;
		if (!im->csv && got == 1 && strspn(rec.data ? rec.data : "",
		    " \t\r") == rec.len)
			continue;
		im->rows++;
		import_progress(im, 0);
		if (got < 0) {
			import_reject(im, start, im->csv ? "malformed CSV "
			    "record (unbalanced quotes, too many columns or "
			    "over 1 MiB)" : "line over 1 MiB");
			continue;
		}
		el = NULL;
		why = NULL;
		if (im->csv)
			el = import_csv_element(im, rec.data, offs, nf, &why);
		else if (ml_json_parse(rec.data, rec.len, ML_IMPORT_RECORD_MAX,
		    0, &el, NULL) != ML_OK)
			why = "not valid JSON";
		else if (!json_object_is_type(el, json_type_object))
			why = "not a JSON object";
		if (why != NULL) {
			import_reject(im, start, "%s", why);
			json_object_put(el);
			continue;
		}
		text = json_object_to_json_string_length(el,
		    JSON_C_TO_STRING_PLAIN, &len);
		rc = import_add(im, text, len, start);
		json_object_put(el);
	}
	if (rc == ML_OK)
		rc = import_flush(im);
	ml_buf_cleanup(&rec);
	return rc;
}

int
cmd_import(int argc, char **argv)
{
	struct import im;
	struct ml_err err;
	char *pos[1];
	const char *ext;
	int npos = 0, help = 0, rc;

	memset(&im, 0, sizeof(im));
	if (ml_opts_defaults(import_tab, &im.o, &err) != ML_OK ||
	    ml_opts_parse_argv(import_tab, &im.o, argc, argv, 1, pos, 1, &npos,
	    &help, &err) != ML_OK) {
		fprintf(stderr, "moelink import: %s\n", err.msg);
		return ML_EXIT_USAGE;
	}
	if (help || npos != 1 || im.o.account[0] == '\0') {
		fprintf(help ? stdout : stderr, "Usage: moelink import FILE "
		    "--account ID [--format csv|ndjson] [--server URL]\n\n"
		    "Stream users and events from FILE (- for standard input) "
		    "into moelink's outbox.\n\n");
		ml_opts_print_help(import_tab, help ? stdout : stderr);
		return help ? ML_EXIT_OK : ML_EXIT_USAGE;
	}
	ext = strrchr(pos[0], '.');
	if (im.o.format[0] == '\0')
		ml_strlcpy(im.o.format, ext != NULL && strcmp(ext, ".csv") == 0 ?
		    "csv" : "ndjson", sizeof(im.o.format));
	if (strcmp(im.o.format, "csv") != 0 &&
	    strcmp(im.o.format, "ndjson") != 0) {
		fprintf(stderr, "moelink import: --format must be csv or "
		    "ndjson\n");
		return ML_EXIT_USAGE;
	}
	im.csv = strcmp(im.o.format, "csv") == 0;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = import_setup(&im, pos[0]);
	if (rc == ML_EIO) {
		import_cleanup(&im);
		return ML_EXIT_USAGE;
	}
	im.t0 = import_now();
	if (rc == ML_OK)
		rc = import_run(&im);
	else
		snprintf(im.fatal, sizeof(im.fatal), "out of memory");
	import_progress(&im, 1);
	import_summary(&im, rc == ML_OK);
	import_cleanup(&im);
	curl_global_cleanup();
	return rc == ML_OK ? ML_EXIT_OK : ML_EXIT_FAIL;
}
