-- SPDX-License-Identifier: MIT
-- wrk script: the Track User call as a raw proxy request through
-- `moelink serve`: POST /proxy, x-account-id,
--   {"method":"POST","path":"/v1/customer/<ws>","body":{...}}
-- (StackOne's proxy shape {url?, path, method, headers, body}; moelink
-- picks the regional host, key and auth). Environment: BENCH_AUTH and
-- BENCH_ACCOUNT (common.moelink_headers), BENCH_WS (workspace id).
local common = require("common")
local path = "/v1/customer/" .. (os.getenv("BENCH_WS") or "BENCH_WS")

request = common.post("/proxy", common.moelink_headers(), function(n)
   return '{"method":"POST","path":"' .. path .. '","body":' ..
      common.track_body(n) .. '}'
end)

done = common.done
