/* SPDX-License-Identifier: MIT */
/*
 * keys.h: MoEngage API families, an account's key set, and the rule that
 * picks the key a family uses.
 *
 * Rule: a family uses its own slot (reference 2.2); where that slot is empty
 * it falls back to the multi-permission key; where that is empty too, the
 * call fails with ML_ENOKEY naming the slot. Keys are secrets: the key set
 * owns heap copies and wipes them on cleanup.
 */
#ifndef MOELINK_KEYS_H
#define MOELINK_KEYS_H

#include <moelink/err.h>

enum ml_family {
	ML_FAM_DATA = 0,
	ML_FAM_SEGMENTATION,
	ML_FAM_PUSH,
	ML_FAM_CAMPAIGN_REPORT,
	ML_FAM_BUSINESS_EVENTS,
	ML_FAM_TEMPLATES,
	ML_FAM_CONTENT_BLOCKS,
	ML_FAM_CATALOG,
	ML_FAM_SUBSCRIPTION,
	ML_FAM_PERSONALIZE,
	ML_FAM_RECOMMENDATIONS,
	ML_FAM_INFORM,
	ML_FAM_CARDS,		/* App Inbox (cards.yaml); the general key */
	ML_FAM_COUNT
};

enum ml_key_slot {
	ML_KEY_DATA = 0,
	ML_KEY_GENERAL,
	ML_KEY_PUSH,
	ML_KEY_INFORM,
	ML_KEY_PERSONALIZE,
	ML_KEY_MULTI,		/* one multi-permission key for every family */
	ML_KEY_SLOT_COUNT
};

/* An account's keys; any slot may be NULL. Embedded by the caller. */
struct ml_keyset {
	char *key[ML_KEY_SLOT_COUNT];
};

/* "data", "segmentation", ... (stable, used in action rows and the API). */
const char *ml_family_name(enum ml_family fam);
int ml_family_parse(const char *name, enum ml_family *out);
/* Human label: "Campaign Report", ... */
const char *ml_family_label(enum ml_family fam);

/* "data", "general", "push", "inform", "personalize", "multi". */
const char *ml_key_slot_name(enum ml_key_slot slot);
int ml_key_slot_parse(const char *name, enum ml_key_slot *out);
/* Human description of a slot for error messages and forms. */
const char *ml_key_slot_label(enum ml_key_slot slot);

/* The slot a family's calls use (before the multi-key fallback). */
enum ml_key_slot ml_family_key_slot(enum ml_family fam);

void ml_keyset_init(struct ml_keyset *ks);
/* Wipes and frees every key. */
void ml_keyset_cleanup(struct ml_keyset *ks);
/* Copy `value` into slot (replacing and wiping any old one). NULL or "" clears. */
int ml_keyset_set(struct ml_keyset *ks, enum ml_key_slot slot,
    const char *value);
/* Deep copy; dst must be initialised and is cleaned first. */
int ml_keyset_copy(struct ml_keyset *dst, const struct ml_keyset *src);
/* 1 if no slot holds a key. */
int ml_keyset_empty(const struct ml_keyset *ks);

/*
 * The key for a family: its slot, else the multi key. The returned pointer
 * belongs to ks. On ML_ENOKEY err says which key to add. *used_slot (may be
 * NULL) tells which slot answered.
 */
int ml_keyset_pick(const struct ml_keyset *ks, enum ml_family fam,
    const char **key, enum ml_key_slot *used_slot, struct ml_err *err);

#endif
