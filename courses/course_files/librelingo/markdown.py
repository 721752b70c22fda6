"""Markdown → the plain text of a lesson's tips (``Lesson.notes`` is plain text, shown as written).

Keeps the words and the line structure; drops the markup: headings lose their ``#``, emphasis and
inline code their marks, a link becomes ``text (url)``, an image its alt text, list bullets become
``•``, HTML tags are removed. Fenced code keeps its lines as they are.
"""

import re

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")


def _link(match: re.Match) -> str:
    text, url = match.group(1), match.group(2)
    return url if text.strip() == url else f"{text} ({url})"


def _inline(line: str) -> str:
    line = _IMAGE.sub(lambda m: m.group(1), line)
    line = _LINK.sub(_link, line)
    line = _AUTOLINK.sub(lambda m: m.group(1), line)
    line = _TAG.sub("", line)
    line = _CODE.sub(lambda m: m.group(1), line)
    line = _STRONG.sub(lambda m: m.group(2), line)
    return _EMPHASIS.sub(lambda m: m.group(2), line)


def to_plain_text(markdown: str) -> str:
    out: list[str] = []
    fenced = False
    for raw in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            out.append(raw.rstrip())
            continue
        if _RULE.match(raw):
            out.append("")
            continue
        if _SETEXT.match(raw) and out and out[-1].strip():
            continue  # the underline of a heading written as "Title\n====="
        line = _QUOTE.sub("", raw)
        heading = _HEADING.match(line)
        if heading:
            line = heading.group(1)
        line = _BULLET.sub(lambda m: f"{m.group(1)}• ", line)
        out.append(_inline(line).rstrip())
    text = "\n".join(out).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)
