/* SPDX-License-Identifier: MIT */
/*
 * batch.c: the Bulk Import packer (see batch.h).
 *
 * The body buffer always holds the open envelope plus the elements so far,
 * without the closing "]}"; its exact final size is len + 2. An element is
 * appended only after checking bytes and units against the caps, so a
 * refused element leaves the body untouched. The buffer's own max is the
 * byte cap, which makes ml_buf the second line of defence. No clock, no
 * I/O: safe from any thread on distinct structs.
 */
#include <moelink/batch.h>
#include <moelink/json.h>

#include <string.h>

#define BATCH_OPEN "{\"type\":\"transition\",\"elements\":["
#define BATCH_CLOSE "]}"
#define BATCH_OPEN_LEN (sizeof(BATCH_OPEN) - 1)
#define BATCH_CLOSE_LEN (sizeof(BATCH_CLOSE) - 1)

int
ml_batch_limits_check(const struct ml_batch_limits *lim, struct ml_err *err)
{
	if (lim->max_bytes != 0 && (lim->max_bytes < ML_BATCH_MIN_MAX ||
	    lim->max_bytes > ML_BATCH_HARD_MAX)) {
		ml_err_set(err, ML_EINVAL, "invalid_batch_limit",
		    "batch size cap %zu is outside %u..%u bytes (MoEngage "
		    "accepts at most 128 KB per request)", lim->max_bytes,
		    ML_BATCH_MIN_MAX, ML_BATCH_HARD_MAX);
		ml_err_field(err, "max_bytes");
		return ML_EINVAL;
	}
	if (lim->max_users < 0 || lim->max_events < 0 ||
	    lim->max_elements < 0) {
		ml_err_set(err, ML_EINVAL, "invalid_batch_limit",
		    "batch caps must not be negative");
		ml_err_field(err, lim->max_users < 0 ? "max_users" :
		    lim->max_events < 0 ? "max_events" : "max_elements");
		return ML_EINVAL;
	}
	return ML_OK;
}

void
ml_batch_init(struct ml_batch *b, const struct ml_batch_limits *lim)
{
	memset(b, 0, sizeof(*b));
	if (lim != NULL)
		b->lim = *lim;
	if (b->lim.max_bytes == 0)
		b->lim.max_bytes = ML_BATCH_DEFAULT_MAX;
	if (b->lim.max_bytes < ML_BATCH_MIN_MAX)
		b->lim.max_bytes = ML_BATCH_MIN_MAX;
	if (b->lim.max_bytes > ML_BATCH_HARD_MAX)
		b->lim.max_bytes = ML_BATCH_HARD_MAX;
	if (b->lim.max_users < 0)
		b->lim.max_users = 0;
	if (b->lim.max_events < 0)
		b->lim.max_events = 0;
	if (b->lim.max_elements < 0)
		b->lim.max_elements = 0;
	ml_buf_init(&b->body, b->lim.max_bytes);
}

void
ml_batch_cleanup(struct ml_batch *b)
{
	ml_batch_reset(b);
	ml_buf_cleanup(&b->body);
}

void
ml_batch_reset(struct ml_batch *b)
{
	ml_buf_reset(&b->body);
	b->count = 0;
	b->units.users = b->units.events = 0;
	b->closed = 0;
}

size_t
ml_batch_envelope_size(void)
{
	return BATCH_OPEN_LEN + BATCH_CLOSE_LEN;
}

size_t
ml_batch_size(const struct ml_batch *b)
{
	if (b->closed)
		return b->body.len;
	if (b->count == 0)
		return ml_batch_envelope_size();
	return b->body.len + BATCH_CLOSE_LEN;
}

/* Units over a cap (0 = none)? */
static int
batch_over(long have, long add, long cap)
{
	if (cap == 0)
		return 0;
	return add > cap || have > cap - add;
}

int
ml_batch_fits_alone(const struct ml_batch *b, size_t len,
    const struct ml_batch_units *units, struct ml_err *err)
{
	size_t room = b->lim.max_bytes - ml_batch_envelope_size();

	if (len == 0)
		return ml_err_set(err, ML_EINVAL, "element_too_large",
		    "an element must not be empty");
	if (len > room)
		return ml_err_set(err, ML_EINVAL, "element_too_large",
		    "element is %zu bytes; a Bulk Import request holds at "
		    "most %zu bytes of elements (cap %zu bytes)", len, room,
		    b->lim.max_bytes);
	if (units != NULL && batch_over(0, units->events, b->lim.max_events))
		return ml_err_set(err, ML_EINVAL, "element_too_large",
		    "element carries %ld events; one request may carry at "
		    "most %ld", units->events, b->lim.max_events);
	if (units != NULL && batch_over(0, units->users, b->lim.max_users))
		return ml_err_set(err, ML_EINVAL, "element_too_large",
		    "element carries %ld users; one request may carry at "
		    "most %ld", units->users, b->lim.max_users);
	return ML_OK;
}

int
ml_batch_add(struct ml_batch *b, const char *elem, size_t len,
    const struct ml_batch_units *units, struct ml_err *err)
{
	static const struct ml_batch_units none = { 0, 0 };
	size_t need;
	int rc;

	if (b->closed)
		return ml_err_set(err, ML_EINVAL, "batch_closed",
		    "the batch was finished; reset it before adding");
	if (units == NULL)
		units = &none;
	rc = ml_batch_fits_alone(b, len, units, err);
	if (rc)
		return rc;
	/* Exact final size with this element: separator + element + close. */
	need = (b->count ? b->body.len + 1 : BATCH_OPEN_LEN) + len +
	    BATCH_CLOSE_LEN;
	if (need > b->lim.max_bytes ||
	    batch_over(b->units.users, units->users, b->lim.max_users) ||
	    batch_over(b->units.events, units->events, b->lim.max_events) ||
	    (b->lim.max_elements > 0 &&
	    b->count >= (size_t)b->lim.max_elements))
		return ml_err_set(err, ML_ETOOBIG, "batch_full",
		    "the element does not fit in this batch");
	if (b->count == 0) {
		ml_buf_reset(&b->body);
		rc = ml_buf_append(&b->body, BATCH_OPEN, BATCH_OPEN_LEN);
	} else
		rc = ml_buf_append(&b->body, ",", 1);
	if (rc == ML_OK)
		rc = ml_buf_append(&b->body, elem, len);
	if (rc) {
		/* Only ENOMEM can get here; drop the half-added element. */
		if (b->count == 0)
			ml_buf_reset(&b->body);
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	b->count++;
	b->units.users += units->users;
	b->units.events += units->events;
	return ML_OK;
}

int
ml_batch_finish(struct ml_batch *b, const char **body, size_t *len,
    struct ml_err *err)
{
	int rc;

	if (b->count == 0)
		return ml_err_set(err, ML_EINVAL, "batch_empty",
		    "a Bulk Import request needs at least one element");
	if (!b->closed) {
		/* The room for the close was reserved by every add. */
		rc = ml_buf_append(&b->body, BATCH_CLOSE, BATCH_CLOSE_LEN);
		if (rc)
			return ml_err_set(err, rc, NULL, "%s",
			    ml_strerror(rc));
		b->closed = 1;
	}
	*body = b->body.data;
	*len = b->body.len;
	return ML_OK;
}

int
ml_batch_element_units(json_object *el, struct ml_batch_units *out,
    struct ml_err *err)
{
	json_object *actions;
	const char *type;

	out->users = out->events = 0;
	type = json_object_is_type(el, json_type_object) ?
	    ml_json_str(el, "type") : NULL;
	if (type == NULL)
		return ml_err_set(err, ML_EINVAL, "validation_failed",
		    "type: an element must be an object with a type");
	if (strcmp(type, "customer") == 0 || strcmp(type, "device") == 0) {
		out->users = 1;
		return ML_OK;
	}
	if (strcmp(type, "event") == 0) {
		actions = ml_json_get(el, "actions", json_type_array);
		out->events = actions ? (long)json_object_array_length(actions) :
		    0;
		if (out->events < 1)
			out->events = 1;
		return ML_OK;
	}
	ml_err_set(err, ML_EINVAL, "validation_failed",
	    "type: '%s' is not one of customer, event, device", type);
	ml_err_field(err, "type");
	return ML_EINVAL;
}
