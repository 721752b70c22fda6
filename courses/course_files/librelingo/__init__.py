"""Import a LibreLingo course directory as an ordinary Mallard course (docs/course-format.md,
"Importing a LibreLingo course").

``import_librelingo`` reads and checks the directory (``reader``), generates Mallard's course-file
document from it (``generate``) and hands that to the course-file validator and importer, so the
result is what ``import_course`` would make of the same document: one transaction, idempotent by
slug, nothing written on any error, and ``export_course`` writes it back out. Every problem names
the LibreLingo file, line and field it comes from.
"""

import re
from pathlib import Path

from courses.models import Course
from courses.slugs import SLUG_RE
from media_assets.models import Asset

from ..errors import CourseFileError, Problem, Problems, TooManyProblems
from ..importer import ImportReport, import_parsed
from ..spec import CourseFile
from ..validate import validate
from .generate import Generated, generate
from .reader import LLCourse, Origin, read_course

__all__ = ["convert", "import_librelingo", "read_course"]

_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
SLUG_MAX = Course._meta.get_field("slug").max_length


def default_slug(course: LLCourse) -> str:
    """The target language's tag as a slug (``es``, ``zh-hans``), Mallard's usual course slug."""
    return _SLUG_CHARS.sub("-", course.target.code.lower()).strip("-")[:SLUG_MAX].strip("-")


def image_assets(course: LLCourse) -> dict[str, int]:
    """LibreLingo image names (``dog1``) that name an image in Mallard's media library (an image
    asset whose title is that name) → the asset's id. One query."""
    names = {name for module in course.modules for skill in module.skills for w in skill.words for name in w.images}
    if not names:
        return {}
    found: dict[str, int] = {}
    for title, pk in (
        Asset.objects.filter(kind=Asset.Kind.IMAGE, title__in=names).order_by("pk").values_list("title", "pk")
    ):
        found.setdefault(title, pk)
    return found


def _problem(origin: Origin, message: str) -> CourseFileError:
    return CourseFileError([Problem(origin.file, origin.line, origin.path, message)])


def check_target(course: LLCourse, *, slug: str, replace: bool) -> None:
    """Refuse to overwrite a course that did not come from this LibreLingo course, and explain the one
    course per language pair that Mallard keeps."""
    pair = (
        Course.objects.filter(from_language__code=course.source.code, to_language__code=course.target.code)
        .exclude(slug=slug)
        .values_list("slug", flat=True)
        .first()
    )
    if pair is not None:
        raise _problem(
            course.target.origin,
            f"Mallard already has a course of {course.target.name} for {course.source.name} speakers, {pair!r}, "
            f"and keeps one course per language pair: pass --slug {pair} --replace to replace it with this one",
        )
    existing = Course.objects.filter(slug=slug).values_list("source_repository", flat=True).first()
    if existing is not None and existing != course.repository and not replace:
        was = f"from {existing}" if existing else "not imported from LibreLingo"
        raise _problem(
            course.origins["Repository"],
            f"course {slug!r} already exists and is {was}: pass --replace to replace its content with this "
            "course (lessons it no longer has are deleted with their learners' progress), or choose --slug",
        )


def convert(course: LLCourse, *, slug: str, images: dict[str, int], publish: bool) -> tuple[CourseFile, Generated]:
    """The generated document, validated as a course file. Problems point into the LibreLingo files."""
    generated = generate(course, slug=slug, images=images, publish=publish)
    label = f"{course.directory} (generated)"
    problems = Problems(label)
    try:
        parsed = validate(generated.document, filename=label, problems=problems)
    except TooManyProblems:  # pragma: no cover - validate stops itself
        parsed = None
    if problems or parsed is None:
        raise _remap(problems.error(), generated, course)
    return parsed, generated


def _remap(error: CourseFileError, generated: Generated, course: LLCourse) -> CourseFileError:
    """Point problems of the generated document at the LibreLingo file, line and field they come from."""
    items = []
    for p in error.problems:
        origin = generated.origin_of(p.path) or course.origin
        items.append(Problem(origin.file, origin.line, origin.path, f"{p.message} (generated {p.path})"))
    return CourseFileError(items)


def import_librelingo(
    *,
    directory: str | Path,
    slug: str | None = None,
    publish: bool = False,
    replace: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import (or update, by slug) the LibreLingo course in ``directory``. Raises ``CourseFileError``
    with every problem, each ``FILE:LINE: FIELD: MESSAGE``; then nothing has been written.
    ``publish`` publishes the course; a course already published stays published."""
    course = read_course(directory)
    slug = slug or default_slug(course)
    if not slug or not SLUG_RE.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise _problem(
            course.target.origin,
            f"{slug!r} cannot be a course slug (lower-case letters, digits, hyphens, at most {SLUG_MAX}): pass --slug",
        )
    check_target(course, slug=slug, replace=replace)
    # a re-import keeps a published course published (LibreLingo has no such flag to change it)
    publish = publish or Course.objects.filter(slug=slug, is_published=True).exists()
    parsed, generated = convert(course, slug=slug, images=image_assets(course), publish=publish)
    parsed.filename = str(directory)
    try:
        return import_parsed(parsed=parsed, dry_run=dry_run)
    except CourseFileError as exc:
        raise _remap(exc, generated, course) from exc
