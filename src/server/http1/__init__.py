"""The default HTTP/1.1 transport, on httptools (llhttp, the parser uvicorn uses): `--http_parser httptools`.

It serves the unchanged Tornado `Application` through Tornado's own interfaces: `ManagedHTTPServer` stays the
`HTTPServerConnectionDelegate` (its connection limit, busy/idle bookkeeping and drain apply unchanged), each
request gets an `HTTPConnection` (`request_connection`), and the handlers cannot tell the difference. Accepting
is the project's `AcceptLoop` (`listener`); reading and writing are asyncio's (or uvloop's) transports
(`protocol`); parsing is llhttp (`request_reader`). With `--http_parser tornado` nothing here is imported.

Not provided, as with the project's Tornado set-up: gzip-compressed request bodies (`decompress_request`),
`detach()` (websockets), 1xx answers other than `100 (Continue)`. Stricter than Tornado: a method llhttp does
not know (`BREW`) reaches the Application (a 405) when its request starts a read, but pipelined behind another
request in the same read it is a 400, `Content-Length: 2, 2` is a 400, and input llhttp refuses is answered with the
project's JSON 400 (431 for a head over `max_header_size`, 413 for a body over the limit) where Tornado answers a
bare 400 or closes without a word.
"""
