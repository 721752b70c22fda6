"""REST API v1 of the progress app (docs/api.md)."""
