"""Strict JSON fields for API input: the type the schema says, and no other.

DRF's own fields are lenient (``"5"`` for an integer, ``0`` or ``"yes"`` for a boolean, ``12`` for a
UUID); the API's schema promises JSON types, so input of another type is a 400. Every app's API
serializers use these.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from core.text import storable

#: DRF's CharField already refuses NUL; a lone surrogate ("\ud800" in JSON) is refused here.
UNSTORABLE = _("Contains a lone surrogate (such as \\ud800), which is not text.")


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": _("A JSON string is required."), "unstorable": UNSTORABLE}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if not storable(data.replace("\x00", "")):
            self.fail("unstorable")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    default_error_messages = {"unstorable": UNSTORABLE}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if not storable(data.replace("\x00", "")):
            self.fail("unstorable")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": _("A JSON integer is required.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryIntegerField(serializers.IntegerField):
    """An integer in a query string: decimal digits only (DRF's own field also takes ``7.0``, ``+7``,
    `` 7 `` or thousands of digits)."""

    default_error_messages = {"invalid": _("A whole number is required (digits only).")}
    MAX_DIGITS = 9

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.isascii() or not data.isdigit() or len(data) > self.MAX_DIGITS:
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryBooleanField(serializers.BooleanField):
    """A boolean in a query string: exactly ``true`` or ``false`` (DRF's own field also takes ``yes``,
    ``on``, ``1``…). Absent: the field's default (DRF reads an absent boolean of a form as false)."""

    default_error_messages = {"invalid": "true or false is required."}
    default_empty_html = empty

    def to_internal_value(self, data):
        if data not in ("true", "false"):
            self.fail("invalid")
        return data == "true"


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "true or false is required."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictChoiceField(serializers.ChoiceField):
    """A choice whose JSON type must match the choices' type (``10``, not ``"10"``)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, type(next(iter(self.choices)))):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID sent as a string (DRF's own field would also take an integer)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)
