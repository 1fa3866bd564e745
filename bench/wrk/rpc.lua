-- SPDX-License-Identifier: MIT
-- wrk script: the Track User action through `moelink serve`:
--   POST /actions/rpc, x-account-id, {"action":..., "body":{...}}
-- (StackOne's RPC shape {action, query, body, path}).
--   BENCH_AUTH     "Bearer mlk_..." (project API key)
--   BENCH_ACCOUNT  the linked account id
local common = require("common")

wrk.method = "POST"
wrk.path = "/actions/rpc"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.headers["x-account-id"] = os.getenv("BENCH_ACCOUNT")
wrk.headers["Content-Type"] = "application/json"

local n = 0
request = function()
   n = n + 1
   return wrk.format(nil, nil, nil,
      '{"action":"moengage_track_user","body":' .. common.track_body(n) ..
      '}')
end

done = common.done
