/* SPDX-License-Identifier: MIT */
/*
 * vault.c: sealing and opening credential blobs with XChaCha20-Poly1305
 * under master keys addressed by key id (see vault.h for the formats).
 *
 * Contract: key bytes live only in one sodium_malloc'd region per key set
 * (guard pages, mlock'd, read-only between changes, wiped by sodium_free).
 * A key set is replaced whole on reload, under a write lock; seal and open
 * hold the read lock only while they use a key. Plaintexts that pass through
 * here (credential JSON, decoded keys, key-file text) are wiped before they
 * are freed. The library reads no environment: the front end passes the
 * MOELINK_MASTER_KEY value and the key-file path in.
 */
#include "vault/vault.h"

#include <moelink/json.h>
#include <moelink/mem.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VAULT_FILE_MAX 65536
#define VAULT_AD_MAX (2 + ML_VAULT_KEY_ID_MAX + 256)
#define VAULT_ACCOUNT_ID_MAX 255
#define VAULT_B64_MAX 128

struct vault_keys {
	unsigned char *mem;	/* sodium_malloc: ML_VAULT_MAX_KEYS keys */
	char id[ML_VAULT_MAX_KEYS][ML_VAULT_KEY_ID_MAX];
	size_t n;
	size_t current;
};

struct ml_vault {
	pthread_rwlock_t lock;
	struct vault_keys *keys;
};

/* ---- key sets ----------------------------------------------------------- */

static void
vault_keys_free(struct vault_keys *ks)
{
	if (ks == NULL)
		return;
	if (ks->mem != NULL)
		sodium_free(ks->mem);	/* wipes */
	ml_free(ks);
}

static int
vault_keys_new(struct vault_keys **out, struct ml_err *err)
{
	struct vault_keys *ks;

	*out = NULL;
	ks = ml_calloc(1, sizeof(*ks));
	if (ks == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	ks->mem = sodium_malloc(ML_VAULT_MAX_KEYS * ML_VAULT_KEY_BYTES);
	if (ks->mem == NULL) {
		ml_free(ks);
		return ml_err_set(err, ML_ENOMEM, NULL,
		    "cannot allocate locked memory for master keys");
	}
	sodium_memzero(ks->mem, ML_VAULT_MAX_KEYS * ML_VAULT_KEY_BYTES);
	sodium_mprotect_readonly(ks->mem);
	*out = ks;
	return ML_OK;
}

static int
vault_keys_find(const struct vault_keys *ks, const char *id)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->id[i], id) == 0)
			return (int)i;
	return -1;
}

static const unsigned char *
vault_keys_at(const struct vault_keys *ks, size_t i)
{
	return ks->mem + i * ML_VAULT_KEY_BYTES;
}

static int
vault_id_valid(const char *id)
{
	size_t i, n = id != NULL ? strlen(id) : 0;

	if (n == 0 || n >= ML_VAULT_KEY_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
		    id[i] == '_'))
			return 0;
	return 1;
}

static int
vault_keys_add(struct vault_keys *ks, const char *id,
    const unsigned char key[ML_VAULT_KEY_BYTES], int make_current,
    struct ml_err *err)
{
	int at;

	if (!vault_id_valid(id))
		return ml_err_set(err, ML_EINVAL, "invalid_key_id",
		    "key id '%s' must be 1..%d characters of A-Z a-z 0-9 - _",
		    id != NULL ? id : "", ML_VAULT_KEY_ID_MAX - 1);
	at = vault_keys_find(ks, id);
	if (at >= 0) {
		if (sodium_memcmp(vault_keys_at(ks, (size_t)at), key,
		    ML_VAULT_KEY_BYTES) != 0)
			return ml_err_set(err, ML_ECONFLICT, "key_id_conflict",
			    "key id '%s' is already used by another key", id);
		if (make_current)
			ks->current = (size_t)at;
		return ML_OK;
	}
	if (ks->n == ML_VAULT_MAX_KEYS)
		return ml_err_set(err, ML_ETOOBIG, "too_many_keys",
		    "a vault holds at most %d keys", ML_VAULT_MAX_KEYS);
	sodium_mprotect_readwrite(ks->mem);
	memcpy(ks->mem + ks->n * ML_VAULT_KEY_BYTES, key, ML_VAULT_KEY_BYTES);
	sodium_mprotect_readonly(ks->mem);
	ml_strlcpy(ks->id[ks->n], id, sizeof(ks->id[ks->n]));
	if (make_current || ks->n == 0)
		ks->current = ks->n;
	ks->n++;
	return ML_OK;
}

/* Decode base64 (standard or URL-safe, padded or not) of exactly 32 bytes. */
static int
vault_b64_key(const char *b64, unsigned char key[ML_VAULT_KEY_BYTES],
    struct ml_err *err)
{
	static const int variants[] = { sodium_base64_VARIANT_ORIGINAL,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
	    sodium_base64_VARIANT_URLSAFE,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING };
	unsigned char tmp[ML_VAULT_KEY_BYTES + 8];
	const char *end;
	size_t i, len, n = b64 != NULL ? strnlen(b64, VAULT_B64_MAX) : 0;
	int rc = ML_EINVAL;

	while (n > 0 && (b64[n - 1] == ' ' || b64[n - 1] == '\n' ||
	    b64[n - 1] == '\r' || b64[n - 1] == '\t'))
		n--;
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		if (sodium_base642bin(tmp, sizeof(tmp), b64, n, NULL, &len,
		    &end, variants[i]) == 0 && end == b64 + n &&
		    len == ML_VAULT_KEY_BYTES) {
			memcpy(key, tmp, ML_VAULT_KEY_BYTES);
			rc = ML_OK;
			break;
		}
	}
	sodium_memzero(tmp, sizeof(tmp));
	if (rc)
		return ml_err_set(err, ML_EINVAL, "invalid_master_key",
		    "a master key must be base64 of exactly %d bytes "
		    "(generate one with: head -c 32 /dev/urandom | base64)",
		    ML_VAULT_KEY_BYTES);
	return ML_OK;
}

/* "env-" + 8 hex chars of BLAKE2b keyed with the key: stable, not secret. */
static void
vault_env_key_id(const unsigned char key[ML_VAULT_KEY_BYTES], char *out,
    size_t cap)
{
	static const char msg[] = "moelink master key id";
	unsigned char h[crypto_generichash_BYTES_MIN];
	char hex[2 * 4 + 1];

	crypto_generichash(h, sizeof(h), (const unsigned char *)msg,
	    sizeof(msg) - 1, key, ML_VAULT_KEY_BYTES);
	sodium_bin2hex(hex, sizeof(hex), h, 4);
	snprintf(out, cap, "env-%s", hex);
}

/* Add a base64 key under its derived id, as current. */
static int
vault_keys_add_env(struct vault_keys *ks, const char *b64, struct ml_err *err)
{
	unsigned char key[ML_VAULT_KEY_BYTES];
	char id[ML_VAULT_KEY_ID_MAX];
	int rc;

	rc = vault_b64_key(b64, key, err);
	if (rc == ML_OK) {
		vault_env_key_id(key, id, sizeof(id));
		rc = vault_keys_add(ks, id, key, 1, err);
	}
	sodium_memzero(key, sizeof(key));
	return rc;
}

/* ---- the vault object --------------------------------------------------- */

int
ml_vault_new(struct ml_vault **out, struct ml_err *err)
{
	struct ml_vault *v;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "libsodium failed to initialise");
	v = ml_calloc(1, sizeof(*v));
	if (v == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	rc = vault_keys_new(&v->keys, err);
	if (rc) {
		ml_free(v);
		return rc;
	}
	if (pthread_rwlock_init(&v->lock, NULL) != 0) {
		vault_keys_free(v->keys);
		ml_free(v);
		return ml_err_set(err, ML_ENOMEM, NULL, "rwlock init failed");
	}
	*out = v;
	return ML_OK;
}

void
ml_vault_free(struct ml_vault *v)
{
	if (v == NULL)
		return;
	vault_keys_free(v->keys);
	pthread_rwlock_destroy(&v->lock);
	ml_free(v);
}

int
ml_vault_add_key(struct ml_vault *v, const char *key_id,
    const unsigned char key[ML_VAULT_KEY_BYTES], int make_current,
    struct ml_err *err)
{
	int rc;

	pthread_rwlock_wrlock(&v->lock);
	rc = vault_keys_add(v->keys, key_id, key, make_current, err);
	pthread_rwlock_unlock(&v->lock);
	return rc;
}

int
ml_vault_add_key_b64(struct ml_vault *v, const char *key_id, const char *b64,
    int make_current, struct ml_err *err)
{
	unsigned char key[ML_VAULT_KEY_BYTES];
	int rc;

	rc = vault_b64_key(b64, key, err);
	if (rc == ML_OK)
		rc = ml_vault_add_key(v, key_id, key, make_current, err);
	sodium_memzero(key, sizeof(key));
	return rc;
}

int
ml_vault_add_env_key(struct ml_vault *v, const char *b64, struct ml_err *err)
{
	int rc;

	pthread_rwlock_wrlock(&v->lock);
	rc = vault_keys_add_env(v->keys, b64, err);
	pthread_rwlock_unlock(&v->lock);
	return rc;
}

int
ml_vault_current_key_id(struct ml_vault *v, char *out, size_t cap,
    struct ml_err *err)
{
	int rc = ML_OK;

	pthread_rwlock_rdlock(&v->lock);
	if (v->keys->n == 0)
		rc = ml_err_set(err, ML_ENOKEY, "no_master_key",
		    "the vault holds no master key");
	else
		ml_strlcpy(out, v->keys->id[v->keys->current], cap);
	pthread_rwlock_unlock(&v->lock);
	return rc;
}

size_t
ml_vault_key_count(struct ml_vault *v)
{
	size_t n;

	pthread_rwlock_rdlock(&v->lock);
	n = v->keys->n;
	pthread_rwlock_unlock(&v->lock);
	return n;
}

int
ml_vault_key_id_at(struct ml_vault *v, size_t i, char *out, size_t cap)
{
	int rc = ML_OK;

	pthread_rwlock_rdlock(&v->lock);
	if (i < v->keys->n)
		ml_strlcpy(out, v->keys->id[i], cap);
	else
		rc = ML_ENOTFOUND;
	pthread_rwlock_unlock(&v->lock);
	return rc;
}

/* ---- key file ----------------------------------------------------------- */

int
ml_vault_mkdirs(const char *path, struct ml_err *err)
{
	char dir[4096];
	char *p, saved;

	if (ml_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return ml_err_set(err, ML_EINVAL, "invalid_key_file",
		    "key file path is too long");
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return ML_OK;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return ml_err_set(err, ML_EIO, "io_error",
			    "cannot create directory %s: %s", dir,
			    strerror(errno));
		*p = saved;
		if (saved == '\0')
			break;
	}
	return ML_OK;
}

/*
 * Read the key file into out (a buffer the caller wipes). *exists = 0 and
 * ML_OK when there is no file. A file group/other can access is refused.
 */
static int
vault_file_read(const char *path, struct ml_buf *out, int *exists,
    struct ml_err *err)
{
	char chunk[4096];
	struct stat st;
	ssize_t r;
	int fd, rc = ML_OK;

	*exists = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ML_OK;
		return ml_err_set(err, ML_EIO, "key_file_unreadable",
		    "cannot open key file %s: %s", path, strerror(errno));
	}
	*exists = 1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = ml_err_set(err, ML_EIO, "key_file_unreadable",
		    "key file %s is not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		rc = ml_err_set(err, ML_EIO, "key_file_permissions",
		    "key file %s has mode %04o: it must be readable by its "
		    "owner only; run: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = ml_err_set(err, ML_EIO, "key_file_unreadable",
			    "cannot read key file %s: %s", path,
			    strerror(errno));
			break;
		}
		if (r == 0)
			break;
		rc = ml_buf_append(out, chunk, (size_t)r);
		if (rc) {
			ml_err_set(err, rc, NULL, "key file %s: %s", path,
			    rc == ML_ETOOBIG ? "too large" : "out of memory");
			break;
		}
	}
out:
	sodium_memzero(chunk, sizeof(chunk));
	close(fd);
	return rc;
}

/* Parse "<id> <base64>" lines into ks; the last line becomes current. */
static int
vault_file_parse(const char *path, const char *text, struct vault_keys *ks,
    struct ml_err *err)
{
	char id[ML_VAULT_KEY_ID_MAX], b64[VAULT_B64_MAX];
	unsigned char key[ML_VAULT_KEY_BYTES];
	char why[ML_ERR_MSG_LEN];
	const char *line = text, *nl, *p, *q;
	size_t len, idlen, blen;
	int rc = ML_OK, lineno = 0;

	for (; rc == ML_OK && *line != '\0'; line = nl + (*nl != '\0')) {
		lineno++;
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		len = (size_t)(nl - line);
		while (len > 0 && (line[len - 1] == '\r' ||
		    line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		for (p = line; p < line + len && (*p == ' ' || *p == '\t'); p++)
			;
		if (p == line + len || *p == '#')
			continue;
		for (q = p; q < line + len && *q != ' ' && *q != '\t'; q++)
			;
		idlen = (size_t)(q - p);
		while (q < line + len && (*q == ' ' || *q == '\t'))
			q++;
		blen = (size_t)(line + len - q);
		if (idlen == 0 || idlen >= sizeof(id) || blen == 0 ||
		    blen >= sizeof(b64) || memchr(q, ' ', blen) != NULL ||
		    memchr(q, '\t', blen) != NULL) {
			rc = ml_err_set(err, ML_EINVAL, "invalid_key_file",
			    "%s line %d: expected '<key_id> <base64 key>'",
			    path, lineno);
			break;
		}
		memcpy(id, p, idlen);
		id[idlen] = '\0';
		memcpy(b64, q, blen);
		b64[blen] = '\0';
		rc = vault_b64_key(b64, key, err);
		if (rc == ML_OK)
			rc = vault_keys_add(ks, id, key, 1, err);
		if (rc && err != NULL) {
			ml_strlcpy(why, err->msg, sizeof(why));
			ml_err_set(err, rc, NULL, "%s line %d: %s", path,
			    lineno, why);
		}
	}
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(key, sizeof(key));
	return rc;
}

static int
vault_write_all(int fd, const char *data, size_t len, const char *path,
    struct ml_err *err)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return ml_err_set(err, ML_EIO, "io_error",
			    "cannot write %s: %s", path, strerror(errno));
		data += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0)
		return ml_err_set(err, ML_EIO, "io_error",
		    "cannot fsync %s: %s", path, strerror(errno));
	return ML_OK;
}

/* fsync the directory holding path, so a create/rename is durable. */
static void
vault_sync_dir(const char *path)
{
	char dir[4096];
	char *slash;
	int fd;

	ml_strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		ml_strlcpy(dir, ".", sizeof(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* A new key "id" with its file line "<id> <base64>\n" appended to line. */
static int
vault_new_key_line(const char *id, unsigned char key[ML_VAULT_KEY_BYTES],
    struct ml_buf *line, struct ml_err *err)
{
	char b64[sodium_base64_ENCODED_LEN(ML_VAULT_KEY_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];
	int rc;

	randombytes_buf(key, ML_VAULT_KEY_BYTES);
	sodium_bin2base64(b64, sizeof(b64), key, ML_VAULT_KEY_BYTES,
	    sodium_base64_VARIANT_ORIGINAL);
	rc = ml_buf_appendf(line, "%s %s\n", id, b64);
	sodium_memzero(b64, sizeof(b64));
	if (rc)
		return ml_err_set(err, rc, NULL, "out of memory");
	return ML_OK;
}

static const char vault_file_header[] =
    "# moelink master keys: one '<key_id> <base64 of 32 bytes>' per line;\n"
    "# the last line is the current key. BACK THIS FILE UP: without it the\n"
    "# stored MoEngage credentials cannot be decrypted. Keep it mode 0600.\n";

/*
 * Create a new key file holding one fresh key "k1" (O_EXCL: ML_ECONFLICT if
 * someone else created it first) and add the key to ks.
 */
static int
vault_file_generate(const char *path, struct vault_keys *ks,
    struct ml_err *err)
{
	unsigned char key[ML_VAULT_KEY_BYTES];
	struct ml_buf text;
	int fd = -1, rc;

	ml_buf_init(&text, VAULT_FILE_MAX);
	rc = ml_buf_append_str(&text, vault_file_header);
	if (rc) {
		rc = ml_err_set(err, rc, NULL, "out of memory");
		goto out;
	}
	rc = vault_new_key_line("k1", key, &text, err);
	if (rc)
		goto out;
	rc = ml_vault_mkdirs(path, err);
	if (rc)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		rc = ml_err_set(err, errno == EEXIST ? ML_ECONFLICT : ML_EIO,
		    "io_error", "cannot create key file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) != 0) {
		rc = ml_err_set(err, ML_EIO, "io_error", "cannot chmod %s: %s",
		    path, strerror(errno));
		goto out;
	}
	rc = vault_write_all(fd, text.data, text.len, path, err);
	if (rc)
		goto out;
	vault_sync_dir(path);
	rc = vault_keys_add(ks, "k1", key, 1, err);
out:
	if (fd >= 0)
		close(fd);
	if (rc && fd >= 0)
		unlink(path);
	sodium_memzero(key, sizeof(key));
	ml_buf_cleanup_zero(&text);
	return rc;
}

/* Build a key set from env and/or the file (see ml_vault_load). */
static int
vault_keys_load(const char *env_b64, const char *path, int generate,
    struct vault_keys **out, unsigned *flags, struct ml_err *err)
{
	struct vault_keys *ks = NULL;
	struct ml_buf text;
	int exists = 0, rc;

	ml_buf_init(&text, VAULT_FILE_MAX);
	*flags = 0;
	rc = vault_keys_new(&ks, err);
	if (rc)
		goto out;
	rc = vault_file_read(path, &text, &exists, err);
	if (rc == ML_OK && exists && text.data != NULL) {
		rc = vault_file_parse(path, text.data, ks, err);
		*flags |= ML_VAULT_LOADED_FILE;
	}
	if (rc)
		goto out;
	if (env_b64 != NULL && env_b64[0] != '\0') {
		rc = vault_keys_add_env(ks, env_b64, err);
		*flags |= ML_VAULT_LOADED_ENV;
		goto out;
	}
	if (exists && ks->n == 0) {
		rc = ml_err_set(err, ML_ENOKEY, "no_master_key",
		    "key file %s holds no key", path);
		goto out;
	}
	if (exists)
		goto out;
	if (!generate) {
		rc = ml_err_set(err, ML_ENOKEY, "no_master_key",
		    "no master key: set MOELINK_MASTER_KEY or create the key "
		    "file %s", path);
		goto out;
	}
	rc = vault_file_generate(path, ks, err);
	if (rc == ML_ECONFLICT) {
		/* Another process created it between our read and create. */
		vault_keys_free(ks);
		ks = NULL;
		ml_buf_cleanup_zero(&text);
		return vault_keys_load(NULL, path, 0, out, flags, err);
	}
	if (rc == ML_OK)
		*flags |= ML_VAULT_GENERATED | ML_VAULT_LOADED_FILE;
out:
	ml_buf_cleanup_zero(&text);
	if (rc) {
		vault_keys_free(ks);
		ks = NULL;
	}
	*out = ks;
	return rc;
}

int
ml_vault_load(struct ml_vault *v, const char *env_b64, const char *path,
    int generate, unsigned *flags, struct ml_err *err)
{
	struct vault_keys *ks = NULL, *old;
	unsigned dummy;
	int rc;

	if (flags == NULL)
		flags = &dummy;
	if (path == NULL || path[0] == '\0')
		path = ML_VAULT_DEFAULT_KEY_FILE;
	rc = vault_keys_load(env_b64, path, generate, &ks, flags, err);
	if (rc)
		return rc;
	pthread_rwlock_wrlock(&v->lock);
	old = v->keys;
	v->keys = ks;
	pthread_rwlock_unlock(&v->lock);
	vault_keys_free(old);
	return ML_OK;
}

int
ml_vault_reload(struct ml_vault *v, const char *env_b64, const char *path,
    struct ml_err *err)
{
	return ml_vault_load(v, env_b64, path, 0, NULL, err);
}

/* The next "kN" id: one more than any kN in the vault. */
static void
vault_next_id(const struct vault_keys *ks, char *out, size_t cap)
{
	unsigned long max = 0, n;
	char *end;
	size_t i;

	for (i = 0; i < ks->n; i++) {
		if (ks->id[i][0] != 'k' || ks->id[i][1] < '0' ||
		    ks->id[i][1] > '9')
			continue;
		n = strtoul(ks->id[i] + 1, &end, 10);
		if (*end == '\0' && n > max && n < 1000000000UL)
			max = n;
	}
	snprintf(out, cap, "k%lu", max + 1);
}

int
ml_vault_keyfile_rotate(struct ml_vault *v, const char *path, char *new_id,
    size_t cap, struct ml_err *err)
{
	unsigned char key[ML_VAULT_KEY_BYTES];
	struct vault_keys *file_keys = NULL;
	char id[ML_VAULT_KEY_ID_MAX], *tmp = NULL;
	struct ml_buf text;
	int exists = 0, fd = -1, rc;
	size_t tlen;

	ml_buf_init(&text, VAULT_FILE_MAX);
	if (path == NULL || path[0] == '\0')
		path = ML_VAULT_DEFAULT_KEY_FILE;
	rc = vault_keys_new(&file_keys, err);
	if (rc == ML_OK)
		rc = vault_file_read(path, &text, &exists, err);
	if (rc == ML_OK && exists && text.data != NULL)
		rc = vault_file_parse(path, text.data, file_keys, err);
	if (rc)
		goto out;
	pthread_rwlock_rdlock(&v->lock);
	vault_next_id(v->keys, id, sizeof(id));
	pthread_rwlock_unlock(&v->lock);
	if (vault_keys_find(file_keys, id) >= 0)
		vault_next_id(file_keys, id, sizeof(id));
	if (!exists || text.len == 0)
		rc = ml_buf_append_str(&text, vault_file_header);
	else if (text.data[text.len - 1] != '\n')
		rc = ml_buf_append_str(&text, "\n");
	if (rc) {
		rc = ml_err_set(err, rc, NULL, "key file too large");
		goto out;
	}
	rc = vault_new_key_line(id, key, &text, err);
	if (rc)
		goto out;
	rc = ml_vault_mkdirs(path, err);
	if (rc)
		goto out;
	tlen = strlen(path) + sizeof(".XXXXXX");
	tmp = ml_malloc(tlen);
	if (tmp == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	snprintf(tmp, tlen, "%s.XXXXXX", path);
	fd = mkstemp(tmp);	/* mode 0600 */
	if (fd < 0) {
		rc = ml_err_set(err, ML_EIO, "io_error",
		    "cannot create a temporary file next to %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = vault_write_all(fd, text.data, text.len, tmp, err);
	if (rc == ML_OK && rename(tmp, path) != 0)
		rc = ml_err_set(err, ML_EIO, "io_error", "cannot rename %s: %s",
		    tmp, strerror(errno));
	if (rc)
		goto out;
	vault_sync_dir(path);
	rc = ml_vault_add_key(v, id, key, 1, err);
	if (rc == ML_OK && new_id != NULL)
		ml_strlcpy(new_id, id, cap);
out:
	if (fd >= 0)
		close(fd);
	if (rc && fd >= 0)
		unlink(tmp);
	ml_free(tmp);
	sodium_memzero(key, sizeof(key));
	ml_buf_cleanup_zero(&text);
	vault_keys_free(file_keys);
	return rc;
}

/* ---- seal / open -------------------------------------------------------- */

/* Header + account id as associated data. */
static int
vault_ad(const unsigned char *hdr, size_t hlen, const char *account_id,
    unsigned char ad[VAULT_AD_MAX], size_t *adlen, struct ml_err *err)
{
	size_t alen = account_id != NULL ? strlen(account_id) : 0;

	if (alen == 0 || alen > VAULT_ACCOUNT_ID_MAX)
		return ml_err_set(err, ML_EINVAL, "invalid_request",
		    "account id must be 1..%d bytes", VAULT_ACCOUNT_ID_MAX);
	memcpy(ad, hdr, hlen);
	memcpy(ad + hlen, account_id, alen);
	*adlen = hlen + alen;
	return ML_OK;
}

int
ml_vault_seal(struct ml_vault *v, const char *account_id,
    const void *plaintext, size_t len, unsigned char **blob,
    size_t *blob_len, char *key_id, size_t key_id_cap, struct ml_err *err)
{
	unsigned char ad[VAULT_AD_MAX], *b = NULL;
	unsigned long long clen = 0;
	const struct vault_keys *ks;
	size_t hlen, idlen, total, adlen = 0;
	int rc;

	*blob = NULL;
	*blob_len = 0;
	if (len > ML_VAULT_PLAINTEXT_MAX)
		return ml_err_set(err, ML_ETOOBIG, NULL,
		    "credentials are larger than %d bytes",
		    ML_VAULT_PLAINTEXT_MAX);
	pthread_rwlock_rdlock(&v->lock);
	ks = v->keys;
	if (ks->n == 0) {
		rc = ml_err_set(err, ML_ENOKEY, "no_master_key",
		    "the vault holds no master key");
		goto out;
	}
	idlen = strlen(ks->id[ks->current]);
	hlen = 2 + idlen;
	total = hlen + ML_VAULT_NONCE_BYTES + len + ML_VAULT_TAG_BYTES;
	b = ml_malloc(total);
	if (b == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	b[0] = ML_VAULT_BLOB_VERSION;
	b[1] = (unsigned char)idlen;
	memcpy(b + 2, ks->id[ks->current], idlen);
	randombytes_buf(b + hlen, ML_VAULT_NONCE_BYTES);
	rc = vault_ad(b, hlen, account_id, ad, &adlen, err);
	if (rc)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(b + hlen +
	    ML_VAULT_NONCE_BYTES, &clen, plaintext, len, ad, adlen, NULL,
	    b + hlen, vault_keys_at(ks, ks->current)) != 0) {
		rc = ml_err_set(err, ML_ECRYPTO, NULL, "sealing failed");
		goto out;
	}
	if (key_id != NULL)
		ml_strlcpy(key_id, ks->id[ks->current], key_id_cap);
	*blob = b;
	*blob_len = total;
	b = NULL;
out:
	pthread_rwlock_unlock(&v->lock);
	ml_free(b);
	return rc;
}

int
ml_vault_blob_key_id(const unsigned char *blob, size_t blob_len, char *out,
    size_t cap, struct ml_err *err)
{
	size_t idlen;

	if (blob == NULL || blob_len < 2)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "sealed blob truncated");
	if (blob[0] != ML_VAULT_BLOB_VERSION)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "sealed blob has unsupported version %u", blob[0]);
	idlen = blob[1];
	if (idlen == 0 || idlen >= ML_VAULT_KEY_ID_MAX || blob_len < 2 +
	    idlen + ML_VAULT_NONCE_BYTES + ML_VAULT_TAG_BYTES)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "sealed blob is malformed");
	if (cap <= idlen)
		return ml_err_set(err, ML_EINVAL, NULL, "key id buffer small");
	memcpy(out, blob + 2, idlen);
	out[idlen] = '\0';
	return ML_OK;
}

int
ml_vault_open(struct ml_vault *v, const char *account_id,
    const unsigned char *blob, size_t blob_len, const char *key_id,
    struct ml_buf *out, struct ml_err *err)
{
	unsigned char ad[VAULT_AD_MAX], *pt = NULL;
	char id[ML_VAULT_KEY_ID_MAX];
	unsigned long long mlen = 0;
	const struct vault_keys *ks;
	size_t hlen, clen, adlen = 0;
	int at, rc;

	ml_buf_reset(out);
	rc = ml_vault_blob_key_id(blob, blob_len, id, sizeof(id), err);
	if (rc)
		return rc;
	if (key_id != NULL && strcmp(key_id, id) != 0)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "sealed blob names key '%s' but the record says '%s'", id,
		    key_id);
	hlen = 2 + strlen(id);
	clen = blob_len - hlen - ML_VAULT_NONCE_BYTES;
	if (clen - ML_VAULT_TAG_BYTES > ML_VAULT_PLAINTEXT_MAX)
		return ml_err_set(err, ML_ECRYPTO, NULL,
		    "sealed blob too large");
	rc = vault_ad(blob, hlen, account_id, ad, &adlen, err);
	if (rc)
		return rc;
	pt = ml_malloc(clen);
	if (pt == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	pthread_rwlock_rdlock(&v->lock);
	ks = v->keys;
	at = vault_keys_find(ks, id);
	if (at < 0)
		rc = ml_err_set(err, ML_ENOKEY, "unknown_master_key",
		    "no master key '%s' in the vault (reload the key file, or "
		    "restore the key that sealed this record)", id);
	else if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &mlen, NULL,
	    blob + hlen + ML_VAULT_NONCE_BYTES, clen, ad, adlen, blob + hlen,
	    vault_keys_at(ks, (size_t)at)) != 0)
		rc = ml_err_set(err, ML_ECRYPTO, "crypto_error",
		    "sealed credentials do not open: wrong account, wrong key "
		    "or tampered data");
	pthread_rwlock_unlock(&v->lock);
	if (rc == ML_OK) {
		rc = ml_buf_append(out, pt, (size_t)mlen);
		if (rc)
			ml_err_set(err, rc, NULL, "plaintext does not fit");
	}
	ml_free_zero(pt, clen);
	return rc;
}

int
ml_vault_reseal(void *vault, const char *account_id,
    const unsigned char *blob, size_t blob_len, const char *key_id,
    unsigned char **new_blob, size_t *new_len,
    char new_key_id[ML_VAULT_KEY_ID_MAX], struct ml_err *err)
{
	struct ml_vault *v = vault;
	char current[ML_VAULT_KEY_ID_MAX];
	struct ml_buf pt;
	int rc;

	*new_blob = NULL;
	*new_len = 0;
	ml_buf_init(&pt, ML_VAULT_PLAINTEXT_MAX);
	rc = ml_vault_current_key_id(v, current, sizeof(current), err);
	if (rc || strcmp(current, key_id) == 0)
		goto out;
	rc = ml_vault_open(v, account_id, blob, blob_len, key_id, &pt, err);
	if (rc == ML_OK)
		rc = ml_vault_seal(v, account_id, pt.data, pt.len, new_blob,
		    new_len, new_key_id, ML_VAULT_KEY_ID_MAX, err);
	if (rc && err != NULL) {
		char why[ML_ERR_MSG_LEN];

		ml_strlcpy(why, err->msg, sizeof(why));
		ml_err_set(err, rc, NULL, "account %s: %s", account_id, why);
	}
out:
	ml_buf_cleanup_zero(&pt);
	return rc;
}

/* ---- key sets as credential JSON ---------------------------------------- */

/* Append s as a JSON string (quotes included). */
static int
vault_json_str(struct ml_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	char esc[7] = "\\u00";
	int rc;

	rc = ml_buf_append(b, "\"", 1);
	for (p = (const unsigned char *)s; rc == ML_OK && *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			esc[1] = (char)*p;
			rc = ml_buf_append(b, esc, 2);
			esc[1] = 'u';
		} else if (*p < 0x20) {
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			rc = ml_buf_append(b, esc, 6);
		} else {
			rc = ml_buf_append(b, p, 1);
		}
	}
	if (rc == ML_OK)
		rc = ml_buf_append(b, "\"", 1);
	sodium_memzero(esc, sizeof(esc));
	return rc;
}

int
ml_vault_keyset_to_json(const struct ml_keyset *ks, const char *db_name,
    char **json, struct ml_err *err)
{
	struct ml_buf b;
	size_t need = 64, i;
	int rc, first = 1;

	*json = NULL;
	for (i = 0; i < ML_KEY_SLOT_COUNT; i++)
		if (ks->key[i] != NULL)
			need += 6 * strlen(ks->key[i]) + 32;
	if (db_name != NULL)
		need += 6 * strlen(db_name) + 32;
	/*
	 * Size the buffer once up front (append blanks, reset): a buffer that
	 * grew by realloc would leave unwiped copies of the keys behind.
	 */
	ml_buf_init(&b, need);
	rc = ml_buf_appendf(&b, "%*s", (int)need - 1, "");
	if (rc)
		goto out;
	ml_buf_reset(&b);
	rc = ml_buf_append_str(&b, "{\"v\":1,\"keys\":{");
	for (i = 0; rc == ML_OK && i < ML_KEY_SLOT_COUNT; i++) {
		if (ks->key[i] == NULL || ks->key[i][0] == '\0')
			continue;
		if (!first)
			rc = ml_buf_append(&b, ",", 1);
		first = 0;
		if (rc == ML_OK)
			rc = vault_json_str(&b, ml_key_slot_name(
			    (enum ml_key_slot)i));
		if (rc == ML_OK)
			rc = ml_buf_append(&b, ":", 1);
		if (rc == ML_OK)
			rc = vault_json_str(&b, ks->key[i]);
	}
	if (rc == ML_OK)
		rc = ml_buf_append(&b, "}", 1);
	if (rc == ML_OK && db_name != NULL && db_name[0] != '\0') {
		rc = ml_buf_append_str(&b, ",\"db_name\":");
		if (rc == ML_OK)
			rc = vault_json_str(&b, db_name);
	}
	if (rc == ML_OK)
		rc = ml_buf_append(&b, "}", 1);
	if (rc)
		goto out;
	*json = ml_buf_detach(&b);
out:
	ml_buf_cleanup_zero(&b);
	if (rc)
		return ml_err_set(err, rc, NULL,
		    "cannot build credential JSON");
	return ML_OK;
}

/*
 * Wipe a json-c string value in place before the tree is released: json-c
 * frees without wiping. The string belongs to obj, which we own; the cast
 * goes through uintptr_t because json-c only hands out const pointers.
 */
static void
vault_json_wipe(json_object *obj)
{
	const char *s = json_object_get_string(obj);
	int len = json_object_get_string_len(obj);

	if (s != NULL && len > 0)
		sodium_memzero((char *)(uintptr_t)s, (size_t)len);
}

int
ml_vault_keyset_from_json(const char *json, size_t len, struct ml_keyset *ks,
    char *db_name, size_t db_cap, struct ml_err *err)
{
	json_object *root = NULL, *keys;
	enum ml_key_slot slot;
	const char *db;
	int rc;

	ml_keyset_cleanup(ks);
	if (db_name != NULL && db_cap > 0)
		db_name[0] = '\0';
	rc = ml_json_parse(json, len, ML_VAULT_PLAINTEXT_MAX, 4, &root, err);
	if (rc)
		return rc;
	keys = ml_json_get(root, "keys", json_type_object);
	if (ml_json_int(root, "v", 0) != 1 || keys == NULL) {
		rc = ml_err_set(err, ML_EINVAL, "invalid_credentials",
		    "credential JSON must be {\"v\":1,\"keys\":{...}}");
		goto out;
	}
	json_object_object_foreach(keys, name, val) {
		if (rc)
			break;
		if (ml_key_slot_parse(name, &slot) != ML_OK ||
		    !json_object_is_type(val, json_type_string)) {
			rc = ml_err_set(err, ML_EINVAL, "invalid_credentials",
			    "credential JSON has an unknown key slot '%s'",
			    name);
			break;
		}
		rc = ml_keyset_set(ks, slot, json_object_get_string(val));
		if (rc)
			ml_err_set(err, rc, NULL, "out of memory");
	}
	db = ml_json_str(root, "db_name");
	if (rc == ML_OK && db != NULL && db_name != NULL &&
	    ml_strlcpy(db_name, db, db_cap) >= db_cap)
		rc = ml_err_set(err, ML_EINVAL, "invalid_credentials",
		    "db_name is too long");
out:
	if (keys != NULL) {
		json_object_object_foreach(keys, wname, wval) {
			(void)wname;
			vault_json_wipe(wval);
		}
	}
	json_object_put(root);
	if (rc)
		ml_keyset_cleanup(ks);
	return rc;
}

int
ml_vault_seal_keyset(struct ml_vault *v, const char *account_id,
    const struct ml_keyset *ks, const char *db_name, unsigned char **blob,
    size_t *blob_len, char *key_id, size_t key_id_cap, struct ml_err *err)
{
	char *json = NULL;
	int rc;

	*blob = NULL;
	*blob_len = 0;
	rc = ml_vault_keyset_to_json(ks, db_name, &json, err);
	if (rc == ML_OK)
		rc = ml_vault_seal(v, account_id, json, strlen(json), blob,
		    blob_len, key_id, key_id_cap, err);
	ml_free_secret(json);
	return rc;
}

int
ml_vault_open_keyset(struct ml_vault *v, const char *account_id,
    const unsigned char *blob, size_t blob_len, const char *key_id,
    struct ml_keyset *ks, char *db_name, size_t db_cap, struct ml_err *err)
{
	struct ml_buf pt;
	int rc;

	ml_keyset_cleanup(ks);
	if (db_name != NULL && db_cap > 0)
		db_name[0] = '\0';
	ml_buf_init(&pt, ML_VAULT_PLAINTEXT_MAX);
	rc = ml_vault_open(v, account_id, blob, blob_len, key_id, &pt, err);
	if (rc == ML_OK)
		rc = ml_vault_keyset_from_json(pt.data, pt.len, ks, db_name,
		    db_cap, err);
	ml_buf_cleanup_zero(&pt);
	return rc;
}

int
ml_vault_keyset_hints(const struct ml_keyset *ks, char **json,
    struct ml_err *err)
{
	json_object *obj;
	const char *k;
	size_t i, n;
	int rc = ML_OK;

	*json = NULL;
	obj = json_object_new_object();
	if (obj == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	for (i = 0; rc == ML_OK && i < ML_KEY_SLOT_COUNT; i++) {
		k = ks->key[i];
		if (k == NULL || k[0] == '\0')
			continue;
		n = strlen(k);
		rc = ml_json_add_str(obj, ml_key_slot_name((enum ml_key_slot)i),
		    n >= 8 ? k + n - 4 : "");
	}
	if (rc == ML_OK) {
		*json = ml_strdup(ml_json_text(obj));
		if (*json == NULL)
			rc = ML_ENOMEM;
	}
	json_object_put(obj);
	if (rc)
		return ml_err_set(err, rc, NULL, "out of memory");
	return ML_OK;
}

/* ---- dashboard password ------------------------------------------------- */

int
ml_vault_password_hash(const char *password, char *out, size_t cap,
    struct ml_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	size_t chars = 0;
	const char *p;

	for (p = password; p != NULL && *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			chars++;
	if (chars < ML_VAULT_PASSWORD_MIN)
		return ml_err_set(err, ML_EINVAL, "weak_password",
		    "the password must have at least %d characters",
		    ML_VAULT_PASSWORD_MIN);
	if (cap < sizeof(hash))
		return ml_err_set(err, ML_EINVAL, NULL,
		    "password hash buffer must hold %zu bytes", sizeof(hash));
	if (crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return ml_err_set(err, ML_ENOMEM, NULL,
		    "Argon2id ran out of memory");
	ml_strlcpy(out, hash, cap);
	return ML_OK;
}

int
ml_vault_password_verify(const char *hash, const char *password,
    struct ml_err *err)
{
	if (hash == NULL || password == NULL ||
	    crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
		return ml_err_set(err, ML_EAUTH, "unauthorized",
		    "wrong password");
	return ML_OK;
}
