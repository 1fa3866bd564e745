/* SPDX-License-Identifier: MIT */
/*
 * segment_map.h: Segment tracking-API messages turned into MoEngage
 * Data API objects (docs/segment.md is the user-facing table).
 *
 *   identify      -> customer (traits -> attributes), plus a device when
 *                    context.device carries a push token
 *   track         -> event (properties -> action attributes, timestamp ->
 *                    current_time)
 *   page / screen -> event "Viewed <name> Page|Screen" ("Loaded a Page",
 *                    "Viewed a Screen" without a name)
 *   alias         -> merge pair {merged_user: previousId,
 *                    retained_user: userId}
 *   group         -> refused: MoEngage has no group object
 *
 * The customer_id is userId, else traits.userId / traits.id (identify:
 * traits, others: context.traits), else anonymousId.
 *
 * Pure: the clock is passed in; no I/O. The output owns its JSON objects.
 */
#ifndef ML_SEGMENT_MAP_H
#define ML_SEGMENT_MAP_H

#include <json-c/json.h>
#include <stdint.h>

#include <moelink/err.h>

#define ML_SEGMENT_MAP_MAX_ITEMS 2
#define ML_SEGMENT_MAP_ID_MAX 256

struct ml_segment_map_item {
	char kind[16];		/* "customer", "event", "device", "merge" */
	char customer_id[ML_SEGMENT_MAP_ID_MAX];	/* ordering key */
	json_object *payload;	/* the element or the merge pair; owned */
};

struct ml_segment_map_out {
	struct ml_segment_map_item items[ML_SEGMENT_MAP_MAX_ITEMS];
	size_t n;
	int dropped_attrs;	/* attributes MoEngage refuses, left out */
};

void ml_segment_map_out_init(struct ml_segment_map_out *out);
void ml_segment_map_out_cleanup(struct ml_segment_map_out *out);

/*
 * Map one message. implied_type is the endpoint's type ("track" for
 * /v1/track) or NULL for /v1/batch, where each message names its type; a
 * message's own "type" must agree with the endpoint's. now_s bounds event
 * times (MoEngage refuses future-dated events). On failure out is empty and
 * err says why (ML_EINVAL, kind "invalid_message" or "unsupported_type",
 * err->field the offending member).
 */
int ml_segment_map_message(json_object *msg, const char *implied_type,
    int64_t now_s, struct ml_segment_map_out *out, struct ml_err *err);

/*
 * Parse an ISO 8601 time ("2026-11-29T08:00:00.123Z", "+05:30" offsets,
 * or a date "2026-11-29") into epoch seconds. ML_EINVAL if it is not one.
 */
int ml_segment_map_time(const char *s, int64_t *out);

#endif
