"""Writes for accounts: creating learners, their settings, log-in with lockout, export and erasure.

Pages, the API, management commands and admin call these; none of them repeats a rule.
"""

import json
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from auditlog.context import disable_auditlog
from django.contrib.auth import authenticate, password_validation
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import activity, audit
from .models import User

# What ``update_settings`` may change. Anything else (email, role, staff flags, password) has its
# own flow: allauth's e-mail and password pages, or admin.
SETTINGS_FIELDS = frozenset(
    {
        "display_name",
        "time_zone",
        "daily_xp_goal",
        "theme",
        "sound_effects",
        "audio_quality",
        "locale",
        "native_language",
        "notify_streak_reminders",
        "notify_reengagement",
        "streak_reminder_hour",
        "hide_from_leaderboards",
    }
)

# Models that point at the user but hold secrets, not the user's data: never exported.
EXPORT_EXCLUDED_MODELS = frozenset({"authtoken.token", "authtoken.tokenproxy"})
# Profile fields never exported.
PROFILE_EXCLUDED_FIELDS = frozenset({"password"})

DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length


class AuthenticationRefused(Exception):
    """Base class: the credentials did not give a usable log-in. ``str()`` is safe to show."""


class InvalidCredentials(AuthenticationRefused):
    pass


class AccountLockedOut(AuthenticationRefused):
    pass


class EmailNotVerified(AuthenticationRefused):
    pass


def clean_display_name(value: str) -> str:
    """Normalise a display name (NFC, single spaces) and refuse empty or invisible ones."""
    name = " ".join(unicodedata.normalize("NFC", str(value or "")).split())
    if not name:
        raise ValidationError(gettext_lazy("Enter a display name."), code="required")
    if any(unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs", "Cn"} for char in name):
        raise ValidationError(
            gettext_lazy("The display name contains invisible or control characters."), code="invalid"
        )
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            gettext_lazy("The display name is at most %(limit)d characters."),
            params={"limit": DISPLAY_NAME_MAX_LENGTH},
            code="long",
        )
    return name


def _apply_settings(*, user: User, fields: dict) -> list[str]:
    """Validate ``fields`` and set them on ``user`` (not saved). Raises ValidationError per field."""
    unknown = sorted(set(fields) - SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(
            {name: gettext_lazy("This setting does not exist or cannot be changed here.") for name in unknown}
        )
    values = dict(fields)
    if "display_name" in values:
        try:
            values["display_name"] = clean_display_name(values["display_name"])
        except ValidationError as exc:
            raise ValidationError({"display_name": exc.messages}) from exc
    for name, value in values.items():
        setattr(user, name, value)
    # The model fields' own choices and validators: daily goal in {10, 20, 30, 50}, IANA time zone,
    # theme and audio quality choices, lengths. clean_fields also converts "30" to 30 and so on.
    user.clean_fields(exclude=[field.name for field in User._meta.concrete_fields if field.name not in values])
    return list(values)


def normalize_email(email: str) -> str:
    return User.objects.normalize_email((email or "").strip()).lower()


@transaction.atomic
def create_learner(
    *,
    email: str,
    password: str | None,
    display_name: str,
    time_zone: str = "UTC",
    email_verified: bool = False,
    validate_password: bool = True,
    **settings: object,
) -> User:
    """Create a learner with a primary allauth e-mail address (verified or not).

    ``password=None`` creates an account that can only log in through a social provider or after a
    password reset. Raises ValidationError (per field) for a taken address, a weak password or a bad
    setting; nothing is written then.
    """
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists() or EmailAddress.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": gettext_lazy("A user with this e-mail address already exists.")})
    user = User(email=email, role=User.Role.LEARNER)
    _apply_settings(user=user, fields={"display_name": display_name, "time_zone": time_zone, **settings})
    user.clean_fields(exclude=[f.name for f in User._meta.concrete_fields if f.name != "email"])
    if password is None:
        user.set_unusable_password()
    else:
        if validate_password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def update_settings(*, user: User, **fields: object) -> User:
    """Change the learner's own settings (see SETTINGS_FIELDS); validated, one UPDATE of those columns.

    Raises ValidationError with a message per field and writes nothing when any value is bad.
    """
    if not fields:
        return user
    changed = _apply_settings(user=user, fields=fields)
    with disable_auditlog():  # the learner's own change: the activity log's, not the audit trail's
        user.save(update_fields=changed)
    activity.record(user=user, kind=activity.Kind.SETTINGS, now=timezone.now(), payload={"fields": sorted(changed)})
    return user


def authenticate_with_lockout(*, request: HttpRequest, email: str, password: str) -> User:
    """Check e-mail + password the way the log-in page does, including django-axes' lockout.

    For the API token endpoint and anything else that takes a password outside allauth's form;
    ``request`` may be Django's HttpRequest or DRF's Request.
    Every failure counts towards the same lockout as the log-in page (same account + IP key).
    Raises AccountLockedOut (too many failures: the message says how long to wait),
    InvalidCredentials, or EmailNotVerified (only when verification is mandatory).
    """
    # DRF's Request wraps Django's; axes reads POST/META from and flags the Django one.
    request = getattr(request, "_request", request)
    user = authenticate(request=request, email=normalize_email(email), password=password)
    if getattr(request, "axes_locked_out", False):
        from axes.helpers import get_lockout_message

        raise AccountLockedOut(get_lockout_message())
    if user is None:
        raise InvalidCredentials(gettext_lazy("The e-mail address and/or password you specified are not correct."))
    mandatory = allauth_settings.EMAIL_VERIFICATION == allauth_settings.EmailVerificationMethod.MANDATORY
    if mandatory and not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise EmailNotVerified(gettext_lazy("Please confirm your e-mail address first: follow the link we sent you."))
    return user


def clear_lockout(*, email: str) -> int:
    """Forget django-axes' failed attempts for this address (from every IP); returns how many."""
    from axes.utils import reset as reset_lockout

    return reset_lockout(username=normalize_email(email))


# --- Export and erasure (docs/accounts.md) -------------------------------------------------------


def _owned_relations():
    """Every relation from another model to User (FK, one-to-one, many-to-many), found at run time.

    New apps' tables with a ``user`` foreign key are picked up without touching this code.
    """
    for relation in User._meta.related_objects:
        if relation.related_model._meta.label_lower in EXPORT_EXCLUDED_MODELS:
            continue
        yield relation


def _rows(queryset) -> list[dict]:
    """Serialise rows to JSON-ready dicts (Django's JSON serialiser: dates as ISO strings)."""
    return [{"id": row["pk"], **row["fields"]} for row in json.loads(serializers.serialize("json", queryset))]


def export_user_data(*, user: User, now: datetime | None = None) -> dict:
    """Everything Mallard holds about ``user``, as a JSON-ready dict.

    ``profile`` is the user row (no password hash) and group names; ``data`` maps each model that
    points at the user (``"progress.lessonrun"`` …) to its rows, ordered by id.
    """
    now = now or timezone.now()
    # Logged first, so the export holds the trace of itself.
    activity.record(user=user, kind=activity.Kind.DATA_EXPORT, now=now)
    profile = _rows(User.objects.filter(pk=user.pk))[0]
    for name in PROFILE_EXCLUDED_FIELDS:
        profile.pop(name, None)
    profile["groups"] = sorted(user.groups.values_list("name", flat=True))
    profile.pop("user_permissions", None)
    data: dict[str, list[dict]] = {}
    for relation in _owned_relations():
        model = relation.related_model
        queryset = model._base_manager.filter(**{relation.field.name: user}).order_by("pk")
        rows = data.setdefault(model._meta.label_lower, [])
        seen = {row["id"] for row in rows}
        rows.extend(row for row in _rows(queryset) if row["id"] not in seen)
    return {
        "format": "mallard-user-export",
        "version": 1,
        "exported_at": now.isoformat(),
        "profile": profile,
        "data": dict(sorted(data.items())),
    }


@transaction.atomic
def erase_user(*, user: User) -> dict[str, int]:
    """Hard-delete the user and everything that cascades from them; returns rows deleted per model.

    Also removes django-axes' log-in records for the address (they hold it as text, not as a key)
    and, after commit, the avatar file.
    Rows of other models that merely mention the user with ``SET_NULL`` keep existing, anonymised.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    email = user.email
    user_id = user.pk
    avatar, storage = (user.avatar.name, user.avatar.storage) if user.avatar else ("", None)
    # The audit trail keeps its entries (who changed what stays provable) without the person's data;
    # first, while the entries they made still point at them.
    audit.anonymise_trail(user_id=user_id, content_type_id=ContentType.objects.get_for_model(User).pk)
    with audit.disable_auditlog():  # the erasure's own entry, below, says more than a bare "deleted"
        _total, per_model = user.delete()
    if avatar:
        # The file goes only once the rows are gone for good.
        transaction.on_commit(lambda: storage.delete(avatar))
    counts = Counter({label: n for label, n in per_model.items() if n})
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted, _ = model.objects.filter(username__iexact=email).delete()
        if deleted:
            counts[model._meta.label] += deleted
    user.pk = user_id  # delete() cleared it; the entry names the erased row by id only
    audit.log_event(
        obj=user,
        action=audit.Action.DELETE,
        object_repr=f"erased user #{user_id}",
        data={"erase_user": dict(sorted(counts.items())), **audit.subject_data(user_id)},
    )
    return dict(sorted(counts.items()))


# --- Demo accounts (make run) -----------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    created: bool
    is_superuser: bool
    locale: str = "en"


DEMO_LEARNER_EMAIL = "learner@mallard.local"
#: A second demo learner whose interface is in Spanish, for the English course taught in Spanish.
DEMO_SPANISH_LEARNER_EMAIL = "aprendiz@mallard.local"
DEMO_ADMIN_EMAIL = "admin@mallard.local"


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def ensure_demo_account(
    *, email: str, password: str, display_name: str, superuser: bool, locale: str = "en"
) -> DemoAccount:
    """Create the account (interface in ``locale``) or reset its password; verified primary e-mail; lockout
    cleared. Idempotent."""
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email).select_for_update().first()
    created = user is None
    if created:
        user = User(email=email, display_name=display_name, locale=locale)
    user.is_active = True
    if superuser:
        user.is_staff = user.is_superuser = True
        user.role = User.Role.ADMIN
    user.set_password(password)
    user.save()
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    elif not (address.primary and address.verified):
        address.primary = address.verified = True
        address.save(update_fields=["primary", "verified"])
    clear_lockout(email=email)
    return DemoAccount(email=email, password=password, created=created, is_superuser=superuser, locale=user.locale)


def bootstrap_demo_accounts(*, password: str | None = None) -> list[DemoAccount]:
    """The demo learners (interface in English, and in Spanish) and the admin of ``make run``; each gets
    ``password`` or a fresh random one."""
    return [
        ensure_demo_account(
            email=DEMO_LEARNER_EMAIL,
            password=password or generate_password(),
            display_name="Demo Learner",
            superuser=False,
        ),
        ensure_demo_account(
            email=DEMO_SPANISH_LEARNER_EMAIL,
            password=password or generate_password(),
            display_name="Aprendiz",
            superuser=False,
            locale="es",
        ),
        ensure_demo_account(
            email=DEMO_ADMIN_EMAIL,
            password=password or generate_password(),
            display_name="Mallard Admin",
            superuser=True,
        ),
    ]
