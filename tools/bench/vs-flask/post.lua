-- wrk: POST one fixed body (BENCH_BODY, a file) with optional extra headers
-- (BENCH_HEADERS, a file of "Name: value" lines), and print the summary as one JSON line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local body_file = assert(io.open(assert(os.getenv("BENCH_BODY"), "BENCH_BODY is not set"), "rb"))
wrk.body = body_file:read("*a")
body_file:close()

local headers_path = os.getenv("BENCH_HEADERS")
if headers_path and headers_path ~= "" then
  for line in io.lines(headers_path) do
    local name, value = line:match("^([^:]+):%s*(.-)%s*$")
    if name then wrk.headers[name] = value end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
