-- SPDX-License-Identifier: MIT
-- Shared parts of the bench wrk scripts (LUA_PATH is set by bench/lib.sh).
local M = {}

-- The Track User body every benchmark sends (bench_client.c sends the same);
-- customer ids cycle over 1000 values so the sim's user table stays small.
function M.track_body(n)
   return '{"type":"customer","customer_id":"bench-' .. (n % 1000) ..
      '","attributes":{"name":"Bench User","plan":"gold","score":42,' ..
      '"city":"Bengaluru"}}'
end

-- Set wrk up to POST to path with these headers (nil values are left out)
-- and return the `request` function: body_fn(n) makes the n-th body.
function M.post(path, headers, body_fn)
   wrk.method = "POST"
   wrk.path = path
   for k, v in pairs(headers) do wrk.headers[k] = v end
   wrk.headers["Content-Type"] = "application/json"
   local n = 0
   return function()
      n = n + 1
      return wrk.format(nil, nil, nil, body_fn(n))
   end
end

-- The headers of a call to `moelink serve` for a linked account:
--   BENCH_AUTH     "Bearer mlk_..." (project API key)
--   BENCH_ACCOUNT  the linked account id
function M.moelink_headers()
   return { ["Authorization"] = os.getenv("BENCH_AUTH"),
            ["x-account-id"] = os.getenv("BENCH_ACCOUNT") }
end

-- wrk's `done` hook: one JSON line per run for the drivers.
function M.done(summary, latency, requests)
   local s = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      '{"requests":%d,"seconds":%.3f,"rps":%.0f,"p50_us":%d,"p99_us":%d,' ..
      '"errors_status":%d,"errors_socket":%d}\n',
      summary.requests, s, summary.requests / s,
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect + e.read + e.write + e.timeout))
end

return M
