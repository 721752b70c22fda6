"""API plumbing shared by every app's ``api`` package (docs/api.md)."""
