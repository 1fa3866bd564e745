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

wrk.method = "POST"
wrk.path = "/v1/customer/" .. ws
wrk.headers["Host"] = os.getenv("BENCH_HOST") or "api-01.moengage.com"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["MOE-APPKEY"] = ws

local n = 0
request = function()
   n = n + 1
   return wrk.format(nil, nil, nil, common.track_body(n))
end

done = common.done
