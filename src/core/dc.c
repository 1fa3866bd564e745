/* SPDX-License-Identifier: MIT */
/*
 * dc.c: data centers, regions and host names (reference section 1).
 */
#include <moelink/dc.h>

#include <stdio.h>
#include <string.h>

static const struct ml_dc_info dc_table[ML_DC_COUNT] = {
	{ "01", "US" },
	{ "02", "EU" },
	{ "03", "India" },
	{ "04", "US" },
	{ "05", "Singapore" },
	{ "06", "Indonesia" },
	{ "101", "DC-101" },
};

static const char *const host_kind_names[ML_HOST_KIND_COUNT] = {
	"api", "pushapi", "sdk", "sandbox-api", "fileimports-data-api",
};

const struct ml_dc_info *
ml_dc_list(void)
{
	return dc_table;
}

int
ml_dc_lookup(const char *dc, const struct ml_dc_info **out, struct ml_err *err)
{
	size_t i;

	for (i = 0; dc != NULL && i < ML_DC_COUNT; i++) {
		if (strcmp(dc, dc_table[i].id) == 0) {
			if (out != NULL)
				*out = &dc_table[i];
			return ML_OK;
		}
	}
	ml_err_field(err, "data_center");
	return ml_err_set(err, ML_EDC, "invalid_data_center",
	    "unknown data center '%.16s'%s: use one of " ML_DC_ALLOWED
	    " (the number in your dashboard URL dashboard-0X.moengage.com)",
	    dc != NULL ? dc : "", dc != NULL && strlen(dc) > 16 ? "..." : "");
}

const char *
ml_host_kind_name(enum ml_host_kind kind)
{
	if ((int)kind < 0 || kind >= ML_HOST_KIND_COUNT)
		return NULL;
	return host_kind_names[kind];
}

int
ml_host_kind_parse(const char *name, enum ml_host_kind *out)
{
	int i;

	for (i = 0; name != NULL && i < ML_HOST_KIND_COUNT; i++) {
		if (strcmp(name, host_kind_names[i]) == 0) {
			*out = (enum ml_host_kind)i;
			return ML_OK;
		}
	}
	return ML_EINVAL;
}

int
ml_dc_host(enum ml_host_kind kind, const char *dc, char *host, size_t host_cap,
    char *base, size_t base_cap, struct ml_err *err)
{
	const struct ml_dc_info *info;
	const char *kname = ml_host_kind_name(kind);
	int rc, n;

	if (kname == NULL)
		return ml_err_set(err, ML_EINVAL, "invalid_host_kind",
		    "unknown host kind %d", (int)kind);
	rc = ml_dc_lookup(dc, &info, err);
	if (rc)
		return rc;
	if (host != NULL) {
		n = snprintf(host, host_cap, "%s-%s.moengage.com", kname,
		    info->id);
		if (n < 0 || (size_t)n >= host_cap)
			return ml_err_set(err, ML_ETOOBIG, NULL,
			    "host buffer too small");
	}
	if (base != NULL) {
		n = snprintf(base, base_cap, "https://%s-%s.moengage.com",
		    kname, info->id);
		if (n < 0 || (size_t)n >= base_cap)
			return ml_err_set(err, ML_ETOOBIG, NULL,
			    "URL buffer too small");
	}
	return ML_OK;
}

int
ml_dc_parse_host(const char *host, enum ml_host_kind *kind, char *dc_out,
    size_t dc_cap)
{
	static const char suffix[] = ".moengage.com";
	char name[ML_HOST_MAX];
	const char *colon, *dash;
	size_t len, i;
	int k;

	if (host == NULL)
		return ML_EINVAL;
	colon = strchr(host, ':');
	len = colon != NULL ? (size_t)(colon - host) : strlen(host);
	if (len >= sizeof(name) || len <= sizeof(suffix) - 1)
		return ML_EINVAL;
	for (i = 0; i < len; i++) {
		char c = host[i];
		name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	name[len] = '\0';
	if (strcmp(name + len - (sizeof(suffix) - 1), suffix) != 0)
		return ML_EINVAL;
	name[len - (sizeof(suffix) - 1)] = '\0';
	dash = strrchr(name, '-');
	if (dash == NULL)
		return ML_EINVAL;
	if (ml_dc_lookup(dash + 1, NULL, NULL))
		return ML_EINVAL;
	for (k = 0; k < ML_HOST_KIND_COUNT; k++) {
		size_t kl = strlen(host_kind_names[k]);
		if ((size_t)(dash - name) == kl &&
		    strncmp(name, host_kind_names[k], kl) == 0) {
			*kind = (enum ml_host_kind)k;
			if (ml_strlcpy(dc_out, dash + 1, dc_cap) >= dc_cap)
				return ML_EINVAL;
			return ML_OK;
		}
	}
	return ML_EINVAL;
}
