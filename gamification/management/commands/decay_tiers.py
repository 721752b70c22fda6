from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = "Drop silver and gold lesson tiers one step per full 14 days without a pass."
    job = "decay_tiers"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--workers", type=int, default=1, help="parallel database connections for a large catch-up (default 1)"
        )

    def job_kwargs(self, options) -> dict:
        return {"workers": options["workers"]} if options["workers"] != 1 else {}
