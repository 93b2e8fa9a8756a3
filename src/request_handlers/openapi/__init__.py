"""The OpenAPI 3.1 document of this server: schemas from the models (`schemas`), the helpers a feature describes
its routes with (`describe`, gathered from `Feature.openapi`), put together from the running Application's own route
table (`document`)."""
