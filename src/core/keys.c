/* SPDX-License-Identifier: MIT */
/*
 * keys.c: families, key slots and key selection (reference 2.2, DESIGN "Keys").
 */
#include <moelink/keys.h>
#include <moelink/mem.h>

#include <string.h>

struct family_row {
	const char *name;
	const char *label;
	enum ml_key_slot slot;
};

static const struct family_row family_table[ML_FAM_COUNT] = {
	[ML_FAM_DATA] = { "data", "Data", ML_KEY_DATA },
	[ML_FAM_SEGMENTATION] = { "segmentation", "Segmentation", ML_KEY_DATA },
	[ML_FAM_PUSH] = { "push", "Push", ML_KEY_PUSH },
	[ML_FAM_CAMPAIGN_REPORT] = { "campaign_report", "Campaign Report",
	    ML_KEY_GENERAL },
	[ML_FAM_BUSINESS_EVENTS] = { "business_events", "Business Events",
	    ML_KEY_GENERAL },
	[ML_FAM_TEMPLATES] = { "templates", "Custom Templates",
	    ML_KEY_GENERAL },
	[ML_FAM_CONTENT_BLOCKS] = { "content_blocks", "Content Blocks",
	    ML_KEY_GENERAL },
	[ML_FAM_CATALOG] = { "catalog", "Catalog", ML_KEY_GENERAL },
	[ML_FAM_SUBSCRIPTION] = { "subscription", "Subscription Preferences",
	    ML_KEY_DATA },
	[ML_FAM_PERSONALIZE] = { "personalize", "Personalize",
	    ML_KEY_PERSONALIZE },
	[ML_FAM_RECOMMENDATIONS] = { "recommendations", "Recommendations",
	    ML_KEY_GENERAL },
	[ML_FAM_INFORM] = { "inform", "Inform", ML_KEY_INFORM },
	[ML_FAM_CARDS] = { "cards", "Cards", ML_KEY_GENERAL },
};

static const char *const slot_names[ML_KEY_SLOT_COUNT] = {
	"data", "general", "push", "inform", "personalize", "multi",
};

static const char *const slot_labels[ML_KEY_SLOT_COUNT] = {
	"Data API key",
	/* One string on two lines (parentheses tell clang it is meant). */
	("Campaign Report / Business Events / Templates / Catalog / Inform "
	    "Report API key"),
	"Push API key",
	"Inform API key",
	"Personalize API key",
	"multi-permission API key",
};

const char *
ml_family_name(enum ml_family fam)
{
	if ((int)fam < 0 || fam >= ML_FAM_COUNT)
		return "unknown";
	return family_table[fam].name;
}

const char *
ml_family_label(enum ml_family fam)
{
	if ((int)fam < 0 || fam >= ML_FAM_COUNT)
		return "unknown";
	return family_table[fam].label;
}

int
ml_family_parse(const char *name, enum ml_family *out)
{
	int i;

	for (i = 0; name != NULL && i < ML_FAM_COUNT; i++) {
		if (strcmp(name, family_table[i].name) == 0) {
			*out = (enum ml_family)i;
			return ML_OK;
		}
	}
	return ML_EINVAL;
}

const char *
ml_key_slot_name(enum ml_key_slot slot)
{
	if ((int)slot < 0 || slot >= ML_KEY_SLOT_COUNT)
		return "unknown";
	return slot_names[slot];
}

const char *
ml_key_slot_label(enum ml_key_slot slot)
{
	if ((int)slot < 0 || slot >= ML_KEY_SLOT_COUNT)
		return "unknown";
	return slot_labels[slot];
}

int
ml_key_slot_parse(const char *name, enum ml_key_slot *out)
{
	int i;

	for (i = 0; name != NULL && i < ML_KEY_SLOT_COUNT; i++) {
		if (strcmp(name, slot_names[i]) == 0) {
			*out = (enum ml_key_slot)i;
			return ML_OK;
		}
	}
	return ML_EINVAL;
}

enum ml_key_slot
ml_family_key_slot(enum ml_family fam)
{
	if ((int)fam < 0 || fam >= ML_FAM_COUNT)
		return ML_KEY_MULTI;
	return family_table[fam].slot;
}

void
ml_keyset_init(struct ml_keyset *ks)
{
	memset(ks, 0, sizeof(*ks));
}

void
ml_keyset_cleanup(struct ml_keyset *ks)
{
	int i;

	for (i = 0; i < ML_KEY_SLOT_COUNT; i++) {
		ml_free_secret(ks->key[i]);
		ks->key[i] = NULL;
	}
}

int
ml_keyset_set(struct ml_keyset *ks, enum ml_key_slot slot, const char *value)
{
	char *copy = NULL;

	if ((int)slot < 0 || slot >= ML_KEY_SLOT_COUNT)
		return ML_EINVAL;
	if (value != NULL && value[0] != '\0') {
		copy = ml_strdup(value);
		if (copy == NULL)
			return ML_ENOMEM;
	}
	ml_free_secret(ks->key[slot]);
	ks->key[slot] = copy;
	return ML_OK;
}

int
ml_keyset_copy(struct ml_keyset *dst, const struct ml_keyset *src)
{
	int i, rc;

	ml_keyset_cleanup(dst);
	for (i = 0; i < ML_KEY_SLOT_COUNT; i++) {
		rc = ml_keyset_set(dst, (enum ml_key_slot)i, src->key[i]);
		if (rc) {
			ml_keyset_cleanup(dst);
			return rc;
		}
	}
	return ML_OK;
}

int
ml_keyset_empty(const struct ml_keyset *ks)
{
	int i;

	for (i = 0; i < ML_KEY_SLOT_COUNT; i++)
		if (ks->key[i] != NULL)
			return 0;
	return 1;
}

int
ml_keyset_pick(const struct ml_keyset *ks, enum ml_family fam,
    const char **key, enum ml_key_slot *used_slot, struct ml_err *err)
{
	enum ml_key_slot slot = ml_family_key_slot(fam);

	*key = NULL;
	if (ks->key[slot] != NULL) {
		*key = ks->key[slot];
	} else if (ks->key[ML_KEY_MULTI] != NULL) {
		slot = ML_KEY_MULTI;
		*key = ks->key[slot];
	} else {
		ml_err_field(err, ml_key_slot_name(slot));
		return ml_err_set(err, ML_ENOKEY, "missing_api_key",
		    "the %s API needs the %s (or a multi-permission key); "
		    "this account has none", ml_family_label(fam),
		    ml_key_slot_label(slot));
	}
	if (used_slot != NULL)
		*used_slot = slot;
	return ML_OK;
}
