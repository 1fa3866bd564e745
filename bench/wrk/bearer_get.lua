-- SPDX-License-Identifier: MIT
-- wrk script: GET with a project API key (Bearer), for `moelink serve`'s
-- /healthz and /accounts/{id} (docs/benchmarks.md, benchmark 2).
--   BENCH_AUTH  the whole Authorization value ("Bearer mlk_...") or unset
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
   wrk.headers["Authorization"] = auth
end

done = require("common").done
