-- make soak: a mix of good and bad requests (writes, lists, 404, 405, overflowing and bad-path requests,
-- readiness), counted by status across threads.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  counter = 0
  statuses = {}
  reqs = {
    wrk.format("GET", "/ping"),
    wrk.format("GET", "/tasks?limit=10"),
    wrk.format("POST", "/tasks", {["Content-Type"]="application/json"}, '{"title":"soak"}'),
    wrk.format("GET", "/nope"),
    wrk.format("DELETE", "/ping"),
    wrk.format("POST", "/cors", {["Content-Type"]="application/json"}, '{"a": 1e400}'),
    wrk.format("POST", "/cors", {["Content-Type"]="application/json"}, '{"a": [1, 2, {"b": "c"}]}'),
    wrk.format("GET", "/static/a%00b"),
    wrk.format("GET", "/health"),
  }
end
function request()
  counter = counter + 1
  return reqs[(counter % #reqs) + 1]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %d: %d\n", k, v)) end
  io.write(string.format("socket errors: connect %d read %d write %d timeout %d\n", summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
