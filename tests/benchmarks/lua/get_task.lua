-- make bench: GET /tasks/{id} for ids drawn at random from a file of seeded ids (one per line).
-- Usage: wrk ... -s get_task.lua http://host:port -- /path/to/ids.txt
local ids = {}

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      ids[#ids + 1] = line
    end
  end
  math.randomseed(os.time() + #ids)
end

function request()
  return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)])
end
