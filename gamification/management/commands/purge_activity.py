from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = "Delete attempt and hearts-log detail older than MALLARD_ACTIVITY_RETENTION_DAYS, keeping the rollups."
    job = "purge_activity"
