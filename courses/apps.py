from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import structure

        # Cached course structures go stale on every write of content (courses/structure.py).
        structure.connect_signals(self)

        # The audit trail (docs/operations.md): every change of content made with save()/delete() by
        # staff in admin, by a command or by a job records old and new values. A course import writes
        # one summary entry instead (its rows are written in bulk).
        for name in (
            "Language",
            "Course",
            "Section",
            "Unit",
            "Lesson",
            "LessonPrerequisite",
            "Token",
            "LessonExercise",
        ):
            auditlog.register(self.get_model(name))
        auditlog.register(self.get_model("Exercise"), m2m_fields={"tokens"})
