"""Storage: the store port, the embedded store, MongoDB through Motor or PyMongo, the DAOs."""

from src.utils.package_parts import load_parts_only

# This layer uses bson's ObjectId and errors only, and bson's own __init__ imports all of BSON (Decimal128 with
# `decimal`, UUIDs, the codecs): only those modules load. MongoDB's drivers, when used, import the rest.
load_parts_only("bson")
