"""The HTTP API: routers, request/response schemas, authentication and policies.

Handlers stay thin: load, authorize (`accord.api.policies`), call one action or query,
return a schema.
"""
