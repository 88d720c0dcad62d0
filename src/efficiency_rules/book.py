"""The policy book: rulesets written out clause by clause for the people who sign a policy off.

For each clause in a ruleset's ``references``: its citation and text, then the time limits, rules
and accountability entries whose verdicts cite it, in words, with their points and sanctions, and
the scenarios that exercise them (docs/rulesets.md, "The policy book"). Chinese by default,
English with ``language="en"``::

    >>> from efficiency_rules import load_ruleset
    >>> from efficiency_rules.book import book_html, book_markdown
    >>> ruleset = load_ruleset("cn.xzxk")
    >>> book_markdown([ruleset]).splitlines()[0]
    '# 政策手册'
    >>> page = book_html([ruleset])
    >>> page.startswith('<!DOCTYPE html>') and '《中华人民共和国行政许可法》第四十二条第一款' in page
    True

:func:`book_html` is the same book as one self-contained HTML page (nothing loaded from a
network; every text from the rulesets escaped), as ``efficiency-rules book … --html FILE`` writes it.
"""

from __future__ import annotations

from ._book import book_html, book_markdown

__all__ = ["book_html", "book_markdown"]
