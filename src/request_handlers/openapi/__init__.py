"""The OpenAPI 3.1 document of this server: schemas from the models (`schemas`), one description per route and
method (`operations`), put together from the running Application's own route table (`document`)."""
