/* SPDX-License-Identifier: MIT */
/*
 * account.h: what libmoelink needs to call MoEngage for one workspace.
 * The struct is embedded by the caller (init/cleanup); cleanup wipes keys.
 */
#ifndef MOELINK_ACCOUNT_H
#define MOELINK_ACCOUNT_H

#include <moelink/keys.h>

#define ML_WORKSPACE_ID_MAX 128
#define ML_DB_NAME_MAX 128

struct ml_account {
	char workspace_id[ML_WORKSPACE_ID_MAX];
	char data_center[4];		/* "01".."06", "101" */
	char db_name[ML_DB_NAME_MAX];	/* MOE-DBNAME for file segments; may be "" */
	struct ml_keyset keys;
};

void ml_account_init(struct ml_account *acct);
void ml_account_cleanup(struct ml_account *acct);

/*
 * Fill workspace id and data center after validating both: the data center
 * must be an allowed value (ML_EDC otherwise) and the workspace id must be
 * 1..127 printable ASCII characters without ':' (Basic auth's separator) or
 * whitespace (ML_EINVAL, err->field "workspace_id").
 */
int ml_account_set(struct ml_account *acct, const char *workspace_id,
    const char *data_center, struct ml_err *err);

#endif
