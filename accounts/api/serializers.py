"""Serializers of the token endpoint and the learner's settings."""

from rest_framework import serializers

from accounts.models import User
from accounts.services import SETTINGS_FIELDS


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class SettingsSerializer(serializers.ModelSerializer):
    """The learner's own settings. On PATCH every field is optional; ``accounts.services.update_settings``
    validates and saves (the model's choices and validators)."""

    class Meta:
        model = User
        fields = sorted(SETTINGS_FIELDS)
        extra_kwargs = {"display_name": {"allow_blank": False}}
