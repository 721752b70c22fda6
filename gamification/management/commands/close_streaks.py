from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = "Break the streaks of learners whose local day just ended without XP (or spend a freeze)."
    job = "close_streaks"
