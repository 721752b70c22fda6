"""Admin of the gamification app."""

from . import admin_jobs  # noqa: F401 — JobRun and the daily metrics (read-only)
