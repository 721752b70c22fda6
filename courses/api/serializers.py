"""Serializers of the course catalog (read-only)."""

from rest_framework import serializers

from courses.models import Course, Language
from courses.special_characters import keys_for


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["code", "name", "native_name"]


class LicenseSerializer(serializers.Serializer):
    """The content licence; every field is "" for a course that records none (Mallard's own content)."""

    name = serializers.CharField(source="license_name", read_only=True, help_text="e.g. Attribution-ShareAlike 4.0")
    short_name = serializers.CharField(source="license_short_name", read_only=True, help_text="e.g. CC BY-SA 4.0")
    url = serializers.CharField(source="license_url", read_only=True, help_text="Link to the licence's text")


class CourseSerializer(serializers.ModelSerializer):
    from_language = LanguageSerializer(read_only=True)
    to_language = LanguageSerializer(read_only=True)
    license = LicenseSerializer(source="*", read_only=True, help_text="The licence of the course's content")
    source_repository = serializers.CharField(
        read_only=True, help_text='Where the content comes from, to credit with the licence; "" if none'
    )
    special_characters = serializers.SerializerMethodField(
        help_text="Keys to offer under typed answers: the course's own, else its target language's defaults"
    )

    class Meta:
        model = Course
        fields = [
            "slug",
            "title",
            "description",
            "from_language",
            "to_language",
            "license",
            "source_repository",
            "special_characters",
        ]

    def get_special_characters(self, course: Course) -> list[str]:
        return keys_for(course)
