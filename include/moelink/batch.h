/* SPDX-License-Identifier: MIT */
/*
 * batch.h: the Bulk Import packer. Serialized Data API elements (customer,
 * event and device objects, already validated) are packed into
 *   {"type":"transition","elements":[e1,e2,...]}
 * bodies no larger than a byte cap, counting the exact serialized size.
 *
 * Order: the packer never reorders. Elements go into the body in the order
 * they are offered and a body is closed at the first element that does not
 * fit, so elements of one customer_id keep their order across bodies as
 * long as the caller sends bodies in the order it packed them (the delivery
 * worker keeps one body in flight per account).
 *
 * Units: a body can also be capped in users (customer and device elements)
 * and events (actions inside event elements), so one body never needs more
 * rate-limit tokens than the workspace's token bucket can hold.
 *
 * Pure: no I/O, no clock, no globals. struct ml_batch is embedded by the
 * caller (init/cleanup); the only allocation is the body buffer.
 */
#ifndef MOELINK_BATCH_H
#define MOELINK_BATCH_H

#include <json-c/json.h>
#include <stddef.h>

#include <moelink/buf.h>
#include <moelink/err.h>

/* Bulk Import's documented cap (data.yaml) and the Data API's 128 KB. */
#define ML_BATCH_DEFAULT_MAX (100u * 1024u)
#define ML_BATCH_HARD_MAX (128u * 1024u)
/* The smallest cap accepted: room for the envelope and a small element. */
#define ML_BATCH_MIN_MAX 256u

/* What an element spends of the workspace's per-minute limits. */
struct ml_batch_units {
	long users;	/* customer and device elements */
	long events;	/* actions of an event element */
};

struct ml_batch_limits {
	size_t max_bytes;	/* 0 = ML_BATCH_DEFAULT_MAX */
	long max_users;		/* per body; 0 = no cap */
	long max_events;	/* per body; 0 = no cap */
	long max_elements;	/* per body; 0 = no cap */
};

struct ml_batch {
	struct ml_buf body;	/* the open body: envelope + elements so far */
	struct ml_batch_limits lim;
	size_t count;		/* elements in the body */
	struct ml_batch_units units;
	int closed;		/* ml_batch_finish() was called */
};

/*
 * Check limits for configuration: max_bytes must be 0 or within
 * ML_BATCH_MIN_MAX..ML_BATCH_HARD_MAX, the caps >= 0. ML_EINVAL otherwise
 * with err->field naming the bad limit.
 */
int ml_batch_limits_check(const struct ml_batch_limits *lim,
    struct ml_err *err);

/*
 * Init with limits (NULL = defaults). A max_bytes outside the accepted range
 * is clamped into it; call ml_batch_limits_check() first to report it.
 */
void ml_batch_init(struct ml_batch *b, const struct ml_batch_limits *lim);
void ml_batch_cleanup(struct ml_batch *b);
/* Empty the body (keeps the limits and the storage). */
void ml_batch_reset(struct ml_batch *b);

/* Bytes of the envelope with no element: strlen of {"type":...,"elements":[]}. */
size_t ml_batch_envelope_size(void);

/*
 * Offer one element: its exact serialized JSON text (len bytes) and units.
 * Returns
 * - ML_OK: appended.
 * - ML_ETOOBIG, err->kind "batch_full": it does not fit beside the elements
 *   already in the body (bytes or units); nothing changed. Finish and send
 *   this body, reset, and offer the element again.
 * - ML_EINVAL, err->kind "element_too_large": it would not fit even in an
 *   empty body; err->msg gives its size and the cap. Reject it.
 * - ML_ENOMEM.
 * Offering to a finished body is ML_EINVAL ("batch_closed").
 */
int ml_batch_add(struct ml_batch *b, const char *elem, size_t len,
    const struct ml_batch_units *units, struct ml_err *err);

/*
 * Would an element of len bytes and these units fit in an empty body? The
 * same rule ml_batch_add applies; ML_OK or ML_EINVAL "element_too_large".
 */
int ml_batch_fits_alone(const struct ml_batch *b, size_t len,
    const struct ml_batch_units *units, struct ml_err *err);

/*
 * Close the body and point *body / *len at it (owned by b, valid until the
 * next reset or cleanup). A body with no element is ML_EINVAL
 * ("batch_empty"): Bulk Import refuses an empty elements array.
 */
int ml_batch_finish(struct ml_batch *b, const char **body, size_t *len,
    struct ml_err *err);

/* Bytes the body would have if finished now. */
size_t ml_batch_size(const struct ml_batch *b);

/*
 * The units of one element by its type: customer and device = 1 user;
 * event = its number of actions in events. ML_EINVAL if el is not an object
 * with a known lowercase type.
 */
int ml_batch_element_units(json_object *el, struct ml_batch_units *out,
    struct ml_err *err);

#endif
