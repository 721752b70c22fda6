"""The bottom layer: what every app shares and nothing app-specific.

``core.errors`` is the base of every service error; ``core.api`` the plumbing of the JSON API
(error shape and handler, strict JSON fields, pagination, path and query parameters). ``core``
imports no app of this project (docs/architecture.md).
"""
