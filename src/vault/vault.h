/* SPDX-License-Identifier: MIT */
/*
 * vault.h: sealing of account credentials at rest, master keys and rotation.
 *
 * A struct ml_vault holds 32-byte master keys by key id: one current key
 * (used to seal) and older ones (still used to open records sealed before a
 * rotation). Key bytes live in sodium_malloc'd, mlock'd memory that is
 * wiped when freed. A vault is thread-safe: seal/open take a read lock,
 * adding or reloading keys a write lock, so a server can reload on SIGHUP
 * while requests keep using the vault.
 *
 * Blob format (version 1), all of it stored in the account row:
 *   byte 0        version (1)
 *   byte 1        key id length L (1..ML_VAULT_KEY_ID_MAX-1)
 *   bytes 2..     key id (L bytes, [A-Za-z0-9_-])
 *   next 24       random nonce
 *   rest          XChaCha20-Poly1305-IETF ciphertext + 16-byte tag
 * Associated data = the header (version, L, key id) followed by the account
 * id, so a blob moved to another account, or with an edited header, does not
 * open (ML_ECRYPTO).
 *
 * Key file format (text, mode 0600, owner-only): one key per line,
 *   <key_id> <base64 of 32 bytes>
 * '#' comments and blank lines ignored; the LAST key line is the current
 * key. Key ids are 1..31 chars of [A-Za-z0-9_-]; generated ones are "k1",
 * "k2", ... A key given as base64 alone (MOELINK_MASTER_KEY, read by the
 * front end) gets the id "env-" + 8 hex chars of a keyed BLAKE2b of the key,
 * stable across restarts.
 *
 * All functions return ML_OK or a negative ML_E* with detail in err; the
 * library part never reads the environment or prints.
 */
#ifndef ML_VAULT_H
#define ML_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include <moelink/buf.h>
#include <moelink/err.h>
#include <moelink/keys.h>

#define ML_VAULT_KEY_BYTES 32
#define ML_VAULT_KEY_ID_MAX 32		/* with NUL; == ML_STORE_KEY_ID_MAX */
#define ML_VAULT_BLOB_VERSION 1
#define ML_VAULT_NONCE_BYTES 24
#define ML_VAULT_TAG_BYTES 16
#define ML_VAULT_PLAINTEXT_MAX 16384	/* credential JSON cap */
#define ML_VAULT_MAX_KEYS 64
#define ML_VAULT_DEFAULT_KEY_FILE "./var/master.key"
#define ML_VAULT_PASSWORD_MIN 12	/* dashboard admin password */
#define ML_VAULT_PWHASH_MAX 128		/* >= crypto_pwhash_STRBYTES */

struct ml_vault;

/* An empty vault (no keys). *out is owned by the caller (ml_vault_free). */
int ml_vault_new(struct ml_vault **out, struct ml_err *err);
/* Wipe every key and free. NULL is a no-op. */
void ml_vault_free(struct ml_vault *v);

/*
 * Add a key. make_current 1 makes it the sealing key (the first key added is
 * current regardless). ML_ECONFLICT if the id exists with other bytes (the
 * same id with the same bytes is a no-op), ML_EINVAL for a bad id.
 */
int ml_vault_add_key(struct ml_vault *v, const char *key_id,
    const unsigned char key[ML_VAULT_KEY_BYTES], int make_current,
    struct ml_err *err);
/* Same from base64 text (standard or URL-safe, padding optional). */
int ml_vault_add_key_b64(struct ml_vault *v, const char *key_id,
    const char *b64, int make_current, struct ml_err *err);
/* Add a base64 key under its derived "env-xxxxxxxx" id, as current. */
int ml_vault_add_env_key(struct ml_vault *v, const char *b64,
    struct ml_err *err);

/* Current key id into out (cap >= ML_VAULT_KEY_ID_MAX); ML_ENOKEY if none. */
int ml_vault_current_key_id(struct ml_vault *v, char *out, size_t cap,
    struct ml_err *err);
/* Number of keys, and the id of the i-th (in load order) into out. */
size_t ml_vault_key_count(struct ml_vault *v);
int ml_vault_key_id_at(struct ml_vault *v, size_t i, char *out, size_t cap);

/* Result flags of ml_vault_load. */
#define ML_VAULT_LOADED_ENV 0x1		/* key came from env_b64 */
#define ML_VAULT_LOADED_FILE 0x2	/* keys came from the key file */
#define ML_VAULT_GENERATED 0x4		/* a new key file was created: the
					 * front end must warn LOUDLY that
					 * it has to be backed up */

/*
 * Load master keys the way the front ends do, replacing any keys the vault
 * held (on error the vault is unchanged):
 * 1. env_b64 non-NULL and non-empty (the front end read MOELINK_MASTER_KEY):
 *    that key is current; if the key file also exists its keys are loaded
 *    as older keys (so records sealed under them still open).
 * 2. else the key file at path (NULL = ML_VAULT_DEFAULT_KEY_FILE): must be
 *    a regular file with no group/other permission bits (else ML_EIO with a
 *    message naming the mode and "chmod 600"), well-formed (else ML_EINVAL
 *    with the line number).
 * 3. else, if `generate` is set, a new key "k1" is written to path (parent
 *    directory created 0700; file created O_EXCL, mode 0600, fsync'd) and
 *    ML_VAULT_GENERATED is set in *flags. Without `generate`: ML_ENOKEY.
 * *flags (may be NULL) gets ML_VAULT_* bits.
 */
int ml_vault_load(struct ml_vault *v, const char *env_b64, const char *path,
    int generate, unsigned *flags, struct ml_err *err);
/*
 * Re-read keys (SIGHUP): loads into a fresh key set and swaps it in under
 * the write lock. On error the old keys stay. Never generates.
 */
int ml_vault_reload(struct ml_vault *v, const char *env_b64,
    const char *path, struct ml_err *err);
/*
 * Rotation step 1: generate a new random key with the next free id "kN",
 * append it to the key file (atomically: write a temporary 0600 file,
 * fsync, rename, fsync the directory) and add it to v as current. The new
 * id goes to new_id (cap >= ML_VAULT_KEY_ID_MAX). The file must pass the
 * permission check; it is created if missing.
 */
int ml_vault_keyfile_rotate(struct ml_vault *v, const char *path,
    char *new_id, size_t cap, struct ml_err *err);

/*
 * Seal plaintext (<= ML_VAULT_PLAINTEXT_MAX bytes) for account_id with the
 * current key. *blob is heap (ml_free) of *blob_len bytes; key_id (cap >=
 * ML_VAULT_KEY_ID_MAX, may be NULL) receives the key id used.
 */
int ml_vault_seal(struct ml_vault *v, const char *account_id,
    const void *plaintext, size_t len, unsigned char **blob,
    size_t *blob_len, char *key_id, size_t key_id_cap, struct ml_err *err);
/*
 * Open a blob sealed for account_id. key_id (may be NULL) must match the id
 * in the blob when given. out must be initialised (ml_buf_init with a max
 * >= ML_VAULT_PLAINTEXT_MAX); it receives the plaintext (NUL-terminated)
 * and the caller wipes it with ml_buf_cleanup_zero. ML_ECRYPTO for a wrong
 * account, a tampered or truncated blob or a key id mismatch; ML_ENOKEY if
 * the vault lacks the blob's key.
 */
int ml_vault_open(struct ml_vault *v, const char *account_id,
    const unsigned char *blob, size_t blob_len, const char *key_id,
    struct ml_buf *out, struct ml_err *err);
/* The key id stored in a blob's header, without opening it. */
int ml_vault_blob_key_id(const unsigned char *blob, size_t blob_len,
    char *out, size_t cap, struct ml_err *err);

/*
 * Rotation step 2, shaped as the store's ml_store_reseal_fn (ctx = the
 * vault): open a blob with whatever key sealed it and seal it again under
 * the current key. A blob already under the current key is left alone
 * (*new_blob = NULL). Use: ml_store_account_reseal(store, ml_vault_reseal,
 * vault, &n, err).
 */
int ml_vault_reseal(void *vault, const char *account_id,
    const unsigned char *blob, size_t blob_len, const char *key_id,
    unsigned char **new_blob, size_t *new_len,
    char new_key_id[ML_VAULT_KEY_ID_MAX], struct ml_err *err);

/*
 * Credential JSON: {"v":1,"keys":{"data":"...","general":"...",...},
 * "db_name":"..."} with slot names from ml_key_slot_name; empty slots are
 * omitted. The text is a secret: the caller wipes *json with
 * ml_free_secret.
 */
int ml_vault_keyset_to_json(const struct ml_keyset *ks, const char *db_name,
    char **json, struct ml_err *err);
/*
 * Parse it back into ks (initialised; cleaned first, left empty on failure)
 * and db_name (may be NULL; cap bytes). Unknown slots are ML_EINVAL. The
 * open variant below also empties ks when the blob does not open.
 */
int ml_vault_keyset_from_json(const char *json, size_t len,
    struct ml_keyset *ks, char *db_name, size_t db_cap, struct ml_err *err);
/* One call each way: keyset -> sealed blob, sealed blob -> keyset. */
int ml_vault_seal_keyset(struct ml_vault *v, const char *account_id,
    const struct ml_keyset *ks, const char *db_name, unsigned char **blob,
    size_t *blob_len, char *key_id, size_t key_id_cap, struct ml_err *err);
int ml_vault_open_keyset(struct ml_vault *v, const char *account_id,
    const unsigned char *blob, size_t blob_len, const char *key_id,
    struct ml_keyset *ks, char *db_name, size_t db_cap, struct ml_err *err);
/*
 * Hints for display: {"data":"ab12","push":"9f3c"} (last 4 chars of each
 * filled slot; keys shorter than 8 chars give "" so a hint never reveals
 * half a key). *json is heap (ml_free).
 */
int ml_vault_keyset_hints(const struct ml_keyset *ks, char **json,
    struct ml_err *err);

/*
 * Create the missing parent directories of path, mode 0700 (the key file's
 * and the database's: both hold secrets). Existing directories are left as
 * they are. ML_EIO naming the directory that could not be made.
 */
int ml_vault_mkdirs(const char *path, struct ml_err *err);

/*
 * Dashboard admin password: Argon2id (crypto_pwhash_str, INTERACTIVE
 * limits) into out (cap >= ML_VAULT_PWHASH_MAX). ML_EINVAL if shorter than
 * ML_VAULT_PASSWORD_MIN characters.
 */
int ml_vault_password_hash(const char *password, char *out, size_t cap,
    struct ml_err *err);
/* ML_OK if password matches hash, else ML_EAUTH. Constant-time. */
int ml_vault_password_verify(const char *hash, const char *password,
    struct ml_err *err);

#endif
