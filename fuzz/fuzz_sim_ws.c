/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sim_ws: libFuzzer target for the simulator's workspaces file
 * (ml_sim_wsset_parse). Invariants: a success gives workspaces with
 * distinct, non-empty ids and a known data center, each found again by
 * id, and a description that fits; a failure says why and leaves the set
 * empty enough to clean up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/buf.h>
#include <moelink/dc.h>

#include "sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ml_sim_wsset set;
	struct ml_err err;
	struct ml_buf b;
	size_t i;

	ml_sim_wsset_init(&set);
	ml_err_clear(&err);
	if (ml_sim_wsset_parse(&set, (const char *)data, size, "fuzz",
	    &err) == ML_OK) {
		for (i = 0; i < set.n; i++) {
			if (set.ws[i].id[0] == '\0' ||
			    ml_dc_lookup(set.ws[i].dc, NULL, NULL) != ML_OK ||
			    ml_sim_wsset_find(&set, set.ws[i].id) != (int)i)
				abort();
		}
		ml_buf_init(&b, 1u << 20);
		if (ml_sim_wsset_describe(&set, &b) != ML_OK)
			abort();
		ml_buf_cleanup(&b);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	ml_sim_wsset_cleanup(&set);
	return 0;
}
