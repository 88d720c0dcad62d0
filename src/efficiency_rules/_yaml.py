"""A strict, safe YAML reader that remembers where every value came from.

Policy files are data written by people, so the reader is deliberately narrower than YAML:

* only the safe core types (mappings, lists, strings, numbers, dates, ``null``);
* booleans are ``true`` / ``false`` only: YAML 1.1's ``yes``, ``no``, ``on``, ``off`` stay strings,
  so a matter called ``NO`` or a switch written ``on`` is never silently turned into a boolean;
* numbers are plain decimals: YAML 1.1's ``12:30`` (base 60, 750), ``0701`` (octal, 449), ``0x1F``
  and ``1_000`` stay strings, so a time of day or a code with a leading zero keeps its text;
* a key twice in one mapping is an error, not a silent overwrite;
* aliases (``*name``) are refused: they are rarely needed in a policy and are the vector of
  "billion laughs" expansion attacks;
* explicit tags other than the core ones (``!!python/object``…) are refused.

Valid files are read by libyaml (PyYAML's C reader, two to three times faster); anything libyaml
refuses or would read differently (an alias, a tab, a character PyYAML refuses) is read again by
PyYAML's pure-Python reader, which gives the error, so both read every file alike.

Mappings come back as :class:`YamlMap` (a ``dict``) and sequences as :class:`YamlList`
(a ``list``); both know the line and column of themselves and of each of their items, so a
checker can point at ``path:line:col``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from ._errors import SourceError, SourceLocation
from ._suggest import did_you_mean

__all__ = ["MAX_DEPTH", "YamlList", "YamlMap", "check_keys", "load_yaml", "location_of"]

Position = tuple[int, int]  # 1-based line and column

#: The deepest nesting of lists and mappings a policy file may have (a policy needs a handful of levels;
#: conditions of a few hundred levels still load).
MAX_DEPTH = 256
_TOO_DEEP = (f"the data is nested more than {MAX_DEPTH} levels deep (lists and mappings inside one another): a policy "
             "needs far fewer; look for brackets left open")


class YamlMap(dict[Any, Any]):
    """A mapping read from YAML, with the position of itself, of each key and of each value."""

    position: Position
    key_positions: dict[Any, Position]
    value_positions: dict[Any, Position]


class YamlList(list[Any]):
    """A sequence read from YAML, with the position of itself and of each item."""

    position: Position
    item_positions: list[Position]


def _pos(node: Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class _Resolver(Resolver):
    """YAML 1.2-style plain scalars: only true/false are booleans, only plain decimals are numbers."""


# Replaced below; "=" (YAML 1.1's value key) is dropped so that a plain "=" is the string "=".
_REPLACED_TAGS = {f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float", "value")}
_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED_TAGS]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)

_KINDS = {
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "a boolean (true or false)",
    "tag:yaml.org,2002:timestamp": "a date",
}


class _Constructor(SafeConstructor):
    _depth = 0  # how many lists and mappings the node being built is inside
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node.tag not in _CORE_TAGS:
            raise yaml.constructor.ConstructorError(
                None, None, f"tag {node.tag!r} is not allowed in a policy file (plain data only)", node.start_mark
            )
        if isinstance(node, (MappingNode, SequenceNode)):
            depth = self._depth + 1
            if depth > MAX_DEPTH:
                raise yaml.constructor.ConstructorError(None, None, _TOO_DEEP, node.start_mark)
            self._depth = depth
            try:
                if isinstance(node, MappingNode):
                    return self._mapping(node)
                items = YamlList(self.construct_object(child) for child in node.value)
                items.position = _pos(node)
                items.item_positions = [_pos(child) for child in node.value]
                return items
            finally:
                self._depth = depth - 1
        try:
            return super().construct_object(node, deep=True)
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            # A value that matches a type's pattern but is not one (2027-02-30), or an explicit tag
            # on the wrong text (!!int abc): PyYAML lets Python's own exception escape.
            kind = _KINDS.get(node.tag, node.tag)
            detail = f": {exc}" if isinstance(exc, ValueError) and node.tag == "tag:yaml.org,2002:timestamp" else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not {kind}{detail}", node.start_mark
            ) from exc

    def _mapping(self, node: MappingNode) -> YamlMap:
        result = YamlMap()
        result.position = _pos(node)
        result.key_positions = {}
        result.value_positions = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys ('<<') are not allowed in a policy file", key_node.start_mark
                )
            if not isinstance(key_node, ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            key = self.construct_object(key_node)
            if key in result:
                line, column = result.key_positions[key]
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {line}, column {column})",
                    key_node.start_mark,
                )
            result[key] = self.construct_object(value_node)
            result.key_positions[key] = _pos(key_node)
            result.value_positions[key] = _pos(value_node)
        return result


class _Loader(Reader, Scanner, Parser, Composer, _Constructor, _Resolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves it unannotated
            raise yaml.composer.ComposerError(
                None, None, f"aliases ('*{event.anchor}') are not allowed in a policy file", event.start_mark
            )
        return super().compose_node(parent, index)


class _Repeated(Exception):  # noqa: N818 - a signal, not an error
    """libyaml composed an alias: the pure-Python reader says where, and refuses it."""


class _FastConstructor(_Constructor):
    """The same constructor over libyaml's nodes; an alias shows as a node met twice."""

    _met: set[int]  # ids of the nodes constructed so far

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        met = self._met
        if id(node) in met:
            raise _Repeated
        met.add(id(node))
        return super().construct_object(node, deep)


try:
    from yaml._yaml import CParser  # what yaml.cyaml re-exports, named where the stubs declare it
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None  # type: ignore[assignment, misc]  # the stubs assume libyaml; None says it is absent

if CParser is not None:

    class _FastLoader(CParser, _FastConstructor, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _FastConstructor.__init__(self)
            _Resolver.__init__(self)
            self._met = set()

    def _fast_load(text: str) -> Any:
        """Read valid YAML with libyaml (two to three times faster); ``_SLOW`` sends the caller to the exact reader.

        libyaml gives the same nodes with the same positions; on anything it refuses, an alias, a
        tab or a character PyYAML refuses, the pure-Python reader reads the text again, so that
        what is accepted and every error are the same either way.
        """
        if "\t" in text or Reader.NON_PRINTABLE.search(text):
            return _SLOW  # libyaml takes a tab as a separator where PyYAML refuses it: one reading everywhere
        loader = _FastLoader(text)
        try:
            return loader.get_single_data()
        except (yaml.YAMLError, _Repeated, RecursionError):
            return _SLOW
        finally:
            loader.dispose()

else:  # pragma: no cover - PyYAML built without libyaml

    def _fast_load(text: str) -> Any:
        return _SLOW


_SLOW = object()

_DEEP_INDENT = re.compile(rf"^ {{{2 * MAX_DEPTH}}}", re.MULTILINE)


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where (0-based line, column) the nesting first goes past MAX_DEPTH, or ``None``.

    PyYAML's pure-Python reader, which reads what libyaml refuses, takes time quadratic in the
    depth of nested brackets, and its composer recurses once per level: a file nested deeper than
    any policy is refused first, by a linear pass over libyaml's events. Only a text with enough
    brackets or indentation to be that deep is looked at.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH and not _DEEP_INDENT.search(text):
        return None
    if CParser is None:  # pragma: no cover - PyYAML built without libyaml: count brackets outside quotes
        return _bracket_depth(text)
    parser = CParser(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH and mark is not None:
                    return mark.line, mark.column
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return _bracket_depth(text)  # libyaml refuses it (a tab…): the exact reader reports that, if not too deep
    finally:
        parser.dispose()
    return None


def _bracket_depth(text: str) -> tuple[int, int] | None:
    """Where flow brackets, counted outside quotes and comments, first nest past MAX_DEPTH."""
    depth = 0
    for number, line in enumerate(text.splitlines()):
        quote = ""
        for column, char in enumerate(line):
            if quote:
                if char == quote:
                    quote = ""
            elif char in "\"'" and (column == 0 or line[column - 1] in " \t:[{,"):
                quote = char
            elif char == "#" and (column == 0 or line[column - 1] in " \t"):
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number, column
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


def load_yaml(source: str | Path, *, path: str | None = None) -> Any:
    """Read one YAML document from a file path or from text (then ``path`` names it in errors).

    Raises :class:`SourceError` with the file, line and column of the first problem.
    """
    if isinstance(source, Path):
        name = path or str(source)
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise SourceError(f"cannot read file: {exc.strerror or exc}", SourceLocation(name)) from exc
        except UnicodeDecodeError as exc:
            raise SourceError(f"file is not UTF-8 text: {exc.reason}", SourceLocation(name)) from exc
    else:
        name = path or "<string>"
        text = source
    data = _fast_load(text)
    if data is not _SLOW:
        return data
    deep = _too_deep(text)  # before the exact reader, which takes time quadratic in the depth of brackets
    if deep is not None:
        raise SourceError(_TOO_DEEP + _pointed(text, deep[0], deep[1]), SourceLocation(name, deep[0] + 1, deep[1] + 1))
    try:
        loader = _Loader(text)  # the reader refuses control characters here, before parsing
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise SourceError(
            f"unacceptable character #x{exc.character:04x}: {exc.reason}", SourceLocation(name, line, column)
        ) from exc
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # "expected a single document in the stream" + "but found another document": both halves.
        parts = [part for part in (exc.context, exc.problem) if part]
        problem = ", ".join(parts) if parts else "invalid YAML"
        if isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError)):
            problem, mark = _in_words(exc)
            if mark is not None:
                problem += _pointed(text, mark.line, mark.column)
        where = SourceLocation(name, mark.line + 1, mark.column + 1) if mark else SourceLocation(name)
        raise SourceError(problem, where) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", SourceLocation(name)) from exc
    except RecursionError as exc:  # the composer recurses once per level of nesting
        raise SourceError("the data is nested too deeply", SourceLocation(name)) from exc
    finally:
        loader.dispose()


_OPENERS = {"}": "{", "]": "["}


def _in_words(exc: yaml.MarkedYAMLError) -> tuple[str, Any]:
    """A syntax error of PyYAML's in words a policy author reads, and the mark it is best shown at."""
    context, problem = exc.context or "", exc.problem or ""
    here, opened = exc.problem_mark, exc.context_mark
    at_open = f"line {opened.line + 1}, column {opened.column + 1}" if opened is not None else "above"
    if "found character '\\t' that cannot start any token" in problem:
        return "a tab is used for indentation or spacing: YAML allows spaces only; replace the tab with spaces", here
    found = re.search(r"found character '(.+)' that cannot start any token", problem)
    if found:
        return f"a value cannot start with {found.group(1)!r} unquoted: put the value in quotes", here
    if context.startswith("while scanning a quoted scalar"):
        quote = "'" if opened is not None and opened.buffer and opened.buffer[opened.pointer] == "'" else '"'
        return f"the quote {quote} opened here is never closed: end the text with {quote}", opened
    flow = re.match(r"while parsing a flow (mapping|sequence)", context)
    if flow:
        closer = "}" if flow.group(1) == "mapping" else "]"
        what = "mapping" if closer == "}" else "list"
        if "<stream end>" in problem:
            return f"the {what} '{_OPENERS[closer]}' opened here is never closed: end it with '{closer}'", opened
        return (f"expected ',' or '{closer}' here: the {what} '{_OPENERS[closer]}' opened at {at_open} is not closed "
                f"before this; close it with '{closer}', or put ',' between its items"), here
    if "mapping values are not allowed here" in problem:
        return ("a ':' where no key can start: the line is indented wrongly (deeper than the key above it), or a value "
                "holding ': ' needs quotes"), here
    if context.startswith("while scanning a simple key") and "could not find expected ':'" in problem:
        return ("a line without ':' where a key was expected: write 'key: value', or indent the line as part of the value "
                "above"), opened
    block = re.match(r"while parsing a block (mapping|collection)", context)
    if block and "'<scalar>'" in problem and here is not None:
        unclosed = _unclosed_quote(here.buffer or "", here.line)
        if unclosed is not None:
            line, column, quote = unclosed
            return (f"the quote {quote} opened here is not closed on its line: the text runs on to the next quote "
                    f"(line {here.line + 1}, column {here.column + 1}); end it with {quote} on this line"), \
                yaml.error.Mark("", 0, line, column, None, 0)
    if block and problem.startswith("expected <block end>"):
        entries = "keys" if block.group(1) == "mapping" else "items"
        return (f"this line is indented wrongly: it does not line up with the {entries} of the "
                f"{'mapping' if entries == 'keys' else 'list'} that starts at {at_open}, nor with those around it"), here
    if "sequence entries are not allowed here" in problem:
        return "a list item ('- ') cannot start here: put it on a line of its own, indented under its key", here
    if context.startswith("expected a single document"):
        return "a second document ('---') in the file: a policy file is one document", here
    parts = [part for part in (context, problem) if part]
    return ", ".join(parts) if parts else "invalid YAML", here or opened


def _unclosed_quote(text: str, before: int) -> tuple[int, int, str] | None:
    """The last quote left open on a line before line ``before`` (0-based): (line, column, quote), or ``None``."""
    lines = text.splitlines()
    for number in range(min(before, len(lines)) - 1, max(-1, before - 50), -1):
        line = lines[number]
        if line.lstrip().startswith("#"):
            continue
        open_at, quote, i = None, "", 0
        while i < len(line):
            char = line[i]
            if open_at is None:
                if char == "#" and (i == 0 or line[i - 1] in " \t"):
                    break  # a comment
                if char in "\"'" and (i == 0 or line[i - 1] in " \t:[{,-"):
                    open_at, quote = i, char
            elif char == "\\" and quote == '"':
                i += 1
            elif char == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 1  # '' is a quote inside single quotes
                else:
                    open_at = None
            i += 1
        if open_at is not None:
            return number, open_at, quote
    return None


def _pointed(text: str, line: int, column: int) -> str:
    """The line (0-based) of ``text`` shown under the message, with a caret under ``column`` (0-based)."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return ""
    shown = lines[line].replace("\t", "→")
    if len(shown) > 160:  # a long line is shown around the column
        start = max(0, column - 80)
        shown, column = shown[start : start + 160], column - start
    width = sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in shown[:column])
    return f"\n    {shown}\n    {' ' * width}^"


def location_of(container: Any, key: Any = None, *, path: str, value: bool = True) -> SourceLocation:
    """Where ``container[key]`` (its value, or its key with ``value=False``) sits in the file.

    With no key, where ``container`` itself starts. Falls back to the file alone when the
    container was not read from YAML (built in Python).
    """
    if key is None:
        pos = getattr(container, "position", None)
    elif isinstance(container, YamlMap):
        positions = container.value_positions if value else container.key_positions
        pos = positions.get(key, container.position)
    elif isinstance(container, YamlList) and isinstance(key, int) and 0 <= key < len(container.item_positions):
        pos = container.item_positions[key]
    else:
        pos = getattr(container, "position", None)
    return SourceLocation(path, *pos) if pos else SourceLocation(path)


def check_keys(
    mapping: YamlMap, allowed: tuple[str, ...], *, path: str, what: str, error: type[SourceError] = SourceError
) -> None:
    """Raise ``error`` at the first key of ``mapping`` not in ``allowed``, with the keys expected and a suggestion."""
    for key in mapping:
        if key not in allowed:
            raise error(
                f"unknown key {key!r} in {what}; expected {', '.join(allowed)}" + did_you_mean(str(key), allowed),
                location_of(mapping, key, path=path, value=False),
            )
