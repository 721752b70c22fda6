"""REST API v1 of the courses app (docs/api.md)."""
