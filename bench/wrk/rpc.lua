-- SPDX-License-Identifier: MIT
-- wrk script: the Track User action through `moelink serve`:
--   POST /actions/rpc, x-account-id, {"action":..., "body":{...}}
-- (StackOne's RPC shape {action, query, body, path}). Environment:
-- BENCH_AUTH and BENCH_ACCOUNT (common.moelink_headers).
local common = require("common")

request = common.post("/actions/rpc", common.moelink_headers(),
   function(n)
      return '{"action":"moengage_track_user","body":' ..
         common.track_body(n) .. '}'
   end)

done = common.done
