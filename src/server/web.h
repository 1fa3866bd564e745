/* SPDX-License-Identifier: MIT */
/*
 * web.h: the pages, styles and scripts of web/, embedded into the binary at
 * build time by scripts/embed-web.py (web/meson.build). The generated table
 * is const data; assets.c looks names up and serves them.
 */
#ifndef ML_SERVER_WEB_H
#define ML_SERVER_WEB_H

#include <stddef.h>

struct ml_web_asset {
	const char *name;		/* "hub.css" */
	const char *content_type;
	const unsigned char *data;	/* NUL-terminated, len excludes it */
	size_t len;
	const char *etag;		/* "\"<16 hex of SHA-256>\"" */
};

/* Every asset, terminated by a row with name NULL (generated). */
extern const struct ml_web_asset ml_web_assets[];

#endif
