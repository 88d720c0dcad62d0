"""Verdict ids are a contract: a digest of the JSON list of what makes the verdict unique."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from efficiency_rules._verdicts import verdict_id


def _by_json(*parts: str) -> str:
    return "v-" + hashlib.blake2b(json.dumps(list(parts)).encode(), digest_size=10).hexdigest()


def test_a_verdict_id_is_pinned() -> None:
    assert verdict_id("cn.xzxk", "2019", "licence.overdue", "case:XK-2024-0917", "e1#overdue.0") == _by_json(
        "cn.xzxk", "2019", "licence.overdue", "case:XK-2024-0917", "e1#overdue.0")
    assert verdict_id("a", "b", "c", "case:住建", "t") == "v-" + hashlib.blake2b(
        b'["a", "b", "c", "case:\\u4f4f\\u5efa", "t"]', digest_size=10).hexdigest()


@given(st.lists(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\, \t\x7f'), max_size=12), min_size=5, max_size=5))
def test_the_id_is_the_digest_of_the_json_list_whatever_the_text(parts: list[str]) -> None:
    assert verdict_id(*parts) == _by_json(*parts)
