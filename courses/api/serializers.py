"""Serializers of the course catalog (read-only)."""

from rest_framework import serializers

from courses.models import Course, Language


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["code", "name", "native_name"]


class CourseSerializer(serializers.ModelSerializer):
    from_language = LanguageSerializer(read_only=True)
    to_language = LanguageSerializer(read_only=True)

    class Meta:
        model = Course
        fields = ["slug", "title", "description", "from_language", "to_language"]
