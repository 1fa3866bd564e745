/* SPDX-License-Identifier: MIT */
/*
 * dc.h: MoEngage data centers and regional hosts.
 *
 * A data center is one of the exact strings "01".."06" or "101". Anything
 * else ("1", "07", "eu", "") is rejected with a message listing the allowed
 * values. There is no default and no fallback: calling the wrong data center
 * sends a customer's data to the wrong region.
 */
#ifndef MOELINK_DC_H
#define MOELINK_DC_H

#include <stddef.h>

#include <moelink/err.h>

enum ml_host_kind {
	ML_HOST_API = 0,		/* api-<dc>.moengage.com */
	ML_HOST_PUSHAPI,		/* pushapi-<dc>.moengage.com */
	ML_HOST_SDK,			/* sdk-<dc>.moengage.com */
	ML_HOST_SANDBOX_API,		/* sandbox-api-<dc>.moengage.com */
	ML_HOST_FILEIMPORTS,		/* fileimports-data-api-<dc>.moengage.com */
	ML_HOST_KIND_COUNT
};

#define ML_DC_COUNT 7
#define ML_DC_ALLOWED "01, 02, 03, 04, 05, 06, 101"
/* Longest host: "fileimports-data-api-101.moengage.com" plus scheme. */
#define ML_HOST_MAX 64
#define ML_BASE_URL_MAX 80

struct ml_dc_info {
	const char *id;		/* "01" */
	const char *region;	/* "US" */
};

/* The table of data centers, ML_DC_COUNT rows, in order. */
const struct ml_dc_info *ml_dc_list(void);

/*
 * Validate a data-center string. On success returns ML_OK and, if out is not
 * NULL, points *out at the table row. Otherwise ML_EDC with err->kind
 * "invalid_data_center" and a message naming the allowed values.
 */
int ml_dc_lookup(const char *dc, const struct ml_dc_info **out,
    struct ml_err *err);

/* "api", "pushapi", ... ; NULL for an invalid kind. */
const char *ml_host_kind_name(enum ml_host_kind kind);
/* Parse a host-kind name; returns ML_EINVAL if unknown. */
int ml_host_kind_parse(const char *name, enum ml_host_kind *out);

/*
 * Write "<kind>-<dc>.moengage.com" into host (cap >= ML_HOST_MAX) and, if
 * base is not NULL, "https://<host>" into base (cap >= ML_BASE_URL_MAX).
 */
int ml_dc_host(enum ml_host_kind kind, const char *dc, char *host,
    size_t host_cap, char *base, size_t base_cap, struct ml_err *err);

/*
 * Reverse: split a Host header value ("api-02.moengage.com[:port]") into
 * kind and data center. Returns ML_EINVAL for any other host. dc_out needs
 * room for 4 bytes.
 */
int ml_dc_parse_host(const char *host, enum ml_host_kind *kind,
    char *dc_out, size_t dc_cap);

#endif
