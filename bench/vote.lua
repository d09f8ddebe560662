-- wrk script: PUT answers with a pool of participant tokens, round robin.
-- wrk -s bench/vote.lua URL -- TOKENS_FILE CODE
local tokens = {}
local code = ""
local counter = 0
local values = { "a", "b", "c" }

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  code = args[2]
  counter = math.random(#tokens)
end

function request()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  local body = '{"value":"' .. values[(counter % 3) + 1] .. '"}'
  return wrk.format("PUT", "/api/v1/sessions/" .. code .. "/slides/s4/response", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    "BENCH {\"requests\": %d, \"seconds\": %f, \"non2xx\": %d, \"socket_errors\": %d, " ..
    "\"p50_ms\": %f, \"p99_ms\": %f}\n",
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
