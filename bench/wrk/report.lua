-- SPDX-License-Identifier: MIT
-- Shared wrk `done` hook: one JSON line per run for the bench drivers.
local M = {}

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
