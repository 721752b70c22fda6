"""Serializers of the token endpoint and the learner's settings."""

import zoneinfo
from functools import cache

from django.db import models
from rest_framework import serializers

from accounts.models import User
from accounts.services import SETTINGS_FIELDS
from core.api.fields import StrictBooleanField, StrictCharField, StrictChoiceField, StrictEmailField


class TokenRequestSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    password = StrictCharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


@cache
def time_zone_choices() -> list[str]:
    """The IANA names the time-zone validator accepts, so the schema can list them (an enum)."""
    return sorted(zoneinfo.available_timezones())


class SettingsSerializer(serializers.ModelSerializer):
    """The learner's own settings. On PATCH every field is optional; ``accounts.services.update_settings``
    validates and saves (the model's choices and validators)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
    }
    serializer_choice_field = StrictChoiceField
    time_zone = StrictChoiceField(choices=time_zone_choices(), help_text="An IANA time zone name.")

    class Meta:
        model = User
        fields = sorted(SETTINGS_FIELDS)
        extra_kwargs = {"display_name": {"allow_blank": False}}
