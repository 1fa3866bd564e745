/* SPDX-License-Identifier: MIT */
/*
 * account.c: validation of the workspace identity an account carries.
 */
#include <moelink/account.h>
#include <moelink/dc.h>

#include <string.h>

void
ml_account_init(struct ml_account *acct)
{
	memset(acct, 0, sizeof(*acct));
	ml_keyset_init(&acct->keys);
}

void
ml_account_cleanup(struct ml_account *acct)
{
	ml_keyset_cleanup(&acct->keys);
	memset(acct, 0, sizeof(*acct));
}

int
ml_account_set(struct ml_account *acct, const char *workspace_id,
    const char *data_center, struct ml_err *err)
{
	size_t i, len;
	int rc;

	len = workspace_id != NULL ? strlen(workspace_id) : 0;
	if (len == 0 || len >= sizeof(acct->workspace_id)) {
		ml_err_field(err, "workspace_id");
		return ml_err_set(err, ML_EINVAL, "invalid_workspace_id",
		    "Workspace ID must be 1 to %zu characters (find it under "
		    "Settings > Account > APIs)", sizeof(acct->workspace_id) - 1);
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)workspace_id[i];
		if (c <= 0x20 || c >= 0x7f || c == ':') {
			ml_err_field(err, "workspace_id");
			return ml_err_set(err, ML_EINVAL,
			    "invalid_workspace_id",
			    "Workspace ID may not contain spaces, ':' or "
			    "non-ASCII characters");
		}
	}
	rc = ml_dc_lookup(data_center, NULL, err);
	if (rc)
		return rc;
	ml_strlcpy(acct->workspace_id, workspace_id, sizeof(acct->workspace_id));
	ml_strlcpy(acct->data_center, data_center, sizeof(acct->data_center));
	return ML_OK;
}
