-- make bench: GET /tasks/{id}, or with PUT as the second argument a full replace (no If-Match), for ids drawn at
-- random from a file of seeded ids (one per line).
-- Usage: wrk ... -s task_by_id.lua http://host:port -- /path/to/ids.txt [PUT]
local ids = {}
local method = "GET"
local headers = nil
local body = nil

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      ids[#ids + 1] = line
    end
  end
  if args[2] == "PUT" then
    method = "PUT"
    headers = {["Content-Type"] = "application/json"}
    body = '{"title":"bench task","description":"replaced by make bench","priority":"high"}'
  end
  math.randomseed(os.time() + #ids)
end

function request()
  return wrk.format(method, "/tasks/" .. ids[math.random(#ids)], headers, body)
end
