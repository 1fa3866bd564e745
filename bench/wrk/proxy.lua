-- SPDX-License-Identifier: MIT
-- wrk script: the Track User call as a raw proxy request through
-- `moelink serve`: POST /proxy, x-account-id,
--   {"method":"POST","path":"/v1/customer/<ws>","body":{...}}
-- (StackOne's proxy shape {url?, path, method, headers, body}; moelink
-- picks the regional host, key and auth).
--   BENCH_AUTH     "Bearer mlk_..." (project API key)
--   BENCH_ACCOUNT  the linked account id
--   BENCH_WS       the account's workspace id
local common = require("common")
local ws = os.getenv("BENCH_WS") or "BENCH_WS"

wrk.method = "POST"
wrk.path = "/proxy"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.headers["x-account-id"] = os.getenv("BENCH_ACCOUNT")
wrk.headers["Content-Type"] = "application/json"

local n = 0
request = function()
   n = n + 1
   return wrk.format(nil, nil, nil,
      '{"method":"POST","path":"/v1/customer/' .. ws .. '","body":' ..
      common.track_body(n) .. '}')
end

done = common.done
