-- make bench: PUT /tasks/{id} (a full replace, no If-Match) for ids drawn at random from a file of seeded ids.
-- Usage: wrk ... -s put_task.lua http://host:port -- /path/to/ids.txt
local ids = {}
local body = '{"title":"bench task","description":"replaced by make bench","priority":"high"}'

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      ids[#ids + 1] = line
    end
  end
  math.randomseed(os.time() + #ids)
end

function request()
  return wrk.format("PUT", "/tasks/" .. ids[math.random(#ids)], {["Content-Type"] = "application/json"}, body)
end
