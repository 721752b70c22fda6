"""YAML loading that remembers where every mapping, key and list item starts.

``load(text)`` returns plain Python data in which mappings are ``LineDict`` and lists ``LineList``:
ordinary ``dict``/``list`` that also carry the 1-based line of the node (``.line``), of each key
(``LineDict.key_lines``) and of each item (``LineList.item_lines``). Validation uses them to point
at the line of the field at fault.

The loader follows YAML 1.2's core schema for scalars rather than PyYAML's YAML 1.1 defaults: only
``true``/``false`` are booleans (so a Spanish token ``no`` or ``sí`` stays a string), only plain
decimal numbers are numbers (``0123``, ``1:30`` and ``1_000`` stay strings), and dates stay strings.
Duplicate keys in one mapping are recorded (``LineDict.duplicate_keys``) instead of silently
keeping the last one.

Hostile input is refused while composing, before any Python object is built: anchors and aliases
(``&name`` / ``*name``: an "alias bomb" expands a few kilobytes into billions of nodes), nesting deeper
than ``MAX_DEPTH``, and strings that no database column can hold (a NUL character or a lone UTF-16
surrogate written as an escape, ``"\\0"`` or ``"\\ud800"``) — each reported at its own line.
Those refusals are Mallard's own sentences, translated when shown; what PyYAML itself says of a
syntax error stays in its English.
"""

import re
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _

from core.i18n import interpolate_lazy as lazy_text
from core.text import storable

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
NULL_TAG = "tag:yaml.org,2002:null"

#: A course file nests about ten levels deep (course → sections → units → lessons → exercises →
#: payload → …); anything far deeper is not a course file, and would exhaust the parser's stack.
MAX_DEPTH = 64


class LineDict(dict):
    line: int = 1

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}
        self.duplicate_keys: list[tuple[Any, int]] = []


class LineList(list):
    line: int = 1

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item_lines: list[int] = []


class YamlSyntaxError(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        self.line = line
        self.column = column
        self.message = message
        super().__init__(f"line {line}, column {column}: {message}")


class Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars and position-carrying containers; no aliases, bounded depth."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, _("aliases (*name) are not allowed in course files; write the value out"), event.start_mark
            )
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, _("anchors (&name) are not allowed in course files; write the value out"), event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                message = lazy_text(_("nested more than %(limit)s levels deep"), limit=MAX_DEPTH)
                raise yaml.composer.ComposerError(None, None, message, event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        if isinstance(value, str) and not storable(value):
            raise yaml.constructor.ConstructorError(
                None, None, _("a NUL character or a lone surrogate (\\0, \\ud800 …) cannot be stored"), node.start_mark
            )
        return value


Loader.yaml_implicit_resolvers = {}
Loader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Loader.add_implicit_resolver(INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
Loader.add_implicit_resolver(
    FLOAT_TAG,
    re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?)$"),
    list("-+0123456789."),
)
Loader.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def _construct_map(loader: Loader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            key = repr(key)
        if key in data:
            data.duplicate_keys.append((key, line))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


def _construct_seq(loader: Loader, node: yaml.SequenceNode):
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    for item_node in node.value:
        data.append(loader.construct_object(item_node, deep=True))
        data.item_lines.append(item_node.start_mark.line + 1)


Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


class StringsLoader(Loader):
    """As ``Loader``, but every plain scalar except an empty one (null) stays a string: ``true``,
    ``2`` and ``no`` are text. LibreLingo course files are read this way (LibreLingo itself keeps
    booleans as text), so that a word ``true`` or an id ``2`` is taken as written."""


StringsLoader.yaml_implicit_resolvers = {}
StringsLoader.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def load(text: str, *, strings: bool = False) -> Any:
    """Parse one YAML document. Raises ``YamlSyntaxError`` with the parser's line and column.
    ``strings``: keep every non-null plain scalar a string (``StringsLoader``)."""
    try:
        return yaml.load(text, Loader=StringsLoader if strings else Loader)  # noqa: S506 - SafeLoader subclasses
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        context = exc.context or ""
        if context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            context += f" (started at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}):"
        # a lazy (translated) problem of Mallard's own is kept as it is, to be translated when shown
        message = " ".join(str(part) for part in (context, exc.problem) if part) if context else exc.problem
        raise YamlSyntaxError(line, column, message or str(exc)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (e.g. a raw NUL): find its line
        before = text[: exc.position] if isinstance(exc.position, int) else ""
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        message = lazy_text(_("unacceptable character %(character)s"), character=f"#x{exc.character:04x}")
        raise YamlSyntaxError(line, column, message) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, 1, str(exc)) from None


def plain(value: Any) -> Any:
    """A deep copy as ordinary dicts and lists (what gets stored as JSON)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
