"""The strict YAML reader: plain data only, YAML 1.2 scalars, and the position of everything it read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from efficiency_rules import SourceError, SourceLocation, _yaml
from efficiency_rules._yaml import YamlList, YamlMap, load_yaml, location_of


def fails(text: str) -> SourceError:
    with pytest.raises(SourceError) as info:
        load_yaml(text, path="policy.yaml")
    return info.value


class TestPositions:
    TEXT = (
        "# a comment line\n"  # 1
        "name: 春节\n"  # 2
        "runs:\n"  # 3
        "  - {from: 2027-02-05, to: 2027-02-13}\n"  # 4
        "  - from: 2027-10-01\n"  # 5
        "    to: 2027-10-07\n"  # 6
        "nested:\n"  # 7
        "    deep: [a, b]\n"  # 8
    )

    @pytest.fixture
    def data(self) -> Any:
        return load_yaml(self.TEXT, path="policy.yaml")

    def test_types_are_plain_dicts_and_lists(self, data: Any) -> None:
        assert isinstance(data, YamlMap) and isinstance(data, dict)
        assert isinstance(data["runs"], YamlList) and isinstance(data["runs"], list)
        assert data == {
            "name": "春节",
            "runs": [
                {"from": dt.date(2027, 2, 5), "to": dt.date(2027, 2, 13)},
                {"from": dt.date(2027, 10, 1), "to": dt.date(2027, 10, 7)},
            ],
            "nested": {"deep": ["a", "b"]},
        }

    def test_mapping_keys_and_values(self, data: Any) -> None:
        assert data.position == (2, 1)  # the document starts after the comment
        assert data.key_positions == {"name": (2, 1), "runs": (3, 1), "nested": (7, 1)}
        assert data.value_positions == {"name": (2, 7), "runs": (4, 3), "nested": (8, 5)}

    def test_list_items(self, data: Any) -> None:
        runs = data["runs"]
        assert runs.position == (4, 3)
        assert runs.item_positions == [(4, 5), (5, 5)]  # a flow mapping's "{", a block mapping's first key
        assert data["nested"]["deep"].item_positions == [(8, 12), (8, 15)]

    def test_nested_mappings(self, data: Any) -> None:
        flow, block = data["runs"]
        assert flow.key_positions == {"from": (4, 6), "to": (4, 24)}
        assert flow.value_positions == {"from": (4, 12), "to": (4, 28)}
        assert block.key_positions == {"from": (5, 5), "to": (6, 5)}
        assert block.value_positions == {"from": (5, 11), "to": (6, 9)}

    def test_columns_count_characters_not_bytes(self) -> None:
        data = load_yaml("{名称: 春节, 日期: 2027-02-06}")
        assert data.value_positions == {"名称": (1, 6), "日期": (1, 14)}


class TestLocationOf:
    @pytest.fixture
    def data(self) -> Any:
        return load_yaml("top:\n  key: value\nitems:\n  - one\n  - two\n", path="policy.yaml")

    def test_value_key_and_container(self, data: Any) -> None:
        assert location_of(data["top"], "key", path="p.yaml") == SourceLocation("p.yaml", 2, 8)
        assert location_of(data["top"], "key", path="p.yaml", value=False) == SourceLocation("p.yaml", 2, 3)
        assert location_of(data["top"], path="p.yaml") == SourceLocation("p.yaml", 2, 3)
        assert str(location_of(data["items"], 1, path="p.yaml")) == "p.yaml:5:5"

    def test_a_missing_key_falls_back_to_its_mapping(self, data: Any) -> None:
        assert location_of(data["top"], "absent", path="p.yaml") == SourceLocation("p.yaml", 2, 3)
        assert location_of(data["top"], "absent", path="p.yaml", value=False) == SourceLocation("p.yaml", 2, 3)

    @pytest.mark.parametrize("index", [2, -1, "0"])
    def test_an_index_outside_the_list_falls_back_to_the_list(self, data: Any, index: Any) -> None:
        assert location_of(data["items"], index, path="p.yaml") == SourceLocation("p.yaml", 4, 3)

    @pytest.mark.parametrize("container", [{"key": "value"}, ["one"], "a scalar", None])
    def test_data_not_read_from_yaml_falls_back_to_the_file(self, container: Any) -> None:
        where = location_of(container, "key", path="p.yaml")
        assert where == SourceLocation("p.yaml")
        assert str(where) == "p.yaml"
        assert str(location_of(container, path="p.yaml")) == "p.yaml"


class TestScalars:
    @pytest.mark.parametrize(
        ("text", "value"),
        [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False)],
    )
    def test_true_and_false_are_booleans(self, text: str, value: bool) -> None:
        assert load_yaml(f"switch: {text}") == {"switch": value}

    @pytest.mark.parametrize(
        "text", ["yes", "no", "on", "off", "Y", "N", "y", "n", "Yes", "NO", "On", "OFF", "tRUE"]
    )
    def test_yaml_1_1_booleans_stay_strings(self, text: str) -> None:
        data = load_yaml(f"matter: {text}\n{text}: key")
        assert data == {"matter": text, text: "key"}
        assert all(type(v) is str for v in (data["matter"], *data))

    @pytest.mark.parametrize(
        ("text", "value"),
        [("42", 42), ("-7", -7), ("+3", 3), ("0", 0), ("2.5", 2.5), ("-1.5e+3", -1500.0), (".5", 0.5)],
    )
    def test_plain_decimals_are_numbers(self, text: str, value: float) -> None:
        data = load_yaml(f"n: {text}")
        assert data == {"n": value} and type(data["n"]) is type(value)

    @pytest.mark.parametrize(
        "text",
        [
            "12:30",  # YAML 1.1 base 60: 750
            "1:30:00",  # 5400
            "0701",  # YAML 1.1 octal: 449
            "0x1F",  # 31
            "0b101",  # 5
            "1_000",  # 1000
            "1_000.5",
            "=",  # YAML 1.1's "value" key type
        ],
    )
    def test_yaml_1_1_number_forms_stay_strings(self, text: str) -> None:
        assert load_yaml(f"code: {text}") == {"code": text}

    def test_dates_nulls_and_quoted_text(self) -> None:
        assert load_yaml("d: 2027-02-06\nn: null\nt: ~\ne:\nq: '2027-02-06'\nb: 'true'") == {
            "d": dt.date(2027, 2, 6),
            "n": None,
            "t": None,
            "e": None,
            "q": "2027-02-06",
            "b": "true",
        }

    def test_explicit_core_tags_are_allowed(self) -> None:
        assert load_yaml("a: !!str 12\nb: !!int 12\nc: !!float 1\nd: !!bool true") == {
            "a": "12", "b": 12, "c": 1.0, "d": True,
        }  # fmt: skip

    @pytest.mark.parametrize(
        ("text", "column", "message"),
        [
            ("d: 2027-02-30", 4, "'2027-02-30' is not a date: day is out of range for month"),
            ("d: 2027-13-01", 4, "'2027-13-01' is not a date: month must be in 1..12"),
            ("n: !!int twelve", 4, "'twelve' is not an integer"),
            ("n: !!float x", 4, "'x' is not a number"),
            ("b: !!bool maybe", 4, "'maybe' is not a boolean (true or false)"),
            ("d: !!timestamp tomorrow", 4, "'tomorrow' is not a date"),
        ],
    )
    def test_a_value_that_is_not_what_it_claims(self, text: str, column: int, message: str) -> None:
        error = fails(text)
        assert str(error) == f"policy.yaml:1:{column}: {message}"
        assert error.location == SourceLocation("policy.yaml", 1, column)


class TestRefusals:
    def test_duplicate_key(self) -> None:
        assert str(fails("a: 1\nb:\n  c: 2\n  c: 3\n")) == (
            "policy.yaml:4:3: duplicate key 'c' (first at line 3, column 3)"
        )
        assert str(fails("{a: 1, a: 2}")) == "policy.yaml:1:8: duplicate key 'a' (first at line 1, column 2)"

    def test_the_same_key_in_different_mappings_is_fine(self) -> None:
        assert load_yaml("- {a: 1}\n- {a: 2}") == [{"a": 1}, {"a": 2}]

    def test_alias(self) -> None:
        assert str(fails("base: &b {x: 1}\ncopy: *b\n")) == (
            "policy.yaml:2:7: aliases ('*b') are not allowed in a policy file"
        )

    def test_billion_laughs_stops_at_the_first_alias(self) -> None:
        text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
            f"{chr(c)}: &{chr(c)} [{', '.join(['*' + chr(c - 1)] * 9)}]\n" for c in range(ord("b"), ord("j"))
        )
        assert str(fails(text)) == "policy.yaml:2:8: aliases ('*a') are not allowed in a policy file"

    def test_an_anchor_alone_is_harmless(self) -> None:
        assert load_yaml("a: &x 1\nb: 2") == {"a": 1, "b": 2}

    def test_merge_key(self) -> None:
        assert str(fails("base: {x: 1}\nother:\n  <<: {x: 2}\n")) == (
            "policy.yaml:3:3: merge keys ('<<') are not allowed in a policy file"
        )

    def test_a_merge_with_an_alias_is_refused_at_the_alias(self) -> None:
        assert str(fails("base: &b {x: 1}\nother:\n  <<: *b\n")) == (
            "policy.yaml:3:7: aliases ('*b') are not allowed in a policy file"
        )

    def test_a_key_that_is_not_a_plain_value(self) -> None:
        assert str(fails("? [a, b]\n: 1\n")) == "policy.yaml:1:3: a mapping key must be a plain value"

    @pytest.mark.parametrize(
        ("text", "tag"),
        [
            ('x: !!python/object/apply:os.system ["echo pwned"]', "tag:yaml.org,2002:python/object/apply:os.system"),
            ("x: !!python/object:builtins.dict {}", "tag:yaml.org,2002:python/object:builtins.dict"),
            ("x: !!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
            ("x: !!python/tuple [1, 2]", "tag:yaml.org,2002:python/tuple"),
            ("x: !!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
            ("x: !!set {a}", "tag:yaml.org,2002:set"),
            ("x: !!omap [a: 1]", "tag:yaml.org,2002:omap"),
            ("x: !include other.yaml", "!include"),
        ],
    )
    def test_non_core_tags(self, text: str, tag: str) -> None:
        assert str(fails(text)) == f"policy.yaml:1:4: tag {tag!r} is not allowed in a policy file (plain data only)"

    def test_a_tag_on_a_key(self) -> None:
        assert str(fails("!!python/name:os.system : 1")) == (
            "policy.yaml:1:1: tag 'tag:yaml.org,2002:python/name:os.system' is not allowed in a policy file "
            "(plain data only)"
        )

    def test_control_characters(self) -> None:
        assert str(fails("a: 1\nb: x\x07y\n")) == (
            "policy.yaml:2:5: unacceptable character #x0007: special characters are not allowed"
        )

    def test_nesting_too_deep(self) -> None:
        # a long line is shown around the column: 80 characters before it
        assert str(fails("a: " + "[" * 2000 + "]" * 2000)) == (
            "policy.yaml:1:260: the data is nested more than 256 levels deep (lists and mappings inside one another): a policy "
            "needs far fewer; look for brackets left open\n    " + "[" * 160 + "\n" + " " * 84 + "^")
        deep = load_yaml("a: " + "[" * 255 + "]" * 255)["a"]  # 256 levels with the mapping: the most there may be
        for _ in range(254):
            (deep,) = deep
        assert deep == []

    @pytest.mark.parametrize(
        ("text", "where", "message"),
        [
            ("a: [1, 2", "1:4", "the list '[' opened here is never closed: end it with ']'\n    a: [1, 2\n       ^"),
            ("a: 1\n---\nb: 2\n", "2:1", "expected a single document in the stream, but found another document"),
            ("a: b: c", "1:5", "a ':' where no key can start: the line is indented wrongly (deeper than the key above it), "
                               "or a value holding ': ' needs quotes\n    a: b: c\n        ^"),
            ("\tkey: 1", "1:1", "a tab is used for indentation or spacing: YAML allows spaces only; replace the tab with spaces\n"
                               "    →key: 1\n    ^"),
            ("a: '1\nb: 2\n", "1:4", "the quote ' opened here is never closed: end the text with '\n    a: '1\n       ^"),
            ("a: 1\nb\nc: 2\n", "2:1", "a line without ':' where a key was expected: write 'key: value', or indent the line as "
                                      "part of the value above\n    b\n    ^"),
            ("a: @x\n", "1:4", "a value cannot start with '@' unquoted: put the value in quotes\n    a: @x\n       ^"),
            ("a: - b\n", "1:4", "a list item ('- ') cannot start here: put it on a line of its own, indented under its key"
                               "\n    a: - b\n       ^"),
            ("a:\n  - 1\n - 2\n", "3:2", "this line is indented wrongly: it does not line up with the keys of the mapping that "
                                        "starts at line 1, column 1, nor with those around it\n     - 2\n     ^"),
        ],
    )
    def test_syntax_errors(self, text: str, where: str, message: str) -> None:
        assert str(fails(text)) == f"policy.yaml:{where}: {message}"


class TestDocuments:
    @pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
    def test_an_empty_document_is_none(self, text: str) -> None:
        assert load_yaml(text) is None

    def test_a_top_level_scalar(self) -> None:
        assert load_yaml("just text") == "just text"

    def test_text_is_named_string_unless_a_path_is_given(self) -> None:
        with pytest.raises(SourceError, match=r"^<string>:1:4: aliases"):
            load_yaml("a: *x")


class TestFiles:
    def test_a_file_and_its_name(self, tmp_path: Path) -> None:
        path = tmp_path / "policy.yaml"
        path.write_text("名称: 春节\n", encoding="utf-8")
        assert load_yaml(path) == {"名称": "春节"}
        path.write_text("a: 1\na: 2\n", encoding="utf-8")
        with pytest.raises(SourceError) as info:
            load_yaml(path)
        assert str(info.value) == f"{path}:2:1: duplicate key 'a' (first at line 1, column 1)"
        with pytest.raises(SourceError, match=r"^rulesets/x\.yaml:2:1: duplicate key"):
            load_yaml(path, path="rulesets/x.yaml")

    def test_a_byte_order_mark_does_not_shift_columns(self, tmp_path: Path) -> None:
        path = tmp_path / "bom.yaml"
        path.write_bytes("\ufeffa: 1\na: 2\n".encode())
        with pytest.raises(SourceError, match=r":2:1: duplicate key 'a' \(first at line 1, column 1\)$"):
            load_yaml(path)

    def test_a_file_that_is_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "gbk.yaml"
        path.write_bytes("year: 2027\nnotice: 元旦春节\n".encode("gbk"))
        with pytest.raises(SourceError) as info:
            load_yaml(path)
        assert str(info.value) == f"{path}: file is not UTF-8 text: invalid start byte"
        assert info.value.location == SourceLocation(str(path))
        assert isinstance(info.value.__cause__, UnicodeDecodeError)

    def test_a_missing_file(self, tmp_path: Path) -> None:
        path = tmp_path / "absent.yaml"
        with pytest.raises(SourceError) as info:
            load_yaml(path)
        assert str(info.value) == f"{path}: cannot read file: No such file or directory"
        assert isinstance(info.value.__cause__, FileNotFoundError)
        # Raised by the reader itself, not let out of pathlib: the last frame is load_yaml's.
        assert info.traceback[-1].name == "load_yaml"


# -- libyaml reads, the pure-Python reader explains ------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def _both(text: str) -> tuple[Any, Any]:
    fast = _yaml._fast_load(text)
    try:
        loader = _yaml._Loader(text)  # refuses control characters
        try:
            slow: Any = loader.get_single_data()
        finally:
            loader.dispose()
    except Exception as exc:  # noqa: BLE001 - compared below
        slow = exc
    return fast, slow


def _same(a: Any, b: Any, where: str) -> None:
    assert type(a) is type(b), where
    if isinstance(a, YamlMap):
        assert (a.position, a.key_positions, a.value_positions, list(a)) == (
            b.position, b.key_positions, b.value_positions, list(b)
        ), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, YamlList):
        assert (a.position, a.item_positions, len(a)) == (b.position, b.item_positions, len(b)), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_libyaml_and_the_pure_reader_read_every_file_here_alike() -> None:
    files = [p for p in sorted(ROOT.glob("**/*.yaml")) if ".git" not in p.parts]
    read = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        fast, slow = _both(text)
        if fast is _yaml._SLOW:
            assert isinstance(slow, Exception), f"{path}: libyaml refused what the pure reader reads"
            continue
        assert not isinstance(slow, Exception), f"{path}: libyaml read what the pure reader refuses"
        _same(fast, slow, str(path))
        read += 1
    assert read >= 150  # the shipped rulesets, scenarios and good test files


@pytest.mark.parametrize(
    "text",
    ["a:\tb\n", "a: &x 1\nb: *x\n", "a: 1\na: 2\n", "a: x\x07\n", "a: " + "[" * 1100 + "]" * 1100],
)
def test_what_libyaml_would_take_differently_goes_to_the_pure_reader(text: str) -> None:
    fast, slow = _both(text)
    assert fast is _yaml._SLOW
    assert isinstance(slow, Exception)
