from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = "Check that every wallet's XP and gems equal the sum of its ledger; exit 1 on a difference."
    job = "check_ledger"
