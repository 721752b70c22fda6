from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = "Drop silver and gold lesson tiers one step per full 14 days without a pass."
    job = "decay_tiers"
