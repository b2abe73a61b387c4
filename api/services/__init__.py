"""The service's operations as plain functions: the request lifecycle, solves, publication. They take the
database and the caller's identity, raise `api.errors`, and know nothing of HTTP."""
