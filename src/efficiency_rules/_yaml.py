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

__all__ = ["YamlList", "YamlMap", "check_keys", "load_yaml", "location_of"]

Position = tuple[int, int]  # 1-based line and column


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
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node.tag not in _CORE_TAGS:
            raise yaml.constructor.ConstructorError(
                None, None, f"tag {node.tag!r} is not allowed in a policy file (plain data only)", node.start_mark
            )
        if isinstance(node, MappingNode):
            return self._mapping(node)
        if isinstance(node, SequenceNode):
            items = YamlList(self.construct_object(child) for child in node.value)
            items.position = _pos(node)
            items.item_positions = [_pos(child) for child in node.value]
            return items
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
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"aliases ('*{event.anchor}') are not allowed in a policy file", event.start_mark
            )
        return super().compose_node(parent, index)


class _Repeated(Exception):  # noqa: N818 - a signal, not an error
    """libyaml composed an alias: the pure-Python reader says where, and refuses it."""


class _FastConstructor(_Constructor):
    """The same constructor over libyaml's nodes; an alias shows as a node met twice."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        met = self._met  # type: ignore[has-type]
        if id(node) in met:
            raise _Repeated
        met.add(id(node))
        return super().construct_object(node, deep)


try:
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

if CParser is not None:

    class _FastLoader(CParser, _FastConstructor, _Resolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _FastConstructor.__init__(self)
            _Resolver.__init__(self)
            self._met: set[int] = set()

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
        where = SourceLocation(name, mark.line + 1, mark.column + 1) if mark else SourceLocation(name)
        # "expected a single document in the stream" + "but found another document": both halves.
        parts = [part for part in (exc.context, exc.problem) if part]
        problem = ", ".join(parts) if parts else "invalid YAML"
        raise SourceError(problem, where) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", SourceLocation(name)) from exc
    except RecursionError as exc:  # the composer recurses once per level of nesting
        raise SourceError("the data is nested too deeply", SourceLocation(name)) from exc
    finally:
        loader.dispose()


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
