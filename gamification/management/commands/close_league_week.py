from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = "Close every league week that has ended: rank each cohort, move divisions, pay the top three's gems."
    job = "close_league_week"
