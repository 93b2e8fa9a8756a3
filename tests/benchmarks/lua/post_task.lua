-- make bench: POST /tasks with one small valid task per request (a static body: no Lua work per request).
wrk.method = "POST"
wrk.body = '{"title":"bench task","description":"created by make bench","priority":"normal"}'
wrk.headers["Content-Type"] = "application/json"
