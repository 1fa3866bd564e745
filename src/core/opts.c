/* SPDX-License-Identifier: MIT */
/*
 * opts.c: table-driven options (see opts.h).
 */
#include "core/opts.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const struct ml_opt *
opts_find(const struct ml_opt *tab, const char *name, size_t len)
{
	for (; tab->name != NULL; tab++)
		if (strlen(tab->name) == len &&
		    strncmp(tab->name, name, len) == 0)
			return tab;
	return NULL;
}

static int
opts_store(const struct ml_opt *o, void *target, const char *value,
    struct ml_err *err)
{
	char *field = (char *)target + o->offset;
	char *end;
	long v;

	switch (o->type) {
	case ML_OPT_STR:
		if (strlen(value) >= o->size)
			return ml_err_set(err, ML_EINVAL, "invalid_option",
			    "--%s: value is longer than %zu characters",
			    o->name, o->size - 1);
		ml_strlcpy(field, value, o->size);
		return ML_OK;
	case ML_OPT_LONG:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end != '\0')
			return ml_err_set(err, ML_EINVAL, "invalid_option",
			    "--%s: '%s' is not a whole number", o->name, value);
		if ((o->min != 0 || o->max != 0) && (v < o->min || v > o->max))
			return ml_err_set(err, ML_EINVAL, "invalid_option",
			    "--%s: %ld is outside %ld..%ld", o->name, v,
			    o->min, o->max);
		memcpy(field, &v, sizeof(v));
		return ML_OK;
	case ML_OPT_FLAG: {
		int f;
		if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0 ||
		    strcmp(value, "yes") == 0 || strcmp(value, "on") == 0)
			f = 1;
		else if (strcmp(value, "0") == 0 ||
		    strcmp(value, "false") == 0 || strcmp(value, "no") == 0 ||
		    strcmp(value, "off") == 0 || value[0] == '\0')
			f = 0;
		else
			return ml_err_set(err, ML_EINVAL, "invalid_option",
			    "--%s: '%s' is not true/false", o->name, value);
		memcpy(field, &f, sizeof(f));
		return ML_OK;
	}
	}
	return ML_EINTERNAL;
}

int
ml_opts_defaults(const struct ml_opt *tab, void *target, struct ml_err *err)
{
	const char *env;
	int rc;

	for (; tab->name != NULL; tab++) {
		rc = opts_store(tab, target, tab->def != NULL ? tab->def :
		    (tab->type == ML_OPT_STR ? "" : "0"), err);
		if (rc)
			return rc;
		env = tab->env != NULL ? getenv(tab->env) : NULL;
		if (env != NULL && env[0] != '\0') {
			rc = opts_store(tab, target, env, err);
			if (rc)
				return rc;
		}
	}
	return ML_OK;
}

int
ml_opts_set(const struct ml_opt *tab, void *target, const char *name,
    const char *value, struct ml_err *err)
{
	const struct ml_opt *o = opts_find(tab, name, strlen(name));

	if (o == NULL)
		return ml_err_set(err, ML_EINVAL, "unknown_option",
		    "unknown option '%s'", name);
	return opts_store(o, target, value, err);
}

static char *
opts_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
ml_opts_load_file(const struct ml_opt *tab, void *target, const char *path,
    struct ml_err *err)
{
	FILE *fp;
	int rc;

	fp = fopen(path, "r");
	if (fp == NULL)
		return ml_err_set(err, ML_EIO, "config_unreadable",
		    "cannot open config file %s: %s", path, strerror(errno));
	rc = ml_opts_load_stream(tab, target, fp, path, err);
	fclose(fp);
	return rc;
}

int
ml_opts_load_stream(const struct ml_opt *tab, void *target, FILE *fp,
    const char *path, struct ml_err *err)
{
	char line[1024], *k, *v, *eq;
	int lineno = 0, rc = ML_OK;

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			rc = ml_err_set(err, ML_EINVAL, "invalid_config",
			    "%s:%d: line too long", path, lineno);
			goto out;
		}
		k = opts_trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (eq == NULL) {
			rc = ml_err_set(err, ML_EINVAL, "invalid_config",
			    "%s:%d: expected 'key = value'", path, lineno);
			goto out;
		}
		*eq = '\0';
		v = opts_trim(eq + 1);
		k = opts_trim(k);
		if (strcmp(k, "config") == 0) {
			rc = ml_err_set(err, ML_EINVAL, "invalid_config",
			    "%s:%d: 'config' cannot be set from a file", path,
			    lineno);
			goto out;
		}
		rc = ml_opts_set(tab, target, k, v, err);
		if (rc) {
			char msg[ML_ERR_MSG_LEN];
			ml_strlcpy(msg, err != NULL ? err->msg : "", sizeof(msg));
			ml_err_set(err, rc, "invalid_config", "%s:%d: %s", path,
			    lineno, msg);
			goto out;
		}
	}
	if (rc == ML_OK && ferror(fp))
		rc = ml_err_set(err, ML_EIO, "config_unreadable",
		    "cannot read config file %s", path);
out:
	return rc;
}

int
ml_opts_parse_argv(const struct ml_opt *tab, void *target, int argc,
    char **argv, int first, char **positional, int max_pos, int *npos,
    int *help, struct ml_err *err)
{
	const struct ml_opt *o;
	const char *arg, *eq, *val;
	size_t nlen;
	int i, rc;

	*npos = 0;
	*help = 0;
	for (i = first; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			*help = 1;
			return ML_OK;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (*npos >= max_pos)
				return ml_err_set(err, ML_EINVAL, "usage",
				    "unexpected argument '%s'", arg);
			positional[(*npos)++] = argv[i];
			continue;
		}
		arg += 2;
		eq = strchr(arg, '=');
		nlen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		o = opts_find(tab, arg, nlen);
		if (o == NULL)
			return ml_err_set(err, ML_EINVAL, "usage",
			    "unknown option '--%.*s' (see --help)", (int)nlen,
			    arg);
		if (eq != NULL) {
			val = eq + 1;
		} else if (o->type == ML_OPT_FLAG) {
			val = "1";
		} else {
			if (i + 1 >= argc)
				return ml_err_set(err, ML_EINVAL, "usage",
				    "option '--%s' needs a value", o->name);
			val = argv[++i];
		}
		rc = opts_store(o, target, val, err);
		if (rc)
			return rc;
		if (strcmp(o->name, "config") == 0 && val[0] != '\0') {
			rc = ml_opts_load_file(tab, target, val, err);
			if (rc)
				return rc;
		}
	}
	return ML_OK;
}

void
ml_opts_print_help(const struct ml_opt *tab, FILE *fp)
{
	char left[64];

	fprintf(fp, "Options:\n");
	for (; tab->name != NULL; tab++) {
		if (tab->type == ML_OPT_FLAG)
			snprintf(left, sizeof(left), "--%s", tab->name);
		else
			snprintf(left, sizeof(left), "--%s %s", tab->name,
			    tab->metavar != NULL ? tab->metavar : "VALUE");
		fprintf(fp, "  %-28s %s", left, tab->help);
		if (tab->def != NULL && tab->def[0] != '\0')
			fprintf(fp, " (default: %s)", tab->def);
		if (tab->env != NULL)
			fprintf(fp, " [env %s]", tab->env);
		fputc('\n', fp);
	}
	fputs("  --help                       show this help\n", fp);
}
