-- SPDX-License-Identifier: MIT
-- wrk script: POST a Track User body to the Data API of `moelink sim` (or
-- an nginx in front of it), the request bench_client sends.
-- Settings come from the environment, so keys stay out of argv:
--   BENCH_WS    workspace id
--   BENCH_AUTH  the whole Authorization value ("Basic base64(ws:key)")
--   BENCH_HOST  Host header (default api-01.moengage.com)
-- Non-2xx answers are counted by wrk itself (errors_status).
local common = require("common")
local ws = os.getenv("BENCH_WS") or "BENCH_WS"

request = common.post("/v1/customer/" .. ws, {
   ["Host"] = os.getenv("BENCH_HOST") or "api-01.moengage.com",
   ["Authorization"] = os.getenv("BENCH_AUTH"),
   ["MOE-APPKEY"] = ws }, common.track_body)

done = common.done
