"""API plumbing shared by every app's ``api`` package (docs/api.md)."""

#: Where the API's URLs start (``config.urls``).
API_PREFIX = "/api/"
