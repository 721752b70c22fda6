"""Problem reports: a learner reports a problem from the feedback of one of their answers; authors
accept the answer (it becomes an accepted solution), reject or resolve (docs/authoring.md, "Problem
reports").

Rules held here:

- one report per learner per attempt (``report_one_per_attempt``); a second report of the same attempt
  — a double click, a retry, two tabs — returns the first one and writes nothing;
- only the learner's own attempts (anyone else's → NotFound, a 404);
- at most ``MALLARD_REPORTS_PER_HOUR`` reports per learner in any hour (TooManyReports, a 429);
- "My answer should be accepted" attaches the attempt's own answer (typed text or transcript),
  never text the learner types into the report;
- accepting adds the answer through ``courses.services.add_accepted_answer`` (the exercise form's
  validation) and resolves every open report of the exercise with the same normalised answer.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy, ngettext

from accounts import activity as activity_log
from accounts.models import User
from core.errors import NotFound
from core.text import storable
from courses.answers import normalized_answer
from courses.exercise_types import answer_language_code, get_type
from courses.services import TYPED_SOLUTION_TYPES, add_accepted_answer

from ..errors import InvalidReport, TooManyReports
from ..models import ExerciseAttempt, ProblemReport

logger = logging.getLogger(__name__)

#: The longest "Something else" text (the column's length).
MESSAGE_MAX_LENGTH = ProblemReport._meta.get_field("message").max_length or 280
#: The longest answer that can be reported as "should be accepted" (the normalised column's length).
ANSWER_MAX_LENGTH = ProblemReport._meta.get_field("normalized_answer").max_length or 500
#: The window of the rate limit.
RATE_WINDOW = timedelta(hours=1)


def answer_text(answer: Any) -> str:
    """The learner's answer as text: a typed answer, or a spoken transcript; "" for a choice or pairs."""
    if isinstance(answer, str):
        return answer
    if isinstance(answer, dict) and isinstance(answer.get("transcript"), str):
        return answer["transcript"]
    return ""


def _clean_message(message: Any, *, kind: str) -> str:
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise InvalidReport(gettext_lazy("The message must be text."), field="message")
    text = " ".join(message.split())
    if not storable(text):
        raise InvalidReport(gettext_lazy("The message contains characters that cannot be stored."), field="message")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise InvalidReport(
            gettext_lazy("Keep the message to %(limit)s characters or fewer.") % {"limit": MESSAGE_MAX_LENGTH},
            field="message",
        )
    if kind == ProblemReport.Kind.OTHER and not text:
        raise InvalidReport(gettext_lazy("Tell us briefly what is wrong."), field="message")
    return text


def _answer_fields(attempt: ExerciseAttempt) -> tuple[str, str]:
    """(answer text, normalised answer) of an attempt reported as "should be accepted"."""
    if attempt.correct:
        raise InvalidReport(gettext_lazy("Your answer was accepted already."), field="kind")
    text = answer_text(attempt.answer).strip()
    if not text or attempt.exercise.type not in TYPED_SOLUTION_TYPES:
        raise InvalidReport(
            gettext_lazy(
                "This answer was not typed, so it cannot be added as an accepted answer; choose "
                "“Something else” and tell us what is wrong."
            ),
            field="kind",
        )
    exercise_type = get_type(attempt.exercise.type)
    language = answer_language_code(exercise_type, attempt.exercise.payload, attempt.run.course)
    normalized = normalized_answer(text, language)
    if len(normalized) > ANSWER_MAX_LENGTH:
        raise InvalidReport(gettext_lazy("This answer is too long to be added as an accepted answer."), field="kind")
    return text, normalized


def report_problem(
    *, user: User, attempt_id: Any, kind: Any, message: Any = "", now: datetime
) -> tuple[ProblemReport, bool]:
    """Report a problem with the exercise of one of the learner's attempts. Returns (report, created).

    Locks the learner's user row (``select_for_update(no_key=True)``), so one learner's reports are
    serialised: the rate limit is exact and a repeated report of an attempt finds the first one.
    Errors, with nothing written: NotFound (unknown or someone else's attempt), InvalidReport (field
    ``kind`` or ``message``), TooManyReports.
    """
    if kind not in ProblemReport.Kind.values:
        choices = ", ".join(ProblemReport.Kind.values)
        raise InvalidReport(gettext_lazy("Choose what is wrong: one of %(kinds)s.") % {"kinds": choices}, field="kind")
    text = _clean_message(message, kind=kind)
    if isinstance(attempt_id, bool) or not isinstance(attempt_id, int | str):
        raise NotFound(gettext_lazy("No such answer."))
    try:
        attempt_pk = int(attempt_id)
    except ValueError:
        raise NotFound(gettext_lazy("No such answer.")) from None
    try:
        with transaction.atomic():
            return _report(user=user, attempt_pk=attempt_pk, kind=kind, message=text, now=now)
    except IntegrityError:
        # Backstop only (the user-row lock serialises a learner's reports): the attempt's report exists.
        existing = ProblemReport.objects.filter(attempt_id=attempt_pk, user=user).first()
        if existing is None:
            raise
        return existing, False


def _report(*, user: User, attempt_pk: int, kind: str, message: str, now: datetime) -> tuple[ProblemReport, bool]:
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True).first()
    attempt = (
        ExerciseAttempt.objects.select_related("exercise", "run__course__from_language", "run__course__to_language")
        .filter(pk=attempt_pk, user=user)
        .first()
    )
    if attempt is None:
        raise NotFound(gettext_lazy("No such answer."))
    existing = ProblemReport.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing, False
    recent = ProblemReport.objects.filter(user=user, created_at__gt=now - RATE_WINDOW).count()
    if recent >= settings.MALLARD_REPORTS_PER_HOUR:
        raise TooManyReports(
            ngettext(
                "You can send %(count)s report an hour. Thank you for them! Please try again later.",
                "You can send %(count)s reports an hour. Thank you for them! Please try again later.",
                settings.MALLARD_REPORTS_PER_HOUR,
            )
            % {"count": settings.MALLARD_REPORTS_PER_HOUR}
        )
    answer, normalized = _answer_fields(attempt) if kind == ProblemReport.Kind.ANSWER else ("", "")
    report = ProblemReport.objects.create(
        user=user,
        attempt=attempt,
        exercise=attempt.exercise,
        course_id=attempt.run.course_id,
        kind=kind,
        answer_text=answer,
        normalized_answer=normalized,
        message=message,
        created_at=now,
    )
    activity_log.record(
        user=user,
        kind=activity_log.Kind.REPORT,
        now=now,
        payload={"report": report.pk, "attempt": attempt.pk, "report_kind": kind},
    )
    return report, True


# --- The authors' side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    exercise_id: int
    answer: str
    added: bool  # False when the answer was already an accepted solution
    resolved: int  # reports resolved, this one included


def _group(report: ProblemReport):
    """The open reports of the same exercise, kind and normalised answer as ``report``."""
    return ProblemReport.objects.filter(
        exercise_id=report.exercise_id,
        kind=report.kind,
        normalized_answer=report.normalized_answer,
        status=ProblemReport.Status.OPEN,
    )


def accept_answer(*, report_id: int, by: User, now: datetime) -> Accepted:
    """Add a reported answer to the exercise's accepted solutions and mark every open report of the
    exercise with the same normalised answer accepted, by ``by`` at ``now``.

    One transaction: the payload goes through ``courses.services.add_accepted_answer`` (locks the
    exercise; a ValidationError there — e.g. a word-bank sentence that needs a tile the exercise lacks
    — writes nothing). The reporters are told by e-mail after commit when
    ``MALLARD_REPORT_ACCEPTED_EMAIL`` is on; a mail server that is down is logged, never an error.
    """
    with transaction.atomic():
        report = ProblemReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFound(gettext_lazy("No such report."))
        if report.kind != ProblemReport.Kind.ANSWER:
            raise InvalidReport(gettext_lazy("Only a reported answer can be accepted; reject or resolve this report."))
        _, added = add_accepted_answer(exercise_id=report.exercise_id, answer=report.answer_text)
        group = list(_group(report).select_related("user", "exercise", "course").order_by("id"))
        ids = [r.pk for r in group]
        ProblemReport.objects.filter(pk__in=ids).update(
            status=ProblemReport.Status.ACCEPTED, resolved_at=now, resolved_by=by
        )
        if settings.MALLARD_REPORT_ACCEPTED_EMAIL and group:
            transaction.on_commit(lambda: notify_accepted(reports=group))
    return Accepted(exercise_id=report.exercise_id, answer=report.answer_text, added=added, resolved=len(ids))


def settle_reports(*, report_id: int, status: str, by: User, now: datetime) -> int:
    """Reject or resolve a report and every open report of its group (same exercise, kind and
    normalised answer). Returns how many changed."""
    if status not in (ProblemReport.Status.REJECTED, ProblemReport.Status.RESOLVED):
        raise InvalidReport(gettext_lazy("A report is settled as rejected or resolved."), field="status")
    with transaction.atomic():
        report = ProblemReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFound(gettext_lazy("No such report."))
        return _group(report).update(status=status, resolved_at=now, resolved_by=by)


def notify_accepted(*, reports: list[ProblemReport]) -> int:
    """E-mail each active reporter that their answer is accepted now; returns how many were sent.

    A message that cannot be sent (mail server down, refused) is logged and skipped: the answer
    stays accepted."""
    sent = 0
    for report in reports:
        learner = report.user
        if not learner.is_active or not learner.email:
            continue
        body = (
            f"Hello {learner.name},\n\n"
            f"You told us that your answer “{report.answer_text}” to “{report.exercise.prompt or 'an exercise'}” "
            f"in {report.course.title} should be accepted. You were right: an author has added it, so it "
            "counts as correct from now on.\n\nThank you for helping to make the course better.\n\n— Mallard\n"
        )
        message = EmailMessage("Your answer is accepted now", body, settings.DEFAULT_FROM_EMAIL, [learner.email])
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("could not tell %s their answer is accepted: %s: %s", learner.pk, type(exc).__name__, exc)
            continue
        sent += 1
    return sent
