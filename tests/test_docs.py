"""Docs that run: the code in docs/*.md is executed, so the documentation cannot drift from the code.

In each Markdown file, in order:

* every ```python block runs, all blocks of one file in one namespace (a later block sees the
  names an earlier one defined), with the repository root as the working directory; the blocks
  state their results with ``assert``. A block marked ```python no-run is shown but not run;
* every ```console block runs its ``$ efficiency-rules …`` commands through the command line and
  compares what they print (stdout and stderr) with the lines that follow each command; other
  commands in a console block (``pip install …``) are not run;
* every ```yaml year-file block must load as a calendar year file.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from efficiency_rules import load_year_file
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    """A fenced code block: its info string split into words, its text, and the line it starts on."""

    info: tuple[str, ...]
    text: str
    line: int  # the line of the first line of code (after the opening fence), from 1


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (lines[j].strip() == fence and lines[j].startswith(indent)):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        if j == len(lines):
            raise AssertionError(f"{path.name}:{i + 1}: code block never closed")
        found.append(Block(tuple(opening["info"].split()), "\n".join(body) + "\n", i + 2))
        i = j + 1
    return found


def python_blocks(path: Path) -> list[Block]:
    return [b for b in blocks(path) if b.info[:1] == ("python",) and "no-run" not in b.info]


@pytest.fixture(autouse=True)
def _at_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_python_blocks_run(doc: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs.{doc.stem}"}
    for block in python_blocks(doc):
        # Padding with blank lines makes a failure point at the line of the Markdown file.
        # dont_inherit: the docs run as a reader would run them, without this module's __future__ imports.
        code = compile("\n" * (block.line - 1) + block.text, str(doc), "exec", dont_inherit=True)
        exec(code, namespace)  # noqa: S102 - the project's own documentation


def _commands(block: Block) -> list[tuple[int, str, str]]:
    """The (line, command, expected output) of each ``$ `` line of a console block."""
    commands: list[tuple[int, str, list[str]]] = []
    for offset, line in enumerate(block.text.splitlines()):
        if line.startswith("$ "):
            commands.append((block.line + offset, line[2:], []))
        elif commands:
            commands[-1][2].append(line)
    return [(n, command, "".join(out + "\n" for out in output)) for n, command, output in commands]


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_console_blocks_print_what_they_show(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for block in blocks(doc):
        if block.info[:1] != ("console",):
            continue
        for line, command, expected in _commands(block):
            args = shlex.split(command)
            if args[0] != "efficiency-rules":
                continue
            main(args[1:])
            out, err = capsys.readouterr()
            assert out + err == expected, f"{doc.name}:{line}: $ {command}"


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_year_file_examples_load(doc: Path, tmp_path: Path) -> None:
    for block in blocks(doc):
        if block.info[:2] == ("yaml", "year-file"):
            path = tmp_path / f"line-{block.line}.yaml"
            path.write_text(block.text, encoding="utf-8")
            load_year_file(path)


def test_the_calendar_docs_have_code_that_runs() -> None:
    # Guards the extraction itself: a fence the parser missed would silently test nothing.
    doc = ROOT / "docs" / "calendar.md"
    assert len(python_blocks(doc)) >= 8
    assert any(b.info[:1] == ("console",) for b in blocks(doc))
    assert any(b.info[:2] == ("yaml", "year-file") for b in blocks(doc))


def test_no_run_blocks_are_not_run(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "Text.\n\n```python\nx = 1\n```\n\n```python no-run\nraise SystemExit\n```\n\n"
        "- a list item\n\n  ```python\n  assert x == 1\n  ```\n",
        encoding="utf-8",
    )
    assert [(b.info, b.text, b.line) for b in python_blocks(doc)] == [
        (("python",), "x = 1\n", 4),
        (("python",), "assert x == 1\n", 14),
    ]
    test_python_blocks_run(doc)
