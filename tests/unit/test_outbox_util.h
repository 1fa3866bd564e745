/* SPDX-License-Identifier: MIT */
/*
 * test_outbox_util.h: helpers shared by the outbox tests (SQLite,
 * test_store_outbox.c; PostgreSQL, test_store_outbox_pg.c). Include after
 * <cmocka.h>. Everything is static inline.
 */
#ifndef ML_TEST_OUTBOX_UTIL_H
#define ML_TEST_OUTBOX_UTIL_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <moelink/mem.h>

#include "store/store.h"
#include "store/store_outbox.h"

#define TU_OUTBOX_ROWS_MAX 300

static inline int64_t
tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Link a MoEngage account to a project in the store; its id into id. */
static inline void
tu_outbox_account(struct ml_store *s, const char *project_id, char *id)
{
	static unsigned char sealed[] = "sealed";
	struct ml_store_account a;
	struct ml_err err;

	ml_store_account_init(&a);
	assert_int_equal(ml_store_id_new("acc", a.id, sizeof(a.id), &err),
	    ML_OK);
	ml_strlcpy(a.project_id, project_id, sizeof(a.project_id));
	ml_strlcpy(a.provider, "moengage", sizeof(a.provider));
	ml_strlcpy(a.origin_owner_id, "o", sizeof(a.origin_owner_id));
	ml_strlcpy(a.origin_owner_name, "Acme", sizeof(a.origin_owner_name));
	ml_strlcpy(a.workspace_id, "WS1", sizeof(a.workspace_id));
	ml_strlcpy(a.data_center, "01", sizeof(a.data_center));
	ml_strlcpy(a.key_id, "k1", sizeof(a.key_id));
	a.sealed = sealed;
	a.sealed_len = sizeof(sealed) - 1;
	assert_int_equal(ml_store_account_insert(s, &a, &err), ML_OK);
	ml_strlcpy(id, a.id, ML_STORE_ID_MAX);
}

/*
 * n rows of customer_id "c1" with payloads {"i":<first + k>} written into
 * payload; kind NULL alternates event and customer, units NULL-kind rows
 * k + 1 (else 1).
 */
static inline void
tu_outbox_rows(struct ml_outbox_new *rows, char (*payload)[32],
    const char *kind, int first, int n)
{
	int k;

	assert_true(n <= TU_OUTBOX_ROWS_MAX);
	for (k = 0; k < n; k++) {
		snprintf(payload[k], sizeof(payload[k]), "{\"i\":%d}",
		    first + k);
		rows[k] = (struct ml_outbox_new){ .kind = kind != NULL ? kind :
		    k % 2 ? "customer" : "event", .customer_id = "c1",
		    .payload = payload[k], .payload_len = strlen(payload[k]),
		    .units = kind != NULL ? 1 : k + 1 };
	}
}

#endif
