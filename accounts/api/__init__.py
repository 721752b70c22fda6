"""REST API v1 of the accounts app (docs/api.md)."""
