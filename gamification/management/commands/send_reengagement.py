from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = "E-mail learners inactive for 14 days, once per lapse, if they allow it."
    job = "send_reengagement"
