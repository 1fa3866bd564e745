/* SPDX-License-Identifier: MIT */
/*
 * sim_fault.c: injected faults (POST /_sim/faults). A fault names a family,
 * optionally a path prefix, and what to do to the next `count` matching
 * requests: answer `status` (with the family's documented error body, or a
 * given body), wait `latency_ms` first, or drop the connection unanswered.
 * count 0 means "until reset". Faults are consumed in the order they were
 * added; the first match wins. At most FAULT_MAX live at once.
 */
#include "sim/sim.h"

#include <pthread.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#define FAULT_MAX 64
#define FAULT_LATENCY_MAX 60000

struct fault {
	long id;
	char family[32];
	char path_prefix[256];
	int status;
	long remaining;		/* -1 = unlimited */
	long latency_ms;
	int drop;
	char *body;
};

struct ml_sim_faults {
	pthread_mutex_t mu;
	struct fault f[FAULT_MAX];
	size_t n;
	long next_id;
};

int
ml_sim_faults_new(struct ml_sim_faults **out)
{
	struct ml_sim_faults *f;

	*out = NULL;
	f = ml_calloc(1, sizeof(*f));
	if (f == NULL)
		return ML_ENOMEM;
	pthread_mutex_init(&f->mu, NULL);
	f->next_id = 1;
	*out = f;
	return ML_OK;
}

static void
faults_clear(struct ml_sim_faults *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		ml_free(f->f[i].body);
	f->n = 0;
}

void
ml_sim_faults_free(struct ml_sim_faults *f)
{
	if (f == NULL)
		return;
	faults_clear(f);
	pthread_mutex_destroy(&f->mu);
	ml_free(f);
}

void
ml_sim_faults_reset(struct ml_sim_faults *f)
{
	pthread_mutex_lock(&f->mu);
	faults_clear(f);
	pthread_mutex_unlock(&f->mu);
}

/* Read an optional integer member within [lo, hi]. */
static int
fault_int(json_object *spec, const char *key, long lo, long hi, long *out,
    struct ml_err *err)
{
	json_object *v;

	if (!json_object_object_get_ex(spec, key, &v))
		return ML_OK;
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < lo || json_object_get_int64(v) > hi)
		return ml_err_set(err, ML_EINVAL, "invalid_fault",
		    "\"%s\" must be a whole number from %ld to %ld", key, lo,
		    hi);
	*out = (long)json_object_get_int64(v);
	return ML_OK;
}

static json_object *
fault_json(const struct fault *x)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	if (ml_json_add_int(o, "id", x->id) ||
	    ml_json_add_str(o, "family", x->family) ||
	    (x->path_prefix[0] != '\0' &&
	    ml_json_add_str(o, "path_prefix", x->path_prefix)) ||
	    ml_json_add_int(o, "status", x->status) ||
	    (x->remaining < 0 ? ml_sim_json_add_opt(o, "remaining", NULL) :
	    ml_json_add_int(o, "remaining", x->remaining)) ||
	    ml_json_add_int(o, "latency_ms", x->latency_ms) ||
	    ml_sim_json_add(o, "drop", json_object_new_boolean(x->drop)) ||
	    (x->body != NULL && ml_json_add_str(o, "body", x->body))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
ml_sim_faults_add(struct ml_sim_faults *f, json_object *spec,
    json_object **added, struct ml_err *err)
{
	static const char *const members[] = {
		"family", "status", "count", "body", "latency_ms", "drop",
		"path_prefix", NULL
	};
	struct fault x;
	json_object *v;
	const char *s;
	long status = 0, count = 1;
	size_t i;
	int rc;

	*added = NULL;
	memset(&x, 0, sizeof(x));
	if (!json_object_is_type(spec, json_type_object))
		return ml_err_set(err, ML_EINVAL, "invalid_fault",
		    "the fault must be a JSON object");
	json_object_object_foreach(spec, k, val) {
		(void)val;
		for (i = 0; members[i] != NULL; i++)
			if (strcmp(k, members[i]) == 0)
				break;
		if (members[i] == NULL)
			return ml_err_set(err, ML_EINVAL, "invalid_fault",
			    "unknown member \"%s\"", k);
	}
	s = ml_json_str(spec, "family");
	if (s == NULL || ml_sim_family_find(s) == NULL)
		return ml_err_set(err, ML_EINVAL, "invalid_fault",
		    "\"family\" must name a simulated family (for example "
		    "\"data\")");
	ml_strlcpy(x.family, s, sizeof(x.family));
	s = ml_json_str(spec, "path_prefix");
	if (s != NULL && ml_strlcpy(x.path_prefix, s, sizeof(x.path_prefix)) >=
	    sizeof(x.path_prefix))
		return ml_err_set(err, ML_EINVAL, "invalid_fault",
		    "\"path_prefix\" is too long");
	rc = fault_int(spec, "status", 100, 599, &status, err);
	if (rc == ML_OK)
		rc = fault_int(spec, "count", 0, 1000000, &count, err);
	if (rc == ML_OK)
		rc = fault_int(spec, "latency_ms", 0, FAULT_LATENCY_MAX,
		    &x.latency_ms, err);
	if (rc)
		return rc;
	x.status = (int)status;
	x.remaining = count == 0 ? -1 : count;
	if (json_object_object_get_ex(spec, "drop", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return ml_err_set(err, ML_EINVAL, "invalid_fault",
			    "\"drop\" must be true or false");
		x.drop = json_object_get_boolean(v);
	}
	if (x.status == 0 && x.latency_ms == 0 && !x.drop)
		return ml_err_set(err, ML_EINVAL, "invalid_fault",
		    "give at least one of \"status\", \"latency_ms\" or "
		    "\"drop\"");
	if (json_object_object_get_ex(spec, "body", &v) && v != NULL) {
		x.body = ml_strdup(json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : ml_json_text(v));
		if (x.body == NULL)
			return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		if (x.status == 0) {
			ml_free(x.body);
			return ml_err_set(err, ML_EINVAL, "invalid_fault",
			    "\"body\" needs a \"status\"");
		}
	}
	pthread_mutex_lock(&f->mu);
	if (f->n == FAULT_MAX) {
		pthread_mutex_unlock(&f->mu);
		ml_free(x.body);
		return ml_err_set(err, ML_ETOOBIG, "invalid_fault",
		    "at most %d faults at once (POST /_sim/reset clears them)",
		    FAULT_MAX);
	}
	x.id = f->next_id++;
	f->f[f->n++] = x;
	*added = fault_json(&x);
	pthread_mutex_unlock(&f->mu);
	if (*added == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	return ML_OK;
}

int
ml_sim_faults_list(struct ml_sim_faults *f, json_object **out)
{
	json_object *arr, *res;
	size_t i;
	int rc = ML_OK;

	*out = NULL;
	arr = json_object_new_array();
	if (arr == NULL)
		return ML_ENOMEM;
	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->n && rc == ML_OK; i++)
		rc = ml_sim_json_push(arr, fault_json(&f->f[i]));
	pthread_mutex_unlock(&f->mu);
	if (rc) {
		json_object_put(arr);
		return rc;
	}
	res = json_object_new_object();
	rc = ml_sim_json_add(res, "faults", arr);
	if (rc) {
		json_object_put(res);
		return rc;
	}
	*out = res;
	return ML_OK;
}

int
ml_sim_faults_take(struct ml_sim_faults *f, const char *family,
    const char *path, struct ml_sim_fault_hit *hit)
{
	struct fault *x;
	size_t i;
	int rc = 0;

	memset(hit, 0, sizeof(*hit));
	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->n; i++) {
		x = &f->f[i];
		if (strcmp(x->family, family) != 0 ||
		    strncmp(path, x->path_prefix, strlen(x->path_prefix)) != 0)
			continue;
		hit->status = x->status;
		hit->latency_ms = x->latency_ms;
		hit->drop = x->drop;
		if (x->body != NULL) {
			hit->body = ml_strdup(x->body);
			if (hit->body == NULL) {
				rc = ML_ENOMEM;
				break;
			}
		}
		rc = 1;
		if (x->remaining > 0 && --x->remaining == 0) {
			ml_free(x->body);
			memmove(x, x + 1, (f->n - i - 1) * sizeof(*x));
			f->n--;
		}
		break;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}
