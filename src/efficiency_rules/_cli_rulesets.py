"""The commands about rulesets themselves: ``rulesets`` (the shipped ones, listed and shown) and ``new`` (a scaffold)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from ._cli import _reports_errors
from ._errors import UsageError

if TYPE_CHECKING:
    from ._ruleset import Ruleset

__all__ = ["book_command", "build_on_hints", "new_command", "rulesets_group"]

Language = Literal["zh", "en"]
_lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                            help="Language of the text.")


def _in_force(start: dt.date, end: dt.date | None, language: Language) -> str:
    from ._prose import date_text

    if language == "zh":
        return f"{date_text(start, 'zh')}至{date_text(end, 'zh')}施行" if end else f"自{date_text(start, 'zh')}起施行"
    return f"in force {date_text(start, 'en')} to {date_text(end, 'en')}" if end else f"in force from {date_text(start, 'en')}"


@click.group("rulesets", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of text.")
@_lang_option
@click.pass_context
@_reports_errors
def rulesets_group(ctx: click.Context, as_json: bool, lang: Language) -> None:
    """List the shipped rulesets: id@version, dates in force, titles in Chinese and English, what each covers.

    Each is loaded by its id wherever a ruleset path is accepted (efficiency-rules evaluate cn.xzxk …),
    or one version as id@version (cn.xzxk@2019).
    """
    if ctx.invoked_subcommand is not None:
        return
    from ._shipped import shipped_rulesets

    shipped = shipped_rulesets()
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in shipped], ensure_ascii=False, indent=2))
        return
    zh = lang == "zh"
    for r in shipped:
        click.echo(f"{r.ref}  {r.title_zh}")
        if r.title_en:
            click.echo(f"    {r.title_en}")
        click.echo(f"    {_in_force(r.effective_from, r.effective_to, lang)}")
        covers = r.covers_zh if zh else (r.covers_en or r.covers_zh)
        if covers:
            click.echo(f"    {covers}")
    count = len(shipped)
    click.echo(f"{count}个规则集；efficiency-rules rulesets show ID 查看其一" if zh
               else f"{count} ruleset{'s' if count != 1 else ''}; efficiency-rules rulesets show ID shows one")


@rulesets_group.command("show")
@click.argument("ruleset_id", metavar="ID")
@_lang_option
@_reports_errors
def show(ruleset_id: str, lang: Language) -> None:
    """Print one shipped ruleset in brief: its clauses, time limits, rules and accountability, with their verdicts.

    ID is a shipped ruleset's id (every version of it) or id@version.
    """
    from ._prose import entries, localized, verdict_text
    from ._ruleset import load_ruleset
    from ._shipped import find_shipped

    zh = lang == "zh"
    sections = {"time_limit": ("时限", "Time limits"), "rule": ("规则", "Rules"), "accountability": ("问责", "Accountability")}
    for number, shipped in enumerate(find_shipped(ruleset_id)):
        ruleset = load_ruleset(shipped.path)
        spec = ruleset.spec
        if number:
            click.echo("")
        click.echo(f"{shipped.ref}  {shipped.title_zh}")
        if shipped.title_en:
            click.echo(f"    {shipped.title_en}")
        click.echo(f"    {_in_force(shipped.effective_from, shipped.effective_to, lang)}")
        covers = localized(spec.covers, lang)
        if covers:
            click.echo(f"    {covers}")
        click.echo(f"    {'文件' if zh else 'file'}: {shipped.path}")
        if shipped.scenarios is not None:
            click.echo(f"    {'情景测试' if zh else 'scenarios'}: {shipped.scenarios}")
        click.echo(f"{'条款' if zh else 'Clauses'} ({len(spec.references)})")
        for name, reference in spec.references.items():
            click.echo(f"  {name}  {reference.citation}")
        described = list(entries(ruleset, lang, brief=True))
        for section, (title_zh, title_en) in sections.items():
            chosen = [e for e in described if e.section == section]
            if not chosen:
                continue
            click.echo(f"{title_zh if zh else title_en} ({len(chosen)})")
            for entry in chosen:
                click.echo(f"  {entry.id}  {entry.title}" if entry.title != entry.id else f"  {entry.id}")
                click.echo(f"    {entry.text}")
                gives = [verdict_text(v, spec.verdicts[v], lang) for v in entry.verdicts if v in spec.verdicts]
                if gives:
                    click.echo(f"    {'结论' if zh else 'verdicts'}: {('、' if zh else ', ').join(gives)}")


_NEW_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@click.command("new")
@click.argument("ruleset_id", metavar="ID")
@click.option("--dir", "directory", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Where to write ID.yaml and ID.test.yaml.")
@click.option("--title", default=None, help="The ruleset's Chinese title (default: a placeholder to edit).")
@click.option("--from", "effective_from", default="2024-01-02", show_default=True,
              help="The date it comes into force (YYYY-MM-DD); the scenarios are dated from it.")
@_reports_errors
def new_command(ruleset_id: str, directory: str, title: str | None, effective_from: str) -> None:
    """Write a new ruleset ID.yaml and its scenario file ID.test.yaml from a template, commented in Chinese.

    The scaffold passes `efficiency-rules check` and its scenarios pass `efficiency-rules test`;
    edit both to the policy, checking and testing as you go.
    """
    from ._scaffold import scaffold

    if not _NEW_ID.match(ruleset_id):
        raise UsageError(f"{ruleset_id!r} is not a ruleset id: lower-case letters, digits, '.', '_' and '-', "
                         "starting with a letter or digit, such as city.licensing-2025")
    try:
        start = dt.date.fromisoformat(effective_from)
    except ValueError:
        raise click.BadParameter(f"{effective_from!r} is not a date written YYYY-MM-DD", param_hint="--from") from None
    written = scaffold(ruleset_id, Path(directory), title=title, effective_from=start)
    for path in written:
        click.echo(str(path))
    ruleset, scenarios = written
    click.echo(f"下一步：efficiency-rules check {ruleset} && efficiency-rules test {scenarios}", err=True)


@click.command("book")
@click.argument("rulesets", nargs=-1, required=True, metavar="RULESET...")
@click.option("--md", "md_path", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write the Markdown to FILE ('-': standard output, the default when --html is not given).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), default=None,
              help="Write the book as one self-contained HTML page to FILE (with --md, both are written).")
@_lang_option
@_reports_errors
def book_command(rulesets: tuple[str, ...], md_path: str | None, html_path: str | None, lang: Language) -> None:
    """Write the policy book of RULESETS (files, directories or shipped ids): clause by clause, what enforces it.

    For each clause: its citation and text, the time limits, rules and accountability entries that
    cite it in words with their verdicts' points and sanctions, and the scenarios that exercise
    them; then the clauses nothing cites and the entries that cite nothing.
    """
    from ._book import book_markdown
    from ._errors import OutputError
    from ._html import book_html
    from ._ruleset import load_rulesets

    text = book_markdown(load_rulesets(rulesets), language=lang)
    if html_path is not None:
        try:
            with open(html_path, "w", encoding="utf-8") as page:
                page.write(book_html(text, language=lang))
        except OSError as error:
            raise OutputError(f"cannot write {html_path}: {error.strerror or error}; choose a writable path") from None
        click.echo(f"政策手册已写入{html_path}" if lang == "zh" else f"policy book written to {html_path}", err=True)
    if md_path is not None or html_path is None:
        with click.open_file(md_path or "-", "w", encoding="utf-8") as out:
            out.write(text)



def build_on_hints(rulesets: list[Ruleset]) -> list[str]:
    """``check``'s hints: a reference that re-declares a clause a shipped ruleset encodes, and which to build on."""
    from ._shipped import build_on
    from ._yaml import YamlMap, load_yaml, location_of

    hints: list[str] = []
    for ruleset in rulesets:
        spec = ruleset.spec
        # only clauses its own time limits and rules enforce: an accountability entry may well cite the
        # clause whose verdicts (from the shipped ruleset) it counts
        used = {rule.verdict for rule in spec.rules}
        for limit in spec.time_limits.values():
            used |= {o.verdict for o in limit.overdue} | {w.verdict for w in limit.warnings}
            used |= {part.verdict for part in (limit.pauses, limit.extensions, limit.deemed_acceptance)
                     if part is not None and part.verdict}
        enforced = {clause for name in used if name in spec.verdicts for clause in spec.verdicts[name].cites}
        references = {name: ref.citation for name, ref in spec.references.items() if name in enforced}
        found = build_on(references, own_id=ruleset.id)
        if not found:
            continue
        raw = load_yaml(Path(ruleset.path))
        section = raw.get("references") if isinstance(raw, YamlMap) else None
        for name, ids in found.items():
            where = location_of(section, name, path=ruleset.path, value=False) if isinstance(section, YamlMap) else ruleset.path
            hints.append(
                f"hint: {where}: reference {name!r} ({references[name]}) is enforced by the shipped ruleset {ids[0]}: "
                f"load {ids[0]} beside this ruleset rather than re-declaring its limits and rules "
                f"(efficiency-rules rulesets show {ids[0]})"
            )
    return hints
