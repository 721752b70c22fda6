"""Course files: a whole course as one YAML file (docs/course-format.md).

- ``parse_course_file(source)`` reads and validates a file, keeping line numbers for errors;
- ``import_course(source=..., dry_run=...)`` writes it to the database, all-or-nothing;
- ``export_course(course=...)`` writes a course back out in the canonical layout.
"""

from .errors import CourseFileError, Problem
from .exporter import export_course, record_export
from .importer import ImportReport, import_course
from .parse import parse_course_file

__all__ = [
    "CourseFileError",
    "ImportReport",
    "Problem",
    "export_course",
    "import_course",
    "parse_course_file",
    "record_export",
]
