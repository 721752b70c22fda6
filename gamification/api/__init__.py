"""REST API v1 of the gamification app (docs/api.md)."""
