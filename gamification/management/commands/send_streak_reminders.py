from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = "E-mail one streak reminder per learner-day to learners who opted in and have not practised by their hour."
    job = "send_streak_reminders"
