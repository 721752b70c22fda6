"""allauth adapters: how a sign-up (by e-mail or through Google/TikTok) becomes a Mallard user."""

import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy

from .locale import supported_language
from .services import clean_display_name, clear_lockout

PROFILE_FIELDS_ON_SIGNUP = ("display_name", "time_zone")

logger = logging.getLogger(__name__)

MAIL_NOT_SENT = gettext_lazy(
    "We could not send the e-mail to {email} just now. Nothing is lost: try again in a few minutes "
    "(log in, or ask for the e-mail again, and it is sent anew)."
)


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Also store the sign-up form's display name and time zone, in the same INSERT."""
        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {}) if form is not None else {}
        for field in PROFILE_FIELDS_ON_SIGNUP:
            if data.get(field):
                setattr(user, field, data[field])
        # The interface language the visitor signed up in (Accept-Language or the switcher) stays theirs.
        language = supported_language(translation.get_language())
        if language:
            user.locale = language
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send one of allauth's e-mails (verification, password reset …); a mail server that is down
        or refuses is logged and told to the learner, never a 500 after the account was saved."""
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("could not send %s to %s: %s: %s", template_prefix, email, type(exc).__name__, exc)
            request = getattr(allauth_context, "request", None)
            if request is not None and hasattr(request, "_messages"):
                messages.error(request, MAIL_NOT_SENT.format(email=email))

    def set_password(self, user, password) -> None:
        """Password reset (proof of the mailbox) or change: also lift a lockout of the account."""
        super().set_password(user, password)
        clear_lockout(email=user.email)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """Use the provider's name as the display name (the model has no first/last name).

        TikTok gives no e-mail address: ``user.email`` stays empty, and because
        ``SOCIALACCOUNT_EMAIL_REQUIRED`` is on, allauth's auto sign-up stops and shows the social
        sign-up form, which asks for one (and, in production, sends it a verification e-mail).
        """
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        name = name or data.get("username") or ""
        if name and not user.display_name:
            try:
                user.display_name = clean_display_name(name)
            except ValidationError:  # a strange provider name is not worth failing a log-in for
                user.display_name = ""
        return user

    def get_signup_form_initial_data(self, sociallogin):
        """Prefill the social sign-up form's display name with the provider's name."""
        initial = super().get_signup_form_initial_data(sociallogin)
        initial["display_name"] = sociallogin.user.display_name or ""
        return initial
