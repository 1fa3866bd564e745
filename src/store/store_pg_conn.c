/* SPDX-License-Identifier: MIT */
/*
 * store_pg_conn.c: libpq plumbing for the PostgreSQL store and outbox (see
 * store_pg_int.h): the connection pool, prepared statements with typed
 * binary parameters, binary result readers and the error mapping.
 *
 * Threads: a connection (PGconn) is used by one thread at a time, between
 * ml__pg_acquire and ml__pg_release; the pool's mutex guards only the idle
 * stack. libpq must be built thread-safe (Debian's is), which open checks.
 *
 * Invariants: a connection in the idle stack has no open transaction. Its
 * `prepared` bits say which statements the server already holds for it;
 * they are cleared when the connection is reset, since a new session has
 * none. Parameter values never become part of SQL text.
 */
#include "store/store_pg_int.h"

#include <moelink/mem.h>

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PG_CONNECT_TIMEOUT "10"
#define PG_URL_MAX 4200

/* ---- pool --------------------------------------------------------------- */

int
ml__pg_url_where(const char *url, char *out, size_t cap, struct ml_err *err)
{
	static const char scheme[] = "postgres://";
	const char *rest, *q;
	size_t len;

	if (url == NULL || strncmp(url, scheme, sizeof(scheme) - 1) != 0)
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "not a postgres:// URL");
	rest = url + sizeof(scheme) - 1;
	q = strchr(rest, '?');
	len = q != NULL ? (size_t)(q - rest) : strlen(rest);
	if (len == 0 || len >= cap)
		return ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "a postgres:// URL needs user@host:port/database");
	memcpy(out, rest, len);
	out[len] = '\0';
	return ML_OK;
}

/* The connection's last error without libpq's trailing newline. */
static void
pg_conn_msg(const PGconn *pg, const char **msg, int *len)
{
	*msg = pg != NULL ? PQerrorMessage(pg) : "out of memory";
	*len = (int)strlen(*msg);
	while (*len > 0 && ((*msg)[*len - 1] == '\n' ||
	    (*msg)[*len - 1] == ' '))
		(*len)--;
}

/* The library never prints: the server's notices are dropped. */
static void
pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static int
pg_connect(struct ml__pg_conn *c, const char *url, const char *app,
    struct ml_err *err)
{
	/* Our defaults first: the URL (expanded from dbname) overrides them. */
	static const char *const keys[] = { "connect_timeout",
	    "application_name", "client_encoding", "dbname", NULL };
	const char *vals[] = { PG_CONNECT_TIMEOUT, app, "UTF8", url, NULL };
	const char *msg;
	int len;

	c->pg = PQconnectdbParams(keys, vals, 1);
	memset(c->prepared, 0, sizeof(c->prepared));
	if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK) {
		/* Kept across PQreset: it belongs to the PGconn. */
		PQsetNoticeProcessor(c->pg, pg_notice, NULL);
		return ML_OK;
	}
	pg_conn_msg(c->pg, &msg, &len);
	if (c->pg == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	return ml_err_set(err, ML_ESTORE, "storage_error",
	    "cannot connect to PostgreSQL: %.*s", len, msg);
}

void
ml__pg_pool_close(struct ml__pg_pool *p)
{
	size_t i;

	for (i = 0; p->conns != NULL && i < p->nconns; i++)
		if (p->conns[i].pg != NULL)
			PQfinish(p->conns[i].pg);
	if (p->sync_ready) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
	}
	ml_free(p->conns);
	ml_free(p->idle);
	memset(p, 0, sizeof(*p));
}

int
ml__pg_pool_open(struct ml__pg_pool *p, const char *where, long n,
    const char *app, struct ml_err *err)
{
	char *url = NULL;
	size_t i, nconns = n > 0 ? (size_t)n : ML__PG_POOL_DEFAULT;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!PQisthreadsafe())
		return ml_err_set(err, ML_ESTORE, "storage_error",
		    "this libpq is not thread-safe");
	url = ml_malloc(PG_URL_MAX);
	p->conns = ml_calloc(nconns, sizeof(*p->conns));
	p->idle = ml_calloc(nconns, sizeof(*p->idle));
	if (url == NULL || p->conns == NULL || p->idle == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if ((size_t)snprintf(url, PG_URL_MAX, "postgresql://%s", where) >=
	    PG_URL_MAX) {
		rc = ml_err_set(err, ML_EINVAL, "invalid_store_url",
		    "the postgres:// URL is too long");
		goto out;
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "mutex init failed");
		goto out;
	}
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		rc = ml_err_set(err, ML_ENOMEM, NULL, "condvar init failed");
		goto out;
	}
	p->sync_ready = 1;
	p->nconns = nconns;
	for (i = 0; i < nconns; i++) {
		rc = pg_connect(&p->conns[i], url, app != NULL ? app :
		    "moelink", err);
		if (rc)
			goto out;
		p->idle[p->nidle++] = i;
	}
	rc = ML_OK;
out:
	/* The URL may carry a password. */
	if (url != NULL)
		ml_free_zero(url, PG_URL_MAX);
	if (rc)
		ml__pg_pool_close(p);
	return rc;
}

struct ml__pg_conn *
ml__pg_acquire(struct ml__pg_pool *p)
{
	struct ml__pg_conn *c;

	pthread_mutex_lock(&p->mu);
	while (p->nidle == 0)
		pthread_cond_wait(&p->cv, &p->mu);
	c = &p->conns[p->idle[--p->nidle]];
	pthread_mutex_unlock(&p->mu);
	return c;
}

void
ml__pg_release(struct ml__pg_pool *p, struct ml__pg_conn *c)
{
	PGresult *r;

	if (PQstatus(c->pg) == CONNECTION_OK &&
	    PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		r = PQexec(c->pg, "ROLLBACK");
		PQclear(r);
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		/* The server went away or restarted: a new session next time. */
		PQreset(c->pg);
		memset(c->prepared, 0, sizeof(c->prepared));
	}
	pthread_mutex_lock(&p->mu);
	p->idle[p->nidle++] = (size_t)(c - p->conns);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* ---- errors ------------------------------------------------------------- */

int
ml__pg_fail(const struct ml__pg_conn *c, const PGresult *r, const char *what,
    struct ml_err *err)
{
	const char *state = NULL, *msg = NULL, *constraint;
	int len;

	if (r != NULL) {
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	}
	if (state != NULL && strcmp(state, "23505") == 0)
		return ml_err_set(err, ML_ECONFLICT, "conflict",
		    "%s: already exists", what);
	if (state != NULL && strcmp(state, "23503") == 0) {
		constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
		if (constraint != NULL && strstr(constraint, "account_id"))
			return ml_err_set(err, ML_ENOTFOUND, "not_found",
			    "%s: no such account", what);
		return ml_err_set(err, ML_ENOTFOUND, "not_found",
		    "%s: the project does not exist", what);
	}
	if (state != NULL && strcmp(state, "53200") == 0)
		return ml_err_set(err, ML_ENOMEM, NULL, "%s: out of memory",
		    what);
	if (msg != NULL)
		return ml_err_set(err, ML_ESTORE, "storage_error", "%s: %s",
		    what, msg);
	pg_conn_msg(c != NULL ? c->pg : NULL, &msg, &len);
	return ml_err_set(err, ML_ESTORE, "storage_error", "%s: %.*s", what,
	    len, msg);
}

int64_t
ml__pg_changes(PGresult *r)
{
	const char *t = PQcmdTuples(r);
	int64_t n = 0;

	for (; t != NULL && *t >= '0' && *t <= '9'; t++)
		n = n * 10 + (*t - '0');
	return n;
}

/* ---- statements --------------------------------------------------------- */

static void
pg_put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static unsigned
pg_type(char t)
{
	switch (t) {
	case 't':
		return ML__PG_OID_TEXT;
	case 'i':
	case 'o':
		return ML__PG_OID_INT8;
	case 'b':
		return ML__PG_OID_BYTEA;
	case 'S':
		return ML__PG_OID_TEXT_ARRAY;
	case 'I':
		return ML__PG_OID_INT8_ARRAY;
	}
	return 0;
}

/* Prepare statement id of t on c unless the session already has it. */
static int
pg_prepare(struct ml__pg_conn *c, const struct ml__pg_table *t, int id,
    const char *name, struct ml_err *err)
{
	Oid types[ML__PG_PARAMS_MAX];
	const char *fmt = t->sql[id].params;
	PGresult *r;
	int i, n = (int)strlen(fmt), rc = ML_OK;

	if (c->prepared[t->set] & ((uint64_t)1 << id))
		return ML_OK;
	for (i = 0; i < n; i++)
		types[i] = pg_type(fmt[i]);
	r = PQprepare(c->pg, name, t->sql[id].sql, n, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = ml__pg_fail(c, r, "prepare", err);
	else
		c->prepared[t->set] |= (uint64_t)1 << id;
	PQclear(r);
	return rc;
}

struct pg_params {
	const char *values[ML__PG_PARAMS_MAX];
	int lengths[ML__PG_PARAMS_MAX];
	int formats[ML__PG_PARAMS_MAX];
	unsigned char ints[ML__PG_PARAMS_MAX][8];
};

/* Fill p from ap by fmt; everything is sent in binary. */
static int
pg_params(struct pg_params *p, const char *fmt, va_list ap,
    struct ml_err *err)
{
	const char *text;
	size_t len;
	int64_t v;
	int i;

	for (i = 0; fmt[i] != '\0'; i++) {
		p->formats[i] = 1;
		switch (fmt[i]) {
		case 't':
			text = va_arg(ap, const char *);
			len = text != NULL ? strlen(text) : 0;
			p->values[i] = text;
			break;
		case 'i':
		case 'o':
			v = va_arg(ap, int64_t);
			pg_put64(p->ints[i], (uint64_t)v);
			p->values[i] = fmt[i] == 'o' && v == 0 ? NULL :
			    (const char *)p->ints[i];
			len = 8;
			break;
		case 'b':
		case 'S':
		case 'I':
			p->values[i] = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			break;
		default:
			return ml_err_set(err, ML_EINTERNAL, "internal",
			    "bad parameter type '%c'", fmt[i]);
		}
		if (len > INT_MAX)
			return ml_err_set(err, ML_EINVAL, "invalid_request",
			    "parameter %d is too large", i + 1);
		p->lengths[i] = (int)len;
	}
	return ML_OK;
}

int
ml__pg_vexec(struct ml__pg_conn *c, const struct ml__pg_table *t, int id,
    PGresult **out, struct ml_err *err, va_list ap)
{
	const char *fmt = t->sql[id].params;
	struct pg_params p;
	ExecStatusType st;
	PGresult *r;
	char name[16];
	int rc;

	if (out != NULL)
		*out = NULL;
	snprintf(name, sizeof(name), "%s%d", t->prefix, id);
	rc = pg_prepare(c, t, id, name, err);
	if (rc == ML_OK)
		rc = pg_params(&p, fmt, ap, err);
	if (rc)
		return rc;
	r = PQexecPrepared(c->pg, name, (int)strlen(fmt), p.values, p.lengths,
	    p.formats, 1);
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = ml__pg_fail(c, r, t->sql[id].sql, err);
		PQclear(r);
		return rc;
	}
	if (out != NULL)
		*out = r;
	else
		PQclear(r);
	return ML_OK;
}

int
ml__pg_exec(struct ml__pg_conn *c, const struct ml__pg_table *t, int id,
    PGresult **out, struct ml_err *err, ...)
{
	va_list ap;
	int rc;

	va_start(ap, err);
	rc = ml__pg_vexec(c, t, id, out, err, ap);
	va_end(ap);
	return rc;
}

int
ml__pg_simple(struct ml__pg_conn *c, const char *sql, struct ml_err *err)
{
	PGresult *r;
	int rc = ML_OK;

	r = PQexec(c->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = ml__pg_fail(c, r, "query", err);
	PQclear(r);
	return rc;
}

int
ml__pg_begin(struct ml__pg_conn *c, struct ml_err *err)
{
	return ml__pg_simple(c, "BEGIN", err);
}

int
ml__pg_end(struct ml__pg_conn *c, int rc, struct ml_err *err)
{
	struct ml_err ignore;

	if (rc == ML_OK)
		rc = ml__pg_simple(c, "COMMIT", err);
	if (rc != ML_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		ml__pg_simple(c, "ROLLBACK", &ignore);
	return rc;
}

/* ---- results ------------------------------------------------------------ */

int
ml__pg_isnull(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col);
}

void
ml__pg_col_copy(const PGresult *r, int row, int col, char *dst, size_t cap)
{
	size_t len = (size_t)PQgetlength(r, row, col);

	if (cap == 0)
		return;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, PQgetvalue(r, row, col), len);
	dst[len] = '\0';
}

int64_t
ml__pg_col_int(const PGresult *r, int row, int col)
{
	const unsigned char *p;
	uint64_t v = 0;
	int i, len;

	if (PQgetisnull(r, row, col))
		return 0;
	p = (const unsigned char *)PQgetvalue(r, row, col);
	len = PQgetlength(r, row, col);
	for (i = 0; i < len && i < 8; i++)
		v = (v << 8) | p[i];
	/* Sign-extend int2 / int4. */
	if (len == 4)
		return (int64_t)(int32_t)(uint32_t)v;
	if (len == 2)
		return (int64_t)(int16_t)(uint16_t)v;
	return (int64_t)v;
}

int
ml__pg_col_dup(const PGresult *r, int row, int col, char **out, size_t *len,
    struct ml_err *err)
{
	size_t n;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (PQgetisnull(r, row, col))
		return ML_OK;
	n = (size_t)PQgetlength(r, row, col);
	*out = ml_strndup(PQgetvalue(r, row, col), n);
	if (*out == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	if (len != NULL)
		*len = n;
	return ML_OK;
}

int
ml__pg_col_blob(const PGresult *r, int row, int col, unsigned char **out,
    size_t *len, struct ml_err *err)
{
	size_t n = (size_t)PQgetlength(r, row, col);

	*len = 0;
	*out = ml_malloc(n > 0 ? n : 1);
	if (*out == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	if (n > 0)
		memcpy(*out, PQgetvalue(r, row, col), n);
	*len = n;
	return ML_OK;
}

int
ml__pg_col_hash_eq(const PGresult *r, int row, int col,
    const unsigned char *hash, size_t len)
{
	return !PQgetisnull(r, row, col) &&
	    (size_t)PQgetlength(r, row, col) == len &&
	    sodium_memcmp(PQgetvalue(r, row, col), hash, len) == 0;
}

int
ml__pg_collect(const PGresult *r, size_t elem, ml__pg_read_fn read,
    void **arr, size_t *n, struct ml_err *err)
{
	int rows = PQntuples(r), i, rc;

	*arr = NULL;
	*n = 0;
	if (rows == 0)
		return ML_OK;
	*arr = ml_calloc((size_t)rows, elem);
	if (*arr == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	for (i = 0; i < rows; i++) {
		/* Counted first, so the caller's free covers a partial read. */
		(*n)++;
		rc = read(r, i, (char *)*arr + (size_t)i * elem, err);
		if (rc)
			return rc;
	}
	return ML_OK;
}

/* ---- binary arrays ------------------------------------------------------ */

static int
pg_array_put32(struct ml_buf *b, uint32_t v)
{
	unsigned char p[4];

	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return ml_buf_append(b, p, sizeof(p));
}

int
ml__pg_array_init(struct ml_buf *b, unsigned elem_oid, size_t n)
{
	int rc;

	if (n > INT_MAX)
		return ML_ETOOBIG;
	/* ndim, has-nulls flag, element type, then (length, lower bound). */
	rc = pg_array_put32(b, 1);
	if (rc == ML_OK)
		rc = pg_array_put32(b, 0);
	if (rc == ML_OK)
		rc = pg_array_put32(b, elem_oid);
	if (rc == ML_OK)
		rc = pg_array_put32(b, (uint32_t)n);
	if (rc == ML_OK)
		rc = pg_array_put32(b, 1);
	return rc;
}

int
ml__pg_array_text(struct ml_buf *b, const char *s, size_t len)
{
	int rc;

	if (len > INT_MAX)
		return ML_ETOOBIG;
	rc = pg_array_put32(b, (uint32_t)len);
	if (rc == ML_OK && len > 0)
		rc = ml_buf_append(b, s, len);
	return rc;
}

int
ml__pg_array_int(struct ml_buf *b, int64_t v)
{
	unsigned char p[8];
	int rc;

	pg_put64(p, (uint64_t)v);
	rc = pg_array_put32(b, 8);
	if (rc == ML_OK)
		rc = ml_buf_append(b, p, sizeof(p));
	return rc;
}
