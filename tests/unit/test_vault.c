/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the credential vault (sealing, key files, rotation with the
 * store, keyset JSON, admin password hashing).
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <moelink/mem.h>

#include "store/store.h"
#include "vault/vault.h"

#include "test_util.h"

static const char secret_json[] =
    "{\"v\":1,\"keys\":{\"data\":\"DATA-KEY-0123456789\"}}";

struct fixture {
	char dir[64];
	char keyfile[128];
	struct ml_vault *v;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	unsigned char key[ML_VAULT_KEY_BYTES];
	struct ml_err err;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "ml-test-vault.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->keyfile, sizeof(fx->keyfile), "%s/var/master.key",
	    fx->dir);
	assert_int_equal(ml_vault_new(&fx->v, &err), ML_OK);
	randombytes_buf(key, sizeof(key));
	assert_int_equal(ml_vault_add_key(fx->v, "k1", key, 1, &err), ML_OK);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	ml_mem_fail_after(0, 0);
	ml_vault_free(fx->v);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

static void
seal(struct ml_vault *v, const char *account, unsigned char **blob,
    size_t *len, char *key_id)
{
	struct ml_err err;

	assert_int_equal(ml_vault_seal(v, account, secret_json,
	    strlen(secret_json), blob, len, key_id, ML_VAULT_KEY_ID_MAX, &err),
	    ML_OK);
}

/* Open and compare with secret_json. */
static void
assert_opens(struct ml_vault *v, const char *account,
    const unsigned char *blob, size_t len, const char *key_id)
{
	struct ml_buf pt;
	struct ml_err err;

	ml_buf_init(&pt, ML_VAULT_PLAINTEXT_MAX);
	assert_int_equal(ml_vault_open(v, account, blob, len, key_id, &pt,
	    &err), ML_OK);
	assert_string_equal(pt.data, secret_json);
	ml_buf_cleanup_zero(&pt);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int
contains(const unsigned char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* ---- sealing ------------------------------------------------------------ */

static void
vault_seal_open_roundtrip(void **state)
{
	struct fixture *fx = *state;
	unsigned char *b1 = NULL, *b2 = NULL;
	char kid[ML_VAULT_KEY_ID_MAX], hid[ML_VAULT_KEY_ID_MAX];
	size_t l1, l2;
	struct ml_err err;

	seal(fx->v, "acc_1", &b1, &l1, kid);
	assert_string_equal(kid, "k1");
	assert_int_equal(l1, 2 + 2 + 24 + strlen(secret_json) + 16);
	assert_int_equal(b1[0], ML_VAULT_BLOB_VERSION);
	assert_int_equal(ml_vault_blob_key_id(b1, l1, hid, sizeof(hid), &err),
	    ML_OK);
	assert_string_equal(hid, "k1");
	assert_false(contains(b1, l1, "DATA-KEY"));	/* ciphertext only */
	assert_opens(fx->v, "acc_1", b1, l1, "k1");
	assert_opens(fx->v, "acc_1", b1, l1, NULL);
	/* Same plaintext twice: different nonces, different blobs. */
	seal(fx->v, "acc_1", &b2, &l2, kid);
	assert_int_equal(l1, l2);
	assert_memory_not_equal(b1, b2, l1);
	ml_free(b1);
	ml_free(b2);
}

static void
vault_open_with_wrong_account_fails(void **state)
{
	struct fixture *fx = *state;
	unsigned char *b = NULL;
	char kid[ML_VAULT_KEY_ID_MAX];
	struct ml_buf pt;
	struct ml_err err;
	size_t l;

	seal(fx->v, "acc_1", &b, &l, kid);
	ml_buf_init(&pt, ML_VAULT_PLAINTEXT_MAX);
	assert_int_equal(ml_vault_open(fx->v, "acc_2", b, l, kid, &pt, &err),
	    ML_ECRYPTO);
	assert_int_equal(pt.len, 0);
	assert_int_equal(ml_vault_open(fx->v, "acc_1x", b, l, kid, &pt, &err),
	    ML_ECRYPTO);
	ml_buf_cleanup_zero(&pt);
	ml_free(b);
}

static void
vault_tampering_any_byte_fails(void **state)
{
	struct fixture *fx = *state;
	unsigned char *b = NULL;
	char kid[ML_VAULT_KEY_ID_MAX];
	struct ml_buf pt;
	struct ml_err err;
	size_t l, i;
	int rc;

	seal(fx->v, "acc_1", &b, &l, kid);
	ml_buf_init(&pt, ML_VAULT_PLAINTEXT_MAX);
	/* version, id length, key id, nonce, ciphertext, tag: every byte. */
	for (i = 0; i < l; i++) {
		b[i] ^= 0x01;
		assert_int_equal(ml_vault_open(fx->v, "acc_1", b, l, kid, &pt,
		    &err), ML_ECRYPTO);
		/* Without the record's key id a changed id may name no key. */
		rc = ml_vault_open(fx->v, "acc_1", b, l, NULL, &pt, &err);
		assert_true(rc == ML_ECRYPTO || rc == ML_ENOKEY);
		assert_int_equal(pt.len, 0);
		b[i] ^= 0x01;
	}
	/* Truncation at every length fails too. */
	for (i = 0; i < l; i++)
		assert_int_equal(ml_vault_open(fx->v, "acc_1", b, i, NULL, &pt,
		    &err), ML_ECRYPTO);
	assert_opens(fx->v, "acc_1", b, l, kid);
	ml_buf_cleanup_zero(&pt);
	ml_free(b);
}

static void
vault_wrong_or_missing_key_id_fails(void **state)
{
	struct fixture *fx = *state;
	unsigned char key[ML_VAULT_KEY_BYTES], *b = NULL;
	char kid[ML_VAULT_KEY_ID_MAX];
	struct ml_vault *other;
	struct ml_buf pt;
	struct ml_err err;
	size_t l;

	seal(fx->v, "acc_1", &b, &l, kid);
	ml_buf_init(&pt, ML_VAULT_PLAINTEXT_MAX);
	assert_int_equal(ml_vault_open(fx->v, "acc_1", b, l, "k2", &pt, &err),
	    ML_ECRYPTO);
	/* A vault whose "k1" is another key cannot open it. */
	assert_int_equal(ml_vault_new(&other, &err), ML_OK);
	randombytes_buf(key, sizeof(key));
	assert_int_equal(ml_vault_add_key(other, "k1", key, 1, &err), ML_OK);
	assert_int_equal(ml_vault_open(other, "acc_1", b, l, kid, &pt, &err),
	    ML_ECRYPTO);
	ml_vault_free(other);
	/* A vault without "k1" says which key is missing. */
	assert_int_equal(ml_vault_new(&other, &err), ML_OK);
	assert_int_equal(ml_vault_add_key(other, "k9", key, 1, &err), ML_OK);
	assert_int_equal(ml_vault_open(other, "acc_1", b, l, kid, &pt, &err),
	    ML_ENOKEY);
	assert_non_null(strstr(err.msg, "'k1'"));
	/* The same id with other bytes is a conflict, not a silent swap. */
	assert_int_equal(ml_vault_add_key(other, "k9", (const unsigned char *)
	    "0123456789abcdef0123456789abcdef", 0, &err), ML_ECONFLICT);
	ml_vault_free(other);
	ml_free(b);
	assert_int_equal(ml_vault_new(&other, &err), ML_OK);
	assert_int_equal(ml_vault_seal(other, "acc_1", "x", 1, &b, &l, NULL, 0,
	    &err), ML_ENOKEY);
	assert_null(b);
	ml_vault_free(other);
	ml_buf_cleanup_zero(&pt);
}

/* ---- key files ---------------------------------------------------------- */

static void
vault_generates_key_file_on_first_run(void **state)
{
	struct fixture *fx = *state;
	char kid[ML_VAULT_KEY_ID_MAX];
	struct ml_vault *v, *v2;
	unsigned char *b = NULL;
	unsigned flags = 0;
	struct ml_err err;
	struct stat st;
	size_t l;

	assert_int_equal(ml_vault_new(&v, &err), ML_OK);
	/* Without permission to generate: a clear "no key" error. */
	assert_int_equal(ml_vault_load(v, NULL, fx->keyfile, 0, &flags, &err),
	    ML_ENOKEY);
	assert_non_null(strstr(err.msg, "MOELINK_MASTER_KEY"));
	assert_int_equal(ml_vault_load(v, NULL, fx->keyfile, 1, &flags, &err),
	    ML_OK);
	assert_true(flags & ML_VAULT_GENERATED);
	assert_int_equal(stat(fx->keyfile, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ml_vault_current_key_id(v, kid, sizeof(kid), &err),
	    ML_OK);
	assert_string_equal(kid, "k1");
	seal(v, "acc_1", &b, &l, kid);
	/* The next start reads the same key and does not generate again. */
	assert_int_equal(ml_vault_new(&v2, &err), ML_OK);
	assert_int_equal(ml_vault_load(v2, NULL, fx->keyfile, 1, &flags, &err),
	    ML_OK);
	assert_false(flags & ML_VAULT_GENERATED);
	assert_true(flags & ML_VAULT_LOADED_FILE);
	assert_opens(v2, "acc_1", b, l, kid);
	ml_vault_free(v2);
	ml_vault_free(v);
	ml_free(b);
}

static void
vault_key_file_with_loose_permissions_refused(void **state)
{
	struct fixture *fx = *state;
	char path[160], text[160], b64[64];
	unsigned char key[ML_VAULT_KEY_BYTES];
	struct ml_vault *v;
	struct ml_err err;
	static const mode_t bad[] = { 0644, 0640, 0604, 0660, 0666 };
	size_t i;

	randombytes_buf(key, sizeof(key));
	sodium_bin2base64(b64, sizeof(b64), key, sizeof(key),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(text, sizeof(text), "k1 %s\n", b64);
	snprintf(path, sizeof(path), "%s/loose.key", fx->dir);
	assert_int_equal(ml_vault_new(&v, &err), ML_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, text, bad[i]);
		ml_err_clear(&err);
		assert_int_equal(ml_vault_load(v, NULL, path, 1, NULL, &err),
		    ML_EIO);
		assert_string_equal(err.kind, "key_file_permissions");
		assert_non_null(strstr(err.msg, "chmod 600"));
	}
	assert_int_equal(ml_vault_key_count(v), 0);
	write_file(path, text, 0600);
	assert_int_equal(ml_vault_load(v, NULL, path, 0, NULL, &err), ML_OK);
	assert_int_equal(ml_vault_key_count(v), 1);
	ml_vault_free(v);
}

static void
vault_key_file_format_errors_name_the_line(void **state)
{
	struct fixture *fx = *state;
	static const char *const bad[] = {
		"# ok\nk1 c2hvcnQ=\n",		/* 5 bytes, not 32 */
		"k1\n",				/* no key */
		"k 1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"k/1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
	};
	char path[160], good[256], kid[ML_VAULT_KEY_ID_MAX];
	struct ml_vault *v;
	struct ml_err err;
	size_t i;

	snprintf(path, sizeof(path), "%s/bad.key", fx->dir);
	assert_int_equal(ml_vault_new(&v, &err), ML_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i], 0600);
		assert_int_equal(ml_vault_load(v, NULL, path, 0, NULL, &err),
		    ML_EINVAL);
		assert_non_null(strstr(err.msg, i == 0 ? "line 2" : "line 1"));
	}
	/*
	 * Comments, blank lines, CRLF, padded and unpadded URL-safe base64
	 * are fine; the last key line is current.
	 */
	snprintf(good, sizeof(good), "# keys\r\n\r\nold %.43s=\r\n"
	    "  new   %.42sw  \n# trailing comment\n",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "__________________________________________________");
	write_file(path, good, 0600);
	assert_int_equal(ml_vault_load(v, NULL, path, 0, NULL, &err), ML_OK);
	assert_int_equal(ml_vault_key_count(v), 2);
	assert_int_equal(ml_vault_current_key_id(v, kid, sizeof(kid), &err),
	    ML_OK);
	assert_string_equal(kid, "new");
	ml_vault_free(v);
}

static void
vault_env_key_is_current_and_file_keys_stay_openable(void **state)
{
	struct fixture *fx = *state;
	char kid[ML_VAULT_KEY_ID_MAX], kid2[ML_VAULT_KEY_ID_MAX], b64[64];
	unsigned char key[ML_VAULT_KEY_BYTES], *old = NULL, *nb = NULL;
	struct ml_vault *v, *v2;
	unsigned flags = 0;
	struct ml_err err;
	size_t ol, nl;

	assert_int_equal(ml_vault_new(&v, &err), ML_OK);
	assert_int_equal(ml_vault_load(v, NULL, fx->keyfile, 1, NULL, &err),
	    ML_OK);
	seal(v, "acc_1", &old, &ol, kid);
	ml_vault_free(v);

	randombytes_buf(key, sizeof(key));
	sodium_bin2base64(b64, sizeof(b64), key, sizeof(key),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_int_equal(ml_vault_new(&v, &err), ML_OK);
	assert_int_equal(ml_vault_load(v, "not-base64!", fx->keyfile, 0, NULL,
	    &err), ML_EINVAL);
	assert_int_equal(ml_vault_load(v, b64, fx->keyfile, 0, &flags, &err),
	    ML_OK);
	assert_true(flags & ML_VAULT_LOADED_ENV);
	assert_int_equal(ml_vault_current_key_id(v, kid, sizeof(kid), &err),
	    ML_OK);
	assert_int_equal(strncmp(kid, "env-", 4), 0);
	assert_int_equal(strlen(kid), 12);
	seal(v, "acc_2", &nb, &nl, kid);
	assert_opens(v, "acc_1", old, ol, "k1");
	/* The derived id is stable: another process gets the same. */
	assert_int_equal(ml_vault_new(&v2, &err), ML_OK);
	assert_int_equal(ml_vault_add_env_key(v2, b64, &err), ML_OK);
	assert_int_equal(ml_vault_current_key_id(v2, kid2, sizeof(kid2), &err),
	    ML_OK);
	assert_string_equal(kid, kid2);
	assert_opens(v2, "acc_2", nb, nl, kid);
	ml_vault_free(v2);
	ml_vault_free(v);
	ml_free(old);
	ml_free(nb);
}

/* ---- rotation ----------------------------------------------------------- */

static void
vault_rotation_keeps_every_record_openable(void **state)
{
	struct fixture *fx = *state;
	struct ml_store_key_usage *use = NULL;
	char url[192], kid[ML_VAULT_KEY_ID_MAX], ids[5][ML_STORE_ID_MAX];
	struct ml_store_account a;
	struct ml_store_project p;
	struct ml_store *s;
	struct ml_vault *v, *fresh;
	struct ml_err err;
	struct stat st;
	int64_t done = 0;
	size_t i, n = 0;

	snprintf(url, sizeof(url), "sqlite://%s/var/moelink.db", fx->dir);
	assert_int_equal(ml_store_open(url, &s, &err), ML_OK);
	assert_int_equal(ml_store_project_create(s, "P", &p, &err), ML_OK);
	assert_int_equal(ml_vault_new(&v, &err), ML_OK);
	assert_int_equal(ml_vault_load(v, NULL, fx->keyfile, 1, NULL, &err),
	    ML_OK);
	for (i = 0; i < 5; i++) {
		ml_store_account_init(&a);
		assert_int_equal(ml_store_id_new("acc", a.id, sizeof(a.id),
		    &err), ML_OK);
		ml_strlcpy(ids[i], a.id, sizeof(ids[i]));
		ml_strlcpy(a.project_id, p.id, sizeof(a.project_id));
		ml_strlcpy(a.provider, "moengage", sizeof(a.provider));
		ml_strlcpy(a.origin_owner_id, "o", sizeof(a.origin_owner_id));
		ml_strlcpy(a.origin_owner_name, "O",
		    sizeof(a.origin_owner_name));
		ml_strlcpy(a.workspace_id, "WS", sizeof(a.workspace_id));
		ml_strlcpy(a.data_center, "01", sizeof(a.data_center));
		seal(v, a.id, &a.sealed, &a.sealed_len, a.key_id);
		assert_int_equal(ml_store_account_insert(s, &a, &err), ML_OK);
		ml_store_account_cleanup(&a);
	}
	assert_int_equal(ml_vault_keyfile_rotate(v, fx->keyfile, kid,
	    sizeof(kid), &err), ML_OK);
	assert_string_equal(kid, "k2");
	assert_int_equal(stat(fx->keyfile, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ml_store_account_reseal(s, ml_vault_reseal, v, &done,
	    &err), ML_OK);
	assert_int_equal(done, 5);
	/* Idempotent: nothing left under the old key. */
	assert_int_equal(ml_store_account_reseal(s, ml_vault_reseal, v, &done,
	    &err), ML_OK);
	assert_int_equal(done, 0);
	assert_int_equal(ml_store_key_usage(s, &use, &n, &err), ML_OK);
	assert_int_equal(n, 1);
	assert_string_equal(use[0].key_id, "k2");
	assert_int_equal(use[0].accounts, 5);
	ml_store_key_usage_free(use, n);
	/* A process started after the rotation (key file only) opens all. */
	assert_int_equal(ml_vault_new(&fresh, &err), ML_OK);
	assert_int_equal(ml_vault_load(fresh, NULL, fx->keyfile, 0, NULL,
	    &err), ML_OK);
	assert_int_equal(ml_vault_key_count(fresh), 2);
	ml_store_account_init(&a);
	for (i = 0; i < 5; i++) {
		assert_int_equal(ml_store_account_get(s, p.id, ids[i], &a,
		    &err), ML_OK);
		assert_string_equal(a.key_id, "k2");
		assert_opens(fresh, ids[i], a.sealed, a.sealed_len, a.key_id);
	}
	ml_store_account_cleanup(&a);
	ml_vault_free(fresh);
	ml_vault_free(v);
	ml_store_close(s);
}

static void
vault_reload_picks_up_rotated_key(void **state)
{
	struct fixture *fx = *state;
	struct ml_vault *writer, *server;
	char kid[ML_VAULT_KEY_ID_MAX];
	unsigned char *b = NULL;
	struct ml_buf pt;
	struct ml_err err;
	size_t l;

	assert_int_equal(ml_vault_new(&writer, &err), ML_OK);
	assert_int_equal(ml_vault_load(writer, NULL, fx->keyfile, 1, NULL,
	    &err), ML_OK);
	assert_int_equal(ml_vault_new(&server, &err), ML_OK);
	assert_int_equal(ml_vault_load(server, NULL, fx->keyfile, 0, NULL,
	    &err), ML_OK);
	assert_int_equal(ml_vault_keyfile_rotate(writer, fx->keyfile, kid,
	    sizeof(kid), &err), ML_OK);
	seal(writer, "acc_1", &b, &l, kid);
	ml_buf_init(&pt, ML_VAULT_PLAINTEXT_MAX);
	assert_int_equal(ml_vault_open(server, "acc_1", b, l, kid, &pt, &err),
	    ML_ENOKEY);
	assert_int_equal(ml_vault_reload(server, NULL, fx->keyfile, &err),
	    ML_OK);
	assert_opens(server, "acc_1", b, l, kid);
	ml_buf_cleanup_zero(&pt);
	ml_vault_free(server);
	ml_vault_free(writer);
	ml_free(b);
}

/* ---- keyset JSON, hints, passwords -------------------------------------- */

static void
vault_keyset_json_roundtrip(void **state)
{
	struct fixture *fx = *state;
	struct ml_keyset ks, back;
	char db[ML_DB_NAME_MAX], kid[ML_VAULT_KEY_ID_MAX];
	unsigned char *b = NULL;
	char *json = NULL, *hints = NULL;
	struct ml_err err;
	size_t l;
	int i;

	ml_keyset_init(&ks);
	ml_keyset_init(&back);
	assert_int_equal(ml_keyset_set(&ks, ML_KEY_DATA, "data\"quote\\"),
	    ML_OK);
	assert_int_equal(ml_keyset_set(&ks, ML_KEY_GENERAL, "GEN-0123456789"),
	    ML_OK);
	assert_int_equal(ml_keyset_set(&ks, ML_KEY_PUSH, "p\x01sh"), ML_OK);
	assert_int_equal(ml_vault_keyset_to_json(&ks, "moe \"db\"", &json,
	    &err), ML_OK);
	assert_int_equal(ml_vault_keyset_from_json(json, strlen(json), &back,
	    db, sizeof(db), &err), ML_OK);
	for (i = 0; i < ML_KEY_SLOT_COUNT; i++) {
		if (ks.key[i] == NULL)
			assert_null(back.key[i]);
		else
			assert_string_equal(ks.key[i], back.key[i]);
	}
	assert_string_equal(db, "moe \"db\"");
	ml_free_secret(json);

	/* Sealed in one call, opened in one call. */
	assert_int_equal(ml_vault_seal_keyset(fx->v, "acc_9", &ks, "", &b, &l,
	    kid, sizeof(kid), &err), ML_OK);
	assert_int_equal(ml_vault_open_keyset(fx->v, "acc_9", b, l, kid, &back,
	    db, sizeof(db), &err), ML_OK);
	assert_string_equal(back.key[ML_KEY_GENERAL], "GEN-0123456789");
	assert_string_equal(db, "");
	assert_int_equal(ml_vault_open_keyset(fx->v, "acc_8", b, l, kid, &back,
	    db, sizeof(db), &err), ML_ECRYPTO);
	assert_true(ml_keyset_empty(&back));
	ml_free(b);

	/* Hints: last 4 of long keys, nothing for short ones. */
	assert_int_equal(ml_vault_keyset_hints(&ks, &hints, &err), ML_OK);
	assert_string_equal(hints,
	    "{\"data\":\"ote\\\\\",\"general\":\"6789\",\"push\":\"\"}");
	ml_free(hints);

	/* Unknown slots and wrong shapes are rejected. */
	for (i = 0; i < 3; i++) {
		static const char *const bad[] = {
			"{\"v\":1,\"keys\":{\"x\":\"1\"}}",
			"{\"keys\":{}}",
			"{\"v\":1,\"keys\":{\"data\":5}}",
		};

		assert_int_equal(ml_vault_keyset_from_json(bad[i],
		    strlen(bad[i]), &back, NULL, 0, &err), ML_EINVAL);
	}
	ml_keyset_cleanup(&ks);
	ml_keyset_cleanup(&back);
}

static void
vault_admin_password_argon2id(void **state)
{
	char hash[ML_VAULT_PWHASH_MAX];
	struct ml_err err;

	(void)state;
	assert_int_equal(ml_vault_password_hash("short", hash, sizeof(hash),
	    &err), ML_EINVAL);
	assert_string_equal(err.kind, "weak_password");
	/* 11 characters (of 22 bytes) is still too short. */
	assert_int_equal(ml_vault_password_hash(
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", hash, sizeof(hash), &err),
	    ML_EINVAL);
	assert_int_equal(ml_vault_password_hash("correct horse battery", hash,
	    sizeof(hash), &err), ML_OK);
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_null(strstr(hash, "correct"));
	assert_int_equal(ml_vault_password_verify(hash, "correct horse battery",
	    &err), ML_OK);
	assert_int_equal(ml_vault_password_verify(hash, "correct horse batterY",
	    &err), ML_EAUTH);
}

/* ---- allocation failures ------------------------------------------------ */

#define WALK_ENOMEM(expr) do {						\
	long n_;							\
	int rc_;							\
	for (n_ = 1; n_ < 100; n_++) {					\
		ml_mem_fail_after(n_, 0);				\
		rc_ = (expr);						\
		ml_mem_fail_after(0, 0);				\
		if (rc_ == ML_OK)					\
			break;						\
		assert_int_equal(rc_, ML_ENOMEM);			\
	}								\
	assert_int_equal(rc_, ML_OK);					\
} while (0)

static void
vault_allocation_failures_are_enomem(void **state)
{
	struct fixture *fx = *state;
	char kid[ML_VAULT_KEY_ID_MAX], db[8];
	unsigned char *b = NULL;
	struct ml_keyset ks;
	struct ml_vault *v = NULL;
	struct ml_err err;
	size_t l = 0;

	ml_keyset_init(&ks);
	assert_int_equal(ml_keyset_set(&ks, ML_KEY_DATA, "DATA-0123456789"),
	    ML_OK);
	WALK_ENOMEM(ml_vault_new(&v, &err));
	ml_vault_free(v);
	WALK_ENOMEM(ml_vault_seal_keyset(fx->v, "acc_1", &ks, NULL, &b, &l,
	    kid, sizeof(kid), &err));
	ml_keyset_cleanup(&ks);
	WALK_ENOMEM(ml_vault_open_keyset(fx->v, "acc_1", b, l, kid, &ks, db,
	    sizeof(db), &err));
	assert_string_equal(ks.key[ML_KEY_DATA], "DATA-0123456789");
	ml_free(b);
	ml_keyset_cleanup(&ks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(vault_seal_open_roundtrip),
		T(vault_open_with_wrong_account_fails),
		T(vault_tampering_any_byte_fails),
		T(vault_wrong_or_missing_key_id_fails),
		T(vault_generates_key_file_on_first_run),
		T(vault_key_file_with_loose_permissions_refused),
		T(vault_key_file_format_errors_name_the_line),
		T(vault_env_key_is_current_and_file_keys_stay_openable),
		T(vault_rotation_keeps_every_record_openable),
		T(vault_reload_picks_up_rotated_key),
		T(vault_keyset_json_roundtrip),
		T(vault_admin_password_argon2id),
		T(vault_allocation_failures_are_enomem),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
