from django.db.models import QuerySet

from .models import Course


def published_courses() -> QuerySet[Course]:
    """Courses a learner may see, with their languages, for the catalog."""
    return Course.objects.published().select_related("from_language", "to_language").order_by("title")
