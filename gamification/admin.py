"""Admin of the gamification app."""

from . import (
    admin_achievements,  # noqa: F401 — achievements and their levels
    admin_jobs,  # noqa: F401 — JobRun and the daily metrics (read-only)
    admin_wallets,  # noqa: F401 — wallets (read-only) and "Adjust balance"
)
