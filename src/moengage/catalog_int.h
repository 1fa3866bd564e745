/* SPDX-License-Identifier: MIT */
/*
 * catalog_int.h: what the per-family row files share with catalog.c (not
 * public). Each src/moengage/catalog_<family>.c defines one array of rows
 * ending with a row whose name is NULL, and catalog.c lists the arrays.
 */
#ifndef ML_CATALOG_INT_H
#define ML_CATALOG_INT_H

#include <moelink/catalog.h>

/* Upper bound on rows over all families (catalog.c checks it). */
#define ML__CATALOG_MAX 512

/* Wrap a body schema as the {body, query, path} input schema of a row. */
#define ML__SCHEMA_BODY(body) \
	"{\"type\":\"object\",\"required\":[\"body\"],\"properties\":{" \
	"\"body\":" body "},\"additionalProperties\":false}"
#define ML__SCHEMA_BODY_OPTIONAL(body) \
	"{\"type\":\"object\",\"properties\":{\"body\":" body "}," \
	"\"additionalProperties\":false}"

extern const struct ml_action ml__catalog_data[];
extern const struct ml_action ml__catalog_segmentation[];
extern const struct ml_action ml__catalog_push[];
extern const struct ml_action ml__catalog_campaign_report[];
extern const struct ml_action ml__catalog_business_events[];
extern const struct ml_action ml__catalog_templates[];
extern const struct ml_action ml__catalog_content_blocks[];
extern const struct ml_action ml__catalog_catalog[];
extern const struct ml_action ml__catalog_subscription[];
extern const struct ml_action ml__catalog_personalize[];
extern const struct ml_action ml__catalog_recommendations[];
extern const struct ml_action ml__catalog_inform[];
extern const struct ml_action ml__catalog_cards[];

#endif
