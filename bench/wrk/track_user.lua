-- SPDX-License-Identifier: MIT
-- wrk script: POST a Track User body to the Data API of `moelink sim`, the
-- same request bench_client sends (docs/benchmarks.md, benchmark 1).
-- Settings come from the environment, so keys stay out of argv:
--   BENCH_WS    workspace id
--   BENCH_AUTH  the whole Authorization value ("Basic base64(ws:key)")
--   BENCH_HOST  Host header (default api-01.moengage.com)
-- Customer ids cycle over 1000 values, as in bench_client.c. Non-2xx
-- answers are counted by wrk itself (errors_status below).
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
   return wrk.format(nil, nil, nil,
      '{"type":"customer","customer_id":"bench-' .. (n % 1000) ..
      '","attributes":{"name":"Bench User","plan":"gold","score":42,' ..
      '"city":"Bengaluru"}}')
end

done = require("report").done
