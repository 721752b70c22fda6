import json
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from progress.memory.report import compare, median_time
from progress.memory.reviewlog import ReviewLogError, read_review_log

ORDER = ("fsrs_default", "fsrs_fitted", "fsrs_adopted", "sm2", "constant")


def _figure(value) -> str:
    return "—" if value is None else f"{value:.4f}"


class Command(BaseCommand):
    help = (
        "Replay a review log (CSV: card_id, review_time, review_rating) and score each scheduler's "
        "recall predictions: log loss, RMSE over probability bins, AUC (docs/learning.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--review-log", required=True, metavar="FILE.csv")
        parser.add_argument(
            "--train-until",
            metavar="ISO-DATETIME",
            help="fit on reviews before this time, score fitted parameters after it (default: the median review time)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            with open(options["review_log"], encoding="utf-8", newline="") as handle:
                reviews = read_review_log(handle)
        except OSError as exc:
            raise CommandError(f"--review-log: {exc.strerror}: {options['review_log']}") from exc
        except ReviewLogError as exc:
            raise CommandError(f"--review-log: {exc}") from exc
        if options["train_until"]:
            try:
                train_until = datetime.fromisoformat(options["train_until"])
            except ValueError:
                raise CommandError(f"--train-until: {options['train_until']!r} is not an ISO date-time") from None
            if train_until.tzinfo is None:
                train_until = train_until.replace(tzinfo=UTC)
        else:
            train_until = median_time(reviews)
        result = compare(reviews, train_until=train_until)
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{result['reviews']} reviews; {result['reviews_scored']} scored (≥ 1 day after the card's previous "
            f"review), {result['held_out_reviews_scored']} of them at or after {result['train_until']}"
        )
        self.stdout.write(f"{'scheduler':<14}{'scored':>8}{'log loss':>10}{'RMSE':>8}{'AUC':>8}   held out: log loss")
        for name in ORDER:
            row = result["schedulers"][name]
            self.stdout.write(
                f"{name:<14}{row['reviews_scored']:>8}{_figure(row['log_loss']):>10}{_figure(row['rmse_bins']):>8}"
                f"{_figure(row['auc']):>8}   {_figure(row['held_out']['log_loss'])}"
            )
        adopted = result["schedulers"]["fsrs_adopted"]
        self.stdout.write(
            f"fit: {result['schedulers']['fsrs_fitted']['fit_seconds']} s; adopted: "
            f"{'fitted parameters' if adopted['adopted_fit'] else 'defaults'}"
            + (f" ({adopted['reason']})" if adopted["reason"] else "")
        )
