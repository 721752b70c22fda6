"""The Celery task that makes a bubble: a thin wrapper around ``services.generate_bubble``."""

from celery import shared_task

from . import services


@shared_task(name="bubbles.generate", acks_late=True)
def generate(bubble_id: int) -> str | None:
    bubble = services.generate_bubble(bubble_id=bubble_id)
    return None if bubble is None else bubble.status


def enqueue(bubble_id: int) -> None:
    """Queue the generation (run in-process when Celery is eager: SQLite laptops and tests)."""
    generate.delay(bubble_id)
