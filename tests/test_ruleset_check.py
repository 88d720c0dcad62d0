"""The ruleset checker: every problem of a file reported at its line, and good files compiled exactly.

One bad file per message under tests/data/rulesets/bad/ (each says at its top what is wrong), and
pairs of files under tests/data/rulesets/versions/ for the problems only two versions can have.
Paths are given relative to the repository root, as a user would type them; the checker reports
the path as given. The good files under tests/data/rulesets/good/ use every construct.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import (
    Duration,
    EfficiencyRulesError,
    Ruleset,
    RulesetError,
    RulesetIssue,
    SourceLocation,
    TimeUnit,
    load_ruleset,
    load_rulesets,
)
from efficiency_rules._ruleset import check_paths, ruleset_files
from efficiency_rules._ruleset_schema import LocalizedText

D = dt.date
ROOT = Path(__file__).resolve().parent.parent
DATA = Path("tests", "data", "rulesets")
BAD = DATA / "bad"
GOOD = DATA / "good"
VERSIONS = DATA / "versions"

Expected = list[tuple[int | None, int | None, str]]  # line, column, and the rest of the printed issue

# Each bad file with every issue it must produce, in order: (line, column, "rule 'id': message").
# Lines and columns were checked against the files by eye; a column counts characters, not bytes.
BAD_FILES: list[tuple[str, Expected]] = [
    # The YAML reader: plain data only.
    ("yaml-duplicate-key.yaml", [(11, 5, "duplicate key 'on' (first at line 10, column 5)")]),
    ("yaml-alias.yaml", [(10, 5, "aliases ('*rule') are not allowed in a policy file")]),
    ("yaml-python-tag.yaml", [
        (10, 9, "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in a policy file (plain data only)"),
    ]),
    ("yaml-merge-key.yaml", [(9, 5, "merge keys ('<<') are not allowed in a policy file")]),
    ("yaml-complex-key.yaml", [(10, 7, "a mapping key must be a plain value")]),
    ("yaml-bad-int-tag.yaml", [(7, 32, "'minus-one' is not an integer")]),
    ("yaml-impossible-date.yaml", [(5, 19, "'2024-02-30' is not a date: day is out of range for month")]),
    ("yaml-control-character.yaml", [(3, 10, "unacceptable character #x0007: special characters are not allowed")]),
    # Syntax errors in words, with the line shown and a caret under the column.
    ("yaml-syntax.yaml", [(9, 5, "the mapping '{' opened here is never closed: end it with '}'\n"
                                 "      - {id: r, on: case.accepted, verdict: v\n"
                                 "        ^")]),
    ("yaml-tab.yaml", [(7, 1, "a tab is used for indentation or spacing: YAML allows spaces only; replace the tab with spaces\n"
                              "    →v: {kind: violation, message: 违规}\n"
                              "    ^")]),
    ("yaml-indentation.yaml", [(9, 14, "a ':' where no key can start: the line is indented wrongly (deeper than the key above it), "
                                       "or a value holding ': ' needs quotes\n"
                                       "          message: 违规\n"
                                       "                 ^")]),
    ("yaml-dedent.yaml", [(9, 4, "this line is indented wrongly: it does not line up with the keys of the mapping that starts at "
                                 "line 7, column 3, nor with those around it\n"
                                 "       message: 违规\n"
                                 "       ^")]),
    ("yaml-unclosed-quote.yaml", [(3, 8, 'the quote " opened here is not closed on its line: the text runs on to the next quote '
                                         '(line 4, column 11); end it with " on this line\n'
                                         '    title: "测试\n'
                                         "           ^")]),
    ("yaml-unclosed-bracket.yaml", [(7, 59, "expected ',' or ']' here: the list '[' opened at line 7, column 47 is not closed "
                                            "before this; close it with ']', or put ',' between its items\n"
                                            "      v: {kind: violation, message: 违规, subjects: [actor, unit}\n"
                                            "                                                                ^")]),
    ("yaml-two-documents.yaml", [(9, 1, "expected a single document in the stream, but found another document")]),
    ("yaml-not-utf8.yaml", [(None, None, "file is not UTF-8 text: invalid start byte")]),
    ("not-a-mapping.yaml", [(2, 1, "a ruleset file is a mapping with id, title, version, effective, rules…")]),
    ("empty.yaml", [(1, 1, "a ruleset file is a mapping with id, title, version, effective, rules…")]),
    # The structure: keys, literals, ids, kinds of value.
    ("missing-key.yaml", [(2, 1, "missing key 'version'")]),
    ("missing-rule-key.yaml", [(7, 5, "rule 'r': missing key 'verdict'")]),
    ("unknown-top-level-key.yaml", [
        (6, 1, "unknown key 'verdict'; expected one of id, title, covers, version, effective, timezone, calendar, references, event_types, time_limits, verdicts, rules, accountability — did you mean 'verdicts'?"),
    ]),
    ("unknown-rule-key.yaml", [
        (10, 5, "rule 'r': unknown key 'titel'; expected one of id, title, on, if, expect, verdict — did you mean 'title'?"),
    ]),
    ("unknown-verdict-key.yaml", [
        (9, 5, "verdict 'message': unknown key 'point'; expected one of kind, card, points, sanction, subjects, cites, message — did you mean 'points'?"),
    ]),
    ("bad-ruleset-id.yaml", [
        (2, 5, "'id': 'Test/Bad' is not a valid id (lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)"),
    ]),
    ("bad-rule-id.yaml", [
        (9, 9, "rule 'late answer': 'id': 'late answer' is not a valid id (lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)"),
    ]),
    ("bad-kind.yaml", [
        (7, 13, "verdict 'v': 'kind': expected 'violation', 'warning', 'alarm', 'sanction' or 'compliance', got 'violaton' — did you mean 'violation'?"),
    ]),
    ("bad-subject.yaml", [
        (9, 23, "verdict 'v': 'subjects' item 2: expected 'actor' or 'unit', got 'units' — did you mean 'unit'?"),
    ]),
    ("version-not-text.yaml", [(4, 10, "'version': expected text, got 2024")]),
    ("title-not-text.yaml", [(3, 8, "'title': expected text or a mapping, got ['测试']")]),
    ("title-unknown-language.yaml", [(3, 17, "unknown key 'fr'; expected one of zh, en")]),
    ("effective-not-a-date.yaml", [(5, 19, "'from': expected a date written YYYY-MM-DD, got '2024/01/01'")]),
    ("rules-not-a-list.yaml", [(7, 3, "'rules': expected a list, got {'r': {'on': 'case.accepted', 'verdict': 'v'}}")]),
    ("rule-not-a-mapping.yaml", [(12, 5, "rule '#2': 'rules' item 2: expected a mapping, got 'case.completed'")]),
    ("bad-duration.yaml", [
        (13, 15, "rule 'r': 'within': unknown unit 'days' in duration '20 days'; units are wd, d, mo, h, wh, min — did you mean 'd'?"),
    ]),
    ("expect-event-not-text.yaml", [(12, 31, "rule 'r': 'event' item 2: expected text, got 12")]),
    ("points-not-a-number.yaml", [(7, 32, "verdict 'v': 'points': expected a number, got '一分'")]),
    ("field-type-unknown.yaml", [
        (9, 14, "event type 'document.step': 'pages': expected 'string', 'integer', 'number', 'boolean', 'datetime', 'date', 'duration' or 'list', got 'int' — did you mean 'integer'?"),
    ]),
    ("field-spec-unknown-key.yaml", [
        (9, 28, "event type 'document.step': unknown key 'requird'; expected one of type, required, enum, of, description — did you mean 'required'?"),
    ]),
    ("enum-empty.yaml", [(9, 35, "event type 'document.step': 'enum': needs at least 1 item, got []")]),
    ("names-like-schema-words.yaml", [
        (7, 64, "time limit 'short': 'limit': unknown unit 'wdays' in duration '5wdays'; units are wd, d, mo, h, wh, min — did you mean 'wd'?"),
        (9, 33, "verdict 'full': 'card': expected 'yellow' or 'red', got 'green'"),
    ]),
    # The header, verdicts and references.
    ("to-before-from.yaml", [(7, 7, "'to' (2024-06-30) is before 'from' (2024-07-01)")]),
    ("unknown-timezone.yaml", [(6, 11, "unknown timezone 'Asia/Shanghia'; e.g. 'Asia/Shanghai'")]),
    ("points-out-of-range.yaml", [(8, 32, "verdict 'w': points -500 out of range -100…100")]),
    ("unknown-reference.yaml", [(8, 32, "verdict 'w': cites unknown reference 'xkf-24' — did you mean 'xkf-42'?")]),
    ("unknown-reference-none-declared.yaml", [
        (8, 32, "verdict 'w': cites unknown reference 'xkf-42'; declare it under 'references'"),
    ]),
    ("unknown-reference-no-suggestion.yaml", [(10, 21, "verdict 'w': cites unknown reference '首问责任制'")]),
    ("unknown-placeholder.yaml", [
        (8, 38, "verdict 'w': unknown placeholder {deadlin} in message; placeholders are {rule}, {thread}, {event_type}, {event_id}, {actor}, {unit}, {at}, {deadline}, {within}, {count}, {limit}, {matter}, {overdue_by}, {reason}, {approver}, {new_items}, {card}, {total} and the fields of the event types (declared ones included) — did you mean 'deadline'?"),
    ]),
    # Declared event types.
    ("declared-core-type.yaml", [
        (7, 3, "event type 'case.accepted': is a core event type: it cannot be declared again"),
    ]),
    ("declared-type-bad-name.yaml", [
        (7, 3, "event type 'DocumentStep': an event type name is dotted lower-case words, e.g. 'document.step'"),
    ]),
    ("declared-base-field.yaml", [
        (11, 7, "event type 'document.step': every event has a field 'unit' (id, type, at, unit, actor, meta): choose another name"),
    ]),
    ("declared-field-not-a-name.yaml", [
        (11, 7, "event type 'document.step': field name 'page-count' is not a plain name (letters, digits and '_', not starting with a digit or '_')"),
    ]),
    ("thread-not-a-field.yaml", [
        (8, 13, "event type 'document.step': thread field 'doc' is not one of its fields — did you mean 'doc_id'?"),
    ]),
    ("enum-wrong-type.yaml", [
        (9, 46, "event type 'document.step': enum values must all be of type integer, got 'high'"),
    ]),
    ("enum-on-boolean.yaml", [
        (9, 31, "event type 'document.step': 'enum' applies to string, integer and number fields, not to a boolean field"),
    ]),
    ("declared-type-used-when-invalid.yaml", [
        (8, 13, "event type 'document.step': thread field 'doc' is not one of its fields — did you mean 'doc_id'?"),
    ]),
    # Names of event types, wherever they are used.
    ("unknown-event-type-on.yaml", [
        (10, 9, "rule 'r': unknown event type 'case.acepted' — did you mean 'case.accepted'?"),
    ]),
    ("unknown-event-type-expect-after.yaml", [
        (11, 14, "rule 'r': unknown event type 'case.accept' — did you mean 'case.accepted'?"),
    ]),
    ("unknown-event-type-expect-event.yaml", [
        (12, 14, "rule 'r': unknown event type 'case.complete' — did you mean 'case.completed'?"),
    ]),
    ("unknown-event-type-expect-event-list.yaml", [
        (12, 31, "rule 'r': unknown event type 'case.rejection' — did you mean 'case.rejected'?"),
    ]),
    ("unknown-event-type-expect-unless.yaml", [
        (14, 16, "rule 'r': unknown event type 'case.withdrawal' — did you mean 'case.withdrawn'?"),
    ]),
    ("unknown-event-type-count.yaml", [
        (11, 17, "rule 'r': unknown event type 'case.supplement_request' to count — did you mean 'case.supplement_requested'?"),
    ]),
    ("unknown-event-type-no-suggestion.yaml", [(10, 9, "rule 'r': unknown event type '公文.流转'")]),
    ("unknown-event-type-time-limit-start.yaml", [
        (8, 12, "time limit 'statutory': unknown event type 'case.acceptd' — did you mean 'case.accepted'?"),
    ]),
    ("unknown-event-type-time-limit-start-list.yaml", [
        (8, 28, "time limit 'statutory': unknown event type 'case.acceptd' — did you mean 'case.accepted'?"),
    ]),
    ("unknown-event-type-time-limit-stop.yaml", [
        (9, 28, "time limit 'statutory': unknown event type 'case.withdraw' — did you mean 'case.withdrawn'?"),
    ]),
    # Time limits and 'within'.
    ("time-limit-without-limit.yaml", [(8, 5, "time limit 'statutory': needs a 'limit', a 'matters' catalogue or a 'limit_field' (a limit the starting event carries)")]),
    ("time-limit-zero.yaml", [
        (10, 12, "time limit 'statutory': limit 0wd out of range: more than 0 and at most 750wd"),
    ]),
    ("time-limit-matter-out-of-range.yaml", [
        (12, 14, "time limit 'statutory': limit 40mo out of range: more than 0 and at most 36mo"),
    ]),
    ("time-limit-promise-looser.yaml", [(13, 12, "time limit 'statutory': the promised limit 25wd is longer than the legal limit 20wd "
                                        "it implements: a promise may be stricter than the law, never looser")]),
    ("time-limit-promise-other-unit.yaml", [(15, 13, "time limit 'statutory': the promised limit 10wd cannot be shown within the legal "
                                            "limit 15d: 10 working days can span more than 15 natural days (across a holiday); "
                                            "state both in the same unit")]),
    ("time-limit-matter-dates-overlap.yaml", [(16, 11, "time limit 'statutory': matter 'housing-sale': its dates overlap another "
                                               "entry's: which limit applies would be ambiguous")]),
    ("time-limit-unknown-verdict.yaml", [(14, 25, "time limit 'statutory': unknown verdict 'lat' — did you mean 'late'?")]),
    ("time-limit-warning-share.yaml", [(14, 26, "time limit 'statutory': a share elapsed is more than 0% and less than 100%, got 120%")]),
    ("time-limit-extension-unit.yaml", [(14, 23, "time limit 'statutory': the extension maximum 10d does not count working time, "
                                         "as the limit does: use wd or wh")]),
    ("time-limit-verdict-twice.yaml", [(14, 54, "time limit 'statutory': verdict 'late' is given twice by this time limit: verdicts "
                                        "are told apart by their name (the rule id is '<time limit>.<verdict>'); declare another verdict")]),
    ("time-limit-no-pause-reasons.yaml", [(14, 23, "time limit 'statutory': an empty list allows no pause at all; leave 'reasons' out "
                                           "to allow every reason")]),
    # Conditions over the thread: 'new' list values, fields 'of' an earlier event.
    ("new-not-a-list.yaml", [(11, 15, "rule 'r': 'new' names a list field of case.received, got 'matter'; its list fields are none")]),
    ("except-without-new.yaml", [(11, 32, "rule 'r': 'except' goes with 'new'")]),
    ("of-unknown-type.yaml", [(11, 31, "rule 'r': unknown event type 'inquiry.recieved' — did you mean 'inquiry.received'?")]),
    ("of-unknown-field.yaml", [(11, 17, "rule 'r': inquiry.received has no field 'in_scop'; its fields are actor, at, id, in_scope, "
                                        "inquiry_id, meta, type, unit — did you mean 'in_scope'?")]),
    ("of-wrong-kind.yaml", [(11, 66, "rule 'r': field 'in_scope' of inquiry.received is a boolean (true or false); 'yes' is a string")]),
    # Accountability.
    ("accountability-unknown-counter.yaml", [(12, 35, "accountability rule 'alarm': unknown counter 'unresolve' — did you mean 'unresolved'?")]),
    ("accountability-prose-threshold.yaml", [(12, 51, "accountability rule 'alarm': a threshold is compared with >= (以上) or > (超过), "
                                              "or ==; got '以上' (write '>=')")]),
    ("accountability-unknown-clock-rule.yaml", [
        (17, 39, "counter 'late-replies': no rule 'reply.overdue' in this ruleset gives verdicts — did you mean 'reply.reply-overdue'?"),
    ]),
    ("declared-field-reserved.yaml", [
        (11, 7, "event type 'document.step': field name 'model_config' is reserved: an event is a pydantic model, whose methods "
         "take the names construct, copy, dict, from_orm, json, parse_file, parse_obj, parse_raw, schema, schema_json, "
         "update_forward_refs, validate and every name starting with 'model_': choose another name"),
        (12, 7, "event type 'document.step': field name 'json' is reserved: an event is a pydantic model, whose methods "
         "take the names construct, copy, dict, from_orm, json, parse_file, parse_obj, parse_raw, schema, schema_json, "
         "update_forward_refs, validate and every name starting with 'model_': choose another name"),
    ]),
    ("time-limit-matter-field-unknown.yaml", [
        (13, 19, "time limit 'statutory': matter field 'mater' is not a field of the events this time limit reads "
         "(case.accepted, case.completed, case.received) — did you mean 'matter'?"),
    ]),
    ("time-limit-matter-field-attribute.yaml", [
        (13, 19, "time limit 'statutory': matter field '__doc__' is not a field of the events this time limit reads "
         "(case.accepted, case.completed, case.received)"),
    ]),
    ("time-limit-extension-other-thread.yaml", [
        (24, 17, "time limit 'documents': this clock runs on document.received (thread 'doc_id'), where case.extension_granted "
         "never comes: name the event type that grants extensions with extensions.event — e.g. 'document.extended'"),
    ]),
    ("invisible-characters.yaml", [
        (9, 3, "name 'l\u0435ave' mixes Latin and Cyrillic letters, which look alike ('\u0435' is U+0435 CYRILLIC SMALL LETTER IE): "
         "write it in one script"),
        (11, 3, "name 'licence\\u202e' contains U+202E RIGHT-TO-LEFT OVERRIDE, a control that shows text in another order than "
         "it is written: remove it"),
        (15, 23, "'unified\\u200b' contains U+200B ZERO WIDTH SPACE, an invisible character: remove it"),
    ]),
    ("accountability-window-in-words.yaml", [
        (8, 59, "'window': expected 'week', 'month', 'bimonth', 'quarter', 'half_year' or 'year', or a mapping, "
         "got 'calendar_month' — did you mean 'month'?"),
    ]),
    ("condition-in-words.yaml", [
        (11, 48, "rule 'r': comparison written in words ('不足'): write op: '<' — 不足 excludes the number (民法典 art. 1259)"),
        (11, 59, "rule 'r': a count is compared with a whole number ≥ 0, got '3次': write value: 3"),
    ]),
    # Year files: read relative to the ruleset, regular files of a bounded size, one calendar together.
    ("calendar-year-file-device.yaml", [
        (6, 25, "calendar: year file '/dev/zero': /dev/zero: a year file is a regular file, and this is a device"),
    ]),
    ("calendar-year-file-invalid.yaml", [
        (8, 7, "calendar: year file '../../year_files/bad/unknown-top-key.yaml': tests/data/rulesets/bad/../../year_files/bad/"
         "unknown-top-key.yaml:4:1: unknown key 'holiday' in a year file; expected year, notice, holidays, workdays — did you "
         "mean 'holidays'?"),
        (9, 7, "calendar: year file '../../year_files/china-2029.yaml': tests/data/rulesets/bad/../../year_files/china-2029.yaml: "
         "cannot read file: No such file or directory"),
    ]),
    ("calendar-year-file-gap.yaml", [
        (6, 24, "calendar: year files: the calendar's years must be contiguous: 2027 missing between 2004 and 2028; load a year "
         "file for each"),
    ]),
    ("accountability-counter-both.yaml", [(10, 11, "counter 'both': a counter counts exactly one of 'event' (a type) or 'verdicts' (a filter)")]),
    ("accountability-subject-field.yaml", [(10, 73, "counter 'unresolved': evaluation.submitted has no field 'target_unt' — did you mean "
                                            "'target_unit'?")]),
    ("accountability-unknown-step.yaml", [(12, 50, "ladder 'ladder': unknown verdict 'talk'")]),
    ("accountability-bands-order.yaml", [(10, 12, "scores: bands go from the highest minimum down; only the last may have no minimum")]),
    ("within-out-of-range.yaml", [(13, 15, "rule 'r': limit 2000wd out of range: more than 0 and at most 750wd")]),
    ("within-zero.yaml", [(13, 15, "rule 'r': limit 0h out of range: more than 0 and at most 26400h")]),
    # Rules.
    ("duplicate-rule-id.yaml", [(12, 9, "rule 'r': rule id used twice (first as rule #1)")]),
    ("unknown-verdict.yaml", [(11, 14, "rule 'r': unknown verdict 'vv' — did you mean 'v'?")]),
    ("unknown-verdict-none-declared.yaml", [(9, 14, "rule 'r': unknown verdict 'late'; declare it under 'verdicts'")]),
    ("on-and-expect.yaml", [
        (9, 5, "rule 'r': a rule has exactly one of 'on' (an event) or 'expect' (something must follow)"),
    ]),
    ("neither-on-nor-expect.yaml", [
        (9, 5, "rule 'r': a rule has exactly one of 'on' (an event) or 'expect' (something must follow)"),
    ]),
    ("if-on-expect-rule.yaml", [(10, 5, "rule 'r': an 'expect' rule states its conditions under expect.where")]),
    ("verdict-invalid-used-by-rule.yaml", [  # the rule is not also told its verdict is unknown
        (7, 13, "verdict 'v': 'kind': expected 'violation', 'warning', 'alarm', 'sanction' or 'compliance', got 'violaton' — did you mean 'violation'?"),
    ]),
    # Conditions: shape, fields, operators, values.
    ("condition-not-a-mapping.yaml", [(11, 9, "rule 'r': a condition is a mapping or a list, got '事项 不为空'")]),
    ("all-not-alone.yaml", [(11, 50, "rule 'r': 'all' stands alone; unexpected key 'op'")]),
    ("any-empty.yaml", [(11, 15, "rule 'r': 'any' takes a non-empty list of conditions")]),
    ("not-not-alone.yaml", [(11, 52, "rule 'r': 'not' stands alone; unexpected key 'field'")]),
    ("unknown-condition-key.yaml", [
        (11, 17, "rule 'r': unknown key 'feild' in a condition; expected field, count or new, op, value, or all/any/not — did you mean 'field'?"),
    ]),
    ("field-and-count.yaml", [
        (11, 9, "rule 'r': a comparison names exactly one of 'field' (of the event), 'count' (of events) "
        "or 'new' (values a list field adds to the thread's first event of its type)"),
    ]),
    ("neither-field-nor-count.yaml", [
        (11, 9, "rule 'r': a comparison names exactly one of 'field' (of the event), 'count' (of events) "
        "or 'new' (values a list field adds to the thread's first event of its type)"),
    ]),
    ("op-missing.yaml", [
        (11, 9, "rule 'r': a comparison needs 'op', one of == != < <= > >= in not_in exists missing"),
    ]),
    ("op-not-text.yaml", [(11, 48, "rule 'r': 'op' is one of == != < <= > >= in not_in exists missing, got ['>']")]),
    ("unknown-field.yaml", [
        (11, 17, "rule 'r': inquiry.received has no field 'in_scop'; its fields are actor, at, id, in_scope, inquiry_id, meta, type, unit — did you mean 'in_scope'?"),
    ]),
    ("unknown-field-no-suggestion.yaml", [
        (11, 17, "rule 'r': inquiry.received has no field '办理期限'; its fields are actor, at, id, in_scope, inquiry_id, meta, type, unit"),
    ]),
    ("field-not-text.yaml", [(11, 17, "rule 'r': 'field' names a field of case.received, got ['matter']")]),
    ("prose-yishang.yaml", [
        (11, 48, "rule 'r': comparison written in words ('以上'): write op: '>=' — 以上 includes the number (民法典 art. 1259)"),
    ]),
    ("prose-chaoguo.yaml", [
        (11, 48, "rule 'r': comparison written in words ('超过'): write op: '>' — 超过 excludes the number (民法典 art. 1259)"),
    ]),
    ("prose-buman.yaml", [
        (11, 48, "rule 'r': comparison written in words ('不满'): write op: '<' — 不满 excludes the number (民法典 art. 1259)"),
    ]),
    ("prose-at-least.yaml", [
        (11, 48, "rule 'r': comparison written in words ('at least'): write op: '>=' — 'at least' includes the number"),
    ]),
    ("prose-more-than.yaml", [
        (11, 48, "rule 'r': comparison written in words ('more than'): write op: '>' — 'more than' excludes the number"),
    ]),
    ("prose-gte.yaml", [(11, 48, "rule 'r': comparison written in words ('gte'): write op: '>=' — write the symbol")]),
    ("unknown-operator.yaml", [
        (11, 48, "rule 'r': unknown operator '=>'; operators are == != < <= > >= in not_in exists missing — did you mean '>='?"),
    ]),
    ("unknown-operator-no-suggestion.yaml", [
        (11, 48, "rule 'r': unknown operator 'between'; operators are == != < <= > >= in not_in exists missing"),
    ]),
    ("type-mismatch-boolean.yaml", [
        (11, 44, "rule 'r': field 'in_scope' of inquiry.received is a boolean (true or false); 'yes' is a string"),
    ]),
    ("type-mismatch-string.yaml", [
        (11, 42, "rule 'r': field 'matter' of case.received is a string; 42 is an integer"),
    ]),
    ("ordering-on-string.yaml", [
        (11, 29, "rule 'r': '>' compares numbers, but field 'matter' of case.received is a string"),
    ]),
    ("enum-value-not-allowed.yaml", [
        (11, 43, "rule 'r': field 'outcome' of inquiry.answered is one of 'handled', 'explained'; 'handeld' is not one of them — did you mean 'handled'?"),
    ]),
    ("in-empty-list.yaml", [(11, 41, "rule 'r': 'in' takes a non-empty list of values")]),
    ("not-in-not-a-list.yaml", [(11, 45, "rule 'r': 'not_in' takes a non-empty list of values")]),
    ("in-item-cannot-match.yaml", [
        (11, 52, "rule 'r': field 'rating' of evaluation.submitted is one of 'satisfied', 'basically_satisfied', 'unsatisfied', 'unresolved'; '满意' can never match"),
    ]),
    ("exists-with-value.yaml", [(11, 45, "rule 'r': 'exists' takes no value")]),
    ("value-missing.yaml", [(11, 9, "rule 'r': '!=' needs a value")]),
    ("field-not-comparable.yaml", [
        (11, 28, "rule 'r': field 'items' of case.supplement_requested is a list: only exists and missing apply to it"),
    ]),
    ("count-with-exists.yaml", [(11, 48, "rule 'r': a count is compared with == != < <= > >=, not 'exists'")]),
    ("count-negative.yaml", [(11, 46, "rule 'r': a count is compared with a whole number ≥ 0, got -1")]),
    ("count-not-integer.yaml", [(11, 61, "rule 'r': a count is compared with a whole number ≥ 0, got 1.5")]),
    ("count-without-value.yaml", [(11, 9, "rule 'r': '>=' needs a value")]),
    # Rules that can never fire.
    ("never-two-values.yaml", [
        (12, 7, "rule 'r': can never fire: 'outcome' must equal 'explained' and 'handled' at once"),
    ]),
    ("never-equal-and-differ.yaml", [
        (12, 7, "rule 'r': can never fire: 'channel' must equal 'web' and differ from it"),
    ]),
    ("never-exists-and-missing.yaml", [(11, 9, "rule 'r': can never fire: 'channel' must both exist and be missing")]),
    ("never-equal-and-missing.yaml", [
        (11, 9, "rule 'r': can never fire: 'channel' must equal a value and be missing"),
    ]),
    ("never-equal-not-in-list.yaml", [
        (11, 9, "rule 'r': can never fire: 'channel' must equal 'web' and be one of 'counter', 'mail'"),
    ]),
    ("never-empty-range.yaml", [
        (12, 7, "rule 'r': can never fire: no count of 'case.paused' satisfies all its comparisons"),
    ]),
    ("never-greater-and-equal.yaml", [
        (12, 7, "rule 'r': can never fire: no count of 'case.paused' satisfies all its comparisons"),
    ]),
    ("never-count-of-trigger-below-one.yaml", [
        (11, 9, "rule 'r': can never fire: no count of 'case.supplement_requested' satisfies all its comparisons (it is at least 1 here)"),
    ]),
    ("never-expect-where.yaml", [(12, 14, "rule 'r': can never fire: 'in_scope' must equal false and true at once")]),
    # Everything at once: every problem, in file order.
    ("many-errors.yaml", [
        (5, 35, "'to' (2024-06-30) is before 'from' (2024-07-01)"),
        (6, 11, "unknown timezone 'Asia/Shanghia'; e.g. 'Asia/Shanghai'"),
        (11, 13, "event type 'document.step': thread field 'doc' is not one of its fields — did you mean 'doc_id'?"),
        (16, 12, "time limit 'statutory': unknown event type 'case.acceptd' — did you mean 'case.accepted'?"),
        (18, 12, "time limit 'statutory': limit 0wd out of range: more than 0 and at most 750wd"),
        (22, 13, "verdict 'late': points -500 out of range -100…100"),
        (23, 13, "verdict 'late': cites unknown reference 'xkf-24' — did you mean 'xkf-42'?"),
        (24, 14, "verdict 'late': unknown placeholder {deadlin} in message; placeholders are {rule}, {thread}, {event_type}, {event_id}, {actor}, {unit}, {at}, {deadline}, {within}, {count}, {limit}, {matter}, {overdue_by}, {reason}, {approver}, {new_items}, {card}, {total} and the fields of the event types (declared ones included) — did you mean 'deadline'?"),
        (25, 16, "verdict 'typo': 'kind': expected 'violation', 'warning', 'alarm', 'sanction' or 'compliance', got 'violaton' — did you mean 'violation'?"),
        (28, 9, "rule 'r1': unknown event type 'case.acepted' — did you mean 'case.accepted'?"),
        (33, 17, "rule 'r2': inquiry.received has no field 'in_scop'; its fields are actor, at, id, in_scope, inquiry_id, meta, type, unit — did you mean 'in_scope'?"),
        (34, 31, "rule 'r2': comparison written in words ('以上'): write op: '>=' — 以上 includes the number (民法典 art. 1259)"),
        # the rest of the comparison is checked with the operator the words mean: every problem of the entry at once
        (34, 31, "rule 'r2': '>=' compares numbers, but field 'in_scope' of inquiry.received is a boolean (true or false)"),
        (35, 14, "rule 'r2': unknown verdict 'lat' — did you mean 'late'?"),
        (38, 9, "rule 'r3': can never fire: no count of 'case.supplement_requested' satisfies all its comparisons (it is at least 1 here)"),
        (40, 9, "rule 'r3': rule id used twice (first as rule #3)"),
        (43, 5, "rule 'r5': missing key 'verdict'"),
        (45, 5, "rule 'r5': unknown key 'verdcit'; expected one of id, title, on, if, expect, verdict — did you mean 'verdict'?"),
        (49, 14, "rule 'r6': unknown event type 'case.complete' — did you mean 'case.completed'?"),
        (50, 15, "rule 'r6': limit 2000wd out of range: more than 0 and at most 750wd"),
        (51, 16, "rule 'r6': unknown event type 'case.withdrawal' — did you mean 'case.withdrawn'?"),
    ]),
]  # fmt: skip


def expected_lines(path: str, expected: Expected) -> list[str]:
    return [f"{SourceLocation(path, line, column)}: {text}" for line, column, text in expected]


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize(("name", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file(name: str, expected: Expected) -> None:
    path = str(BAD / name)
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    assert [str(issue) for issue in info.value.issues] == expected_lines(path, expected)
    assert [(i.location.path, i.location.line, i.location.column) for i in info.value.issues] == [
        (path, line, column) for line, column, _ in expected
    ]
    # check_paths (the CLI's `check`) returns the same problems instead of raising.
    assert check_paths([path]) == ([], info.value.issues)


def test_every_bad_file_is_tested() -> None:
    names = [b[0] for b in BAD_FILES]
    assert len(names) == len(set(names)), "a bad file is listed twice"
    assert sorted(p.name for p in (ROOT / BAD).iterdir()) == sorted(names)


@pytest.mark.usefixtures("at_root")
def test_a_directory_of_bad_files_reports_every_file_in_turn() -> None:
    """Files are read in name order; each one's problems in file order; none stops the others."""
    by_name = dict(BAD_FILES)
    expected = [line for name in sorted(by_name) for line in expected_lines(str(BAD / name), by_name[name])]
    rulesets, issues = check_paths([BAD])
    assert rulesets == []
    assert [str(issue) for issue in issues] == expected


@pytest.mark.usefixtures("at_root")
def test_the_error_counts_its_problems_and_is_a_value_error() -> None:
    path = str(BAD / "many-errors.yaml")
    with pytest.raises(ValueError) as info:  # callers who know nothing of this library
        load_ruleset(path)
    error = info.value
    assert isinstance(error, RulesetError) and isinstance(error, EfficiencyRulesError)
    expected = expected_lines(path, dict(BAD_FILES)["many-errors.yaml"])
    assert len(expected) == 21
    assert str(error) == "21 problems in ruleset files:\n" + "\n".join(expected)
    first = error.issues[0]
    assert first == RulesetIssue(SourceLocation(path, 5, 35), "'to' (2024-06-30) is before 'from' (2024-07-01)")
    late = [issue for issue in error.issues if issue.context == "verdict 'late'"]
    assert [issue.message.split(" ")[0] for issue in late] == ["points", "cites", "unknown"]
    assert {issue.rule for issue in error.issues if issue.rule} == {"r1", "r2", "r3", "r5", "r6"}


@pytest.mark.usefixtures("at_root")
def test_one_problem_prints_as_one_line() -> None:
    path = str(BAD / "unknown-event-type-on.yaml")
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    assert str(info.value) == f"{path}:10:9: rule 'r': unknown event type 'case.acepted' — did you mean 'case.accepted'?"
    (issue,) = info.value.issues
    assert issue.rule == "r" and issue.context is None
    assert issue.message == "unknown event type 'case.acepted' — did you mean 'case.accepted'?"


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", ["yaml-alias.yaml", "unknown-field.yaml", "many-errors.yaml"])  # reader, checker, both
@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_errors_name_the_file_as_given(name: str, absolute: bool) -> None:
    path = str(ROOT / BAD / name) if absolute else f"tests/data/rulesets/bad/{name}"
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    assert {issue.location.path for issue in info.value.issues} == {path}


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert check_paths([path]) == ([], [RulesetIssue(SourceLocation(str(path)), "cannot read file: No such file or directory")])


def test_a_directory_without_rulesets(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a ruleset\n", encoding="utf-8")
    (tmp_path / "first-inquiry.test.yaml").write_text("scenarios: []\n", encoding="utf-8")  # a scenario file
    with pytest.raises(RulesetError) as info:
        load_rulesets([tmp_path])
    assert info.value.issues == [RulesetIssue(SourceLocation(str(tmp_path)), "no ruleset files found")]


def test_a_counter_of_rules_no_ruleset_checked_with_it_gives(tmp_path: Path) -> None:
    """Without 'ruleset', a filter's rules are looked for in every ruleset checked with it (a run may load fewer)."""
    text = (ROOT / BAD / "accountability-unknown-clock-rule.yaml").read_text(encoding="utf-8")
    path = tmp_path / "any-ruleset.yaml"
    path.write_text(text.replace("rules: [reply.overdue]", "rules: [answer-in-time]"), encoding="utf-8")
    assert check_paths([path]) == ([], [RulesetIssue(
        SourceLocation(str(path), 17, 39),
        "no rule 'answer-in-time' in any ruleset loaded gives verdicts; a time limit's verdicts come from rule "
        "'<time limit>.<verdict>'",
        context="counter 'late-replies'",
    )])
    assert load_ruleset(path).id == "test.bad"  # loading it alone to run with others is not refused
    examples = ROOT / "rulesets" / "examples" / "first-inquiry.yaml"
    path.write_text(text.replace("rules: [reply.overdue]", "rules: [answer-within-one-day]"), encoding="utf-8")
    assert [r.id for r in check_paths([path, examples])[0]] == ["test.bad", "demo.first-inquiry"]


def test_a_directory_that_cannot_be_read_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    good = tmp_path / "good.yaml"
    good.write_text((ROOT / GOOD).joinpath("case-handling.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "locked").mkdir()
    walk = os.walk

    def refusing(top: str, onerror: Any = None, **kw: Any) -> Any:
        for folder, dirs, files in walk(top, onerror=onerror, **kw):
            if Path(folder).name == "locked":
                onerror(PermissionError(13, "Permission denied", folder))
                continue
            yield folder, dirs, files

    monkeypatch.setattr(os, "walk", refusing)
    rulesets, issues = check_paths([tmp_path])
    assert (rulesets, [str(i) for i in issues]) == ([], [f"{tmp_path / 'locked'}: cannot read directory: Permission denied"])
    with pytest.raises(RulesetError, match="cannot read directory: Permission denied"):
        list(ruleset_files([tmp_path]))


def test_ruleset_files_skips_scenario_files_and_sorts(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml", "a.test.yaml", "a.test.yml", "c.txt", "sub/d.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in ruleset_files([tmp_path])] == ["a.yml", "b.yaml", "sub/d.yaml"]


# -- versions of one ruleset: pairs of files -----------------------------------------------------

# Each directory holds two versions of the ruleset 'test.versions' that do not fit together; the
# problem is reported at the later one. "{dir}" stands for the directory as given.
VERSION_PAIRS: list[tuple[str, Expected]] = [
    ("overlap", [(5, 19, (
        "ruleset 'test.versions' version '2024-revised': effective from 2024-07-01, but version '2024' "
        "({dir}/2024.yaml) is in force until 2024-12-31: the dates overlap"
    ))]),
    ("overlap-open-ended", [(5, 19, (
        "ruleset 'test.versions' version '2025': effective from 2025-01-01, but version '2024' "
        "({dir}/2024.yaml) is in force with no end date: the dates overlap"
    ))]),
    ("gap", [(5, 19, (
        "ruleset 'test.versions' version '2025': effective from 2025-03-01, but version '2024' "
        "({dir}/2024.yaml) ends 2024-12-31: no version is in force 2025-01-01…2025-02-28"
    ))]),
    ("same-version", [(4, 10, "ruleset 'test.versions' version '1': version '1' is also in {dir}/2024.yaml")]),
]  # fmt: skip
LATER = {"overlap": "2024-revised.yaml", "overlap-open-ended": "2025.yaml", "gap": "2025.yaml", "same-version": "2025.yaml"}


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize(("name", "expected"), VERSION_PAIRS, ids=[v[0] for v in VERSION_PAIRS])
def test_versions_that_do_not_fit_together(name: str, expected: Expected) -> None:
    directory = str(VERSIONS / name)
    later = str(VERSIONS / name / LATER[name])
    lines = expected_lines(later, [(line, column, text.replace("{dir}", directory)) for line, column, text in expected])
    with pytest.raises(RulesetError) as info:
        load_rulesets([directory])
    assert [str(issue) for issue in info.value.issues] == lines
    # Each file alone is fine: only the pair is wrong, whichever order the files are named in.
    for file in sorted((ROOT / VERSIONS / name).iterdir()):
        assert isinstance(load_ruleset(file), Ruleset)
    files = [str(VERSIONS / name / "2024.yaml"), later]
    assert [str(issue) for issue in check_paths(reversed(files))[1]] == lines


def test_every_version_pair_is_tested() -> None:
    assert sorted(p.name for p in (ROOT / VERSIONS).iterdir()) == sorted(v[0] for v in VERSION_PAIRS)
    for pair in (ROOT / VERSIONS).iterdir():
        assert sorted(p.name for p in pair.iterdir()) == sorted(["2024.yaml", LATER[pair.name]])


# -- good files ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good() -> dict[str, Ruleset]:
    rulesets = load_rulesets([ROOT / GOOD])
    return {Path(r.path).name: r for r in rulesets}


def test_the_good_files_load_together(good: dict[str, Ruleset]) -> None:
    assert sorted(good) == ["aggregates.yaml", "case-handling.yaml", "clocks.yaml", "first-inquiry-2024.yaml",
                            "first-inquiry-2025.yaml"]
    assert check_paths([ROOT / GOOD])[1] == []
    for name, ruleset in good.items():
        assert ruleset.path == str(ROOT / GOOD / name)
        assert load_ruleset(ROOT / GOOD / name).spec == ruleset.spec  # alone, too


def test_metadata(good: dict[str, Ruleset]) -> None:
    ruleset = good["case-handling.yaml"]
    spec = ruleset.spec
    assert (ruleset.id, ruleset.version) == ("test.case-handling", "2024.1")
    assert spec.title == LocalizedText(zh="办件时限与一次性告知（测试用）", en="Case time limits and one-time notification (for tests)")
    assert (spec.effective.from_, spec.effective.to) == (D(2024, 1, 1), D(2024, 12, 31))
    assert spec.timezone == "Asia/Shanghai"
    assert (spec.calendar.name, spec.calendar.business_hours, spec.calendar.year_files) == ("china", "09:00-12:00,13:30-17:30", [])
    assert repr(ruleset) == f"<Ruleset test.case-handling 2024.1 (8 rules) from {ROOT / GOOD / 'case-handling.yaml'}>"


def test_references_carry_chinese_citations(good: dict[str, Ruleset]) -> None:
    ruleset = good["case-handling.yaml"]
    assert ruleset.reference("xkf-42") == {
        "id": "xkf-42",
        "citation": "《中华人民共和国行政许可法》第四十二条",
        "text": "除可以当场作出行政许可决定的外，行政机关应当自受理行政许可申请之日起二十日内作出行政许可决定。",
    }
    assert ruleset.reference("xkf-32")["citation"] == "《中华人民共和国行政许可法》第三十二条第一款第（四）项"
    assert ruleset.spec.references["xkf-32"].url == "https://www.gov.cn/"
    assert good["first-inquiry-2025.yaml"].reference("five-systems-3.2") == {
        "id": "five-systems-3.2", "citation": "区机关效能建设五项制度 三(二) 首问责任制", "text": None,
    }


def test_verdict_templates(good: dict[str, Ruleset]) -> None:
    verdicts = good["case-handling.yaml"].spec.verdicts
    late = verdicts["late"]
    assert (late.kind, late.card, late.points, late.sanction, late.subjects, late.cites) == (
        "violation", "yellow", -1, "通报批评", ["actor", "unit"], ["xkf-42"]
    )
    assert late.message == LocalizedText(
        zh="{thread}：{event_type}（{event_id}）未在{within}内办结，期限{deadline}；经办人{actor}，单位{unit}，规则{rule}",
        en="{thread}: {event_type} ({event_id}) not completed within {within}, due {deadline}; {actor} of {unit}, rule {rule}",
    )
    notice = verdicts["repeated-notice"]
    assert (notice.kind, notice.points, notice.subjects, notice.message) == ("warning", -0.5, ["unit"], "{thread} 第{count}次补正告知（{at}）")
    assert (verdicts["noted"].kind, verdicts["noted"].subjects, verdicts["noted"].cites) == ("compliance", ["actor", "unit"], [])


def test_time_limits(good: dict[str, Ruleset]) -> None:
    limits = good["case-handling.yaml"].spec.time_limits
    statutory, per_matter = limits["statutory"], limits["per-matter"]
    assert (statutory.start, statutory.stop, statutory.limit, statutory.matters) == (
        "case.accepted", ["case.completed", "case.withdrawn"], Duration(Decimal(20), TimeUnit.WORKING_DAYS), {}
    )
    assert (per_matter.start, per_matter.stop, per_matter.limit) == (["case.received", "case.accepted"], ["case.completed"], None)
    assert {matter: str(limit) for matter, limit in per_matter.matters.items()} == {"M-001": "5wd", "M-002": "10d", "M-003": "1mo"}


def test_declared_event_types(good: dict[str, Ruleset]) -> None:
    ruleset = good["case-handling.yaml"]
    assert sorted(ruleset.event_types) == ["document.filed", "document.step"]
    step = ruleset.event_types["document.step"]
    assert step.__thread_field__ == "doc_id"  # type: ignore[attr-defined]
    event = step.model_validate({
        "id": "e1", "type": "document.step", "at": "2024-03-01T09:00:00+08:00", "doc_id": "D-1", "stage": "review",
        "priority": 2, "pages": 12, "weight": 1.5, "urgent": True, "reviewers": ["张三"],
    })
    assert (event.stage, event.signed_on, event.scores, event.note) == ("review", None, None, None)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="stage"):
        step.model_validate({**event.model_dump(), "stage": "archived"})  # not in its enum
    with pytest.raises(ValueError, match="reviewers"):
        step.model_validate({k: v for k, v in event.model_dump().items() if k != "reviewers"})  # a required list
    assert good["first-inquiry-2025.yaml"].event_types == {}


# Every rule of the good file compiled to the neutral form of _match: (trigger, condition).
COMPILED = {
    "accepted-needs-matter": ("case.accepted", ("missing", "f.matter")),
    "big-urgent-document": ("document.step", ("all", (
        ("cmp", "==", "f.urgent", True),
        ("cmp", ">", "f.pages", 10),
        ("cmp", "<", "f.pages", 500),
        ("cmp", ">=", "f.pages", 11),
        ("cmp", "<=", "f.pages", 499),
        ("exists", "f.weight"),
        ("cmp", "!=", "f.stage", "draft"),
        ("in", "f.priority", (1, 2)),
        ("all", (("exists", "f.stage"), ("not", ("in", "f.stage", ("signed",))))),  # not_in
        ("exists", "f.reviewers"),
        ("missing", "f.signed_on"),
    ))),
    "unicode-operators": ("document.step", ("any", (  # ≥ ≤ ≠ and = are the operators they look like
        ("cmp", ">=", "f.pages", 100),
        ("cmp", "<=", "f.pages", 1),
        ("cmp", "!=", "f.stage", "review"),
        ("cmp", "==", "f.priority", 3),
    ))),
    "not-and-list": ("document.step", ("all", (
        ("not", ("exists", "f.note")),
        ("not", ("any", (("exists", "f.scores"), ("cmp", "==", "f.doc_id", "D-0")))),
    ))),
    "supplement-more-than-once": ("case.supplement_requested", ("all", (
        ("cmp", ">", "count.case.supplement_requested", 1),
        ("cmp", "==", "count.case.supplement_received", 0),
        ("cmp", "!=", "count.case.paused", 2),
    ))),
    "complete-in-20-working-days": ("case.accepted", ("cmp", "==", "count.case.accepted", 1)),
    "file-signed-document": ("document.step", ("all", (("cmp", "==", "f.stage", "signed"),))),
    "answer-at-once": ("inquiry.received", ("all", ())),  # no condition: always
}  # fmt: skip


def test_compiled_conditions(good: dict[str, Ruleset]) -> None:
    ruleset = good["case-handling.yaml"]
    assert {rule.id: (rule.trigger, rule.condition) for rule in ruleset.rules} == COMPILED
    assert [rule.id for rule in ruleset.rules] == list(COMPILED)  # in file order
    assert ruleset.counted_types == {"case.supplement_requested", "case.supplement_received", "case.paused", "case.accepted"}


def test_compiled_rules_keep_their_verdicts_and_expectations(good: dict[str, Ruleset]) -> None:
    ruleset = good["case-handling.yaml"]
    rules = {rule.id: rule for rule in ruleset.rules}
    assert rules["accepted-needs-matter"].title == LocalizedText(zh="受理须注明事项", en="Acceptance names the matter")
    assert rules["big-urgent-document"].title == LocalizedText(zh="紧急大件公文", en=None)
    assert rules["not-and-list"].title == LocalizedText(zh="not-and-list", en="not-and-list")  # untitled: its id
    assert {rule.id: rule.verdict_id for rule in ruleset.rules if rule.verdict_id != "noted"} == {
        "supplement-more-than-once": "repeated-notice", "complete-in-20-working-days": "late", "file-signed-document": "late",
    }
    assert rules["complete-in-20-working-days"].verdict is ruleset.spec.verdicts["late"]
    on_rules = [rule for rule in ruleset.rules if rule.expect is None]
    assert all(rule.satisfied_by == rule.excused_by == frozenset() for rule in on_rules)

    complete = rules["complete-in-20-working-days"]
    assert complete.expect is not None and complete.expect.within == Duration(Decimal(20), TimeUnit.WORKING_DAYS)
    assert complete.satisfied_by == {"case.completed", "case.rejected"}
    assert complete.excused_by == {"case.withdrawn", "case.paused"}
    filed = rules["file-signed-document"]
    assert filed.expect is not None and str(filed.expect.within) == "2.5wd"
    assert (filed.satisfied_by, filed.excused_by) == (frozenset({"document.filed"}), frozenset())
    at_once = rules["answer-at-once"]
    assert at_once.expect is not None and at_once.expect.within == Duration(Decimal(0), TimeUnit.IMMEDIATE)
    assert at_once.satisfied_by == {"inquiry.answered"}


def test_two_versions_with_adjoining_dates(good: dict[str, Ruleset]) -> None:
    first, second = good["first-inquiry-2024.yaml"], good["first-inquiry-2025.yaml"]
    assert (first.id, first.version, second.id, second.version) == ("test.first-inquiry", "2024", "test.first-inquiry", "2025")
    assert first.spec.title == "首问负责制（测试用）"
    assert second.spec.title == LocalizedText(zh="首问负责制（测试用）", en="First-inquiry responsibility (for tests)")
    assert [rule.id for rule in first.rules] == ["referral-names-no-unit"]
    assert first.rules[0].condition == ("all", (("missing", "f.to_unit"),))  # a list is "all of"
    assert second.rules[0].condition == ("missing", "f.to_unit")  # a single condition stays one
    assert {rule.id: rule.condition for rule in second.rules[1:]} == {
        "answer-in-scope-within-one-day": ("cmp", "==", "f.in_scope", True),
        "explained-out-of-scope": ("all", (("cmp", "==", "f.outcome", "explained"), ("cmp", ">=", "count.inquiry.received", 1))),
    }
    assert (first.spec.verdicts["no-unit"].points, second.spec.verdicts["no-unit"].points) == (-0.5, -1)


@pytest.mark.parametrize(
    ("name", "day", "in_force"),
    [
        ("case-handling.yaml", D(2023, 12, 31), False),
        ("case-handling.yaml", D(2024, 1, 1), True),  # both ends are inclusive
        ("case-handling.yaml", D(2024, 12, 31), True),
        ("case-handling.yaml", D(2025, 1, 1), False),
        ("first-inquiry-2025.yaml", D(2024, 12, 31), False),
        ("first-inquiry-2025.yaml", D(2025, 1, 1), True),
        ("first-inquiry-2025.yaml", D(2999, 12, 31), True),  # no end date: until replaced
    ],
)
def test_in_force(good: dict[str, Ruleset], name: str, day: dt.date, in_force: bool) -> None:
    assert good[name].in_force(day) is in_force


def test_exactly_one_version_is_in_force_each_day(good: dict[str, Ruleset]) -> None:
    versions = [good["first-inquiry-2024.yaml"], good["first-inquiry-2025.yaml"]]
    day = D(2023, 12, 31)
    assert not any(v.in_force(day) for v in versions)
    for offset in range(1, 800):
        day = D(2023, 12, 31) + dt.timedelta(days=offset)
        assert [v.version for v in versions if v.in_force(day)] == ["2024" if day.year == 2024 else "2025"], day


def test_the_engine_accepts_the_good_files() -> None:
    from efficiency_rules import Engine

    engine = Engine([ROOT / GOOD])
    assert engine.registry.get("document.step") is not None
    engine.close()


# -- known gaps, pinned so that fixing them is noticed -------------------------------------------


def _ruleset_text(event_types: str, rules: str) -> str:
    return (
        'id: test.gap\ntitle: 测试\nversion: "1"\neffective: {from: 2024-01-01}\n'
        f"event_types:\n{event_types}verdicts:\n  v: {{kind: violation, message: 违规}}\nrules:\n{rules}"
    )


def test_a_declared_number_field_can_be_compared(tmp_path: Path) -> None:
    path = tmp_path / "number.yaml"
    path.write_text(_ruleset_text(
        "  document.step:\n    fields:\n      weight: number\n",
        '  - id: heavy\n    on: document.step\n    if: {field: weight, op: ">=", value: 0.5}\n    verdict: v\n',
    ), encoding="utf-8")
    assert load_ruleset(path).rules[0].condition == ("cmp", ">=", "f.weight", 0.5)


def test_a_verdict_with_a_structural_error_still_has_its_cites_checked(tmp_path: Path) -> None:
    path = tmp_path / "verdict.yaml"
    path.write_text(
        'id: test.gap\ntitle: 测试\nversion: "1"\neffective: {from: 2024-01-01}\n'
        "verdicts:\n  v: {kind: violaton, cites: [nowhere], message: 违规}\n",
        encoding="utf-8",
    )
    _, issues = check_paths([path])
    assert [issue.message.split(" ")[0] for issue in issues] == ["'kind':", "cites"]


def test_an_empty_rule_title_stands_for_no_title(tmp_path: Path) -> None:
    """Found by the ruleset-mutation fuzzer: ``title: ""`` made a raw pydantic error; the id stands for it."""
    text = (ROOT / "rulesets" / "examples" / "first-inquiry.yaml").read_text(encoding="utf-8")
    path = tmp_path / "first-inquiry.yaml"
    path.write_text(text.replace("  - id: referral-names-no-unit\n", '  - id: referral-names-no-unit\n    title: ""\n'),
                    encoding="utf-8")
    (rule,) = [r for r in load_ruleset(path).rules if r.id == "referral-names-no-unit"]
    assert (rule.title.zh, rule.title.en) == ("referral-names-no-unit", "referral-names-no-unit")
