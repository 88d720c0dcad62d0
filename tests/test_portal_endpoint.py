"""The example endpoint (examples/portal_endpoint.py) over real HTTP on localhost."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    key = tmp_path / "key"
    key.write_bytes(b"0123456789abcdef0123456789abcdef")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "portal_endpoint.py"), "--db", str(tmp_path / "state.db"), "--port", "0",
         "--key-file", str(key)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), (line, process.stderr and process.stderr.read())
        yield line.split()[-1]
    finally:
        process.terminate()
        process.communicate(timeout=30)


def call(base: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


RECEIVED = {"id": "e1", "type": "case.received", "at": "2024-09-23T09:30+08:00", "case_id": "XK-1", "matter": "licence",
            "actor": "w-li", "unit": "market-bureau"}
ACCEPTED = {"id": "e2", "type": "case.accepted", "at": "2024-09-23T10:00+08:00", "case_id": "XK-1", "actor": "w-li",
            "unit": "market-bureau"}
COMPLETED = {"id": "e3", "type": "case.completed", "at": "2024-10-30T10:00+08:00", "case_id": "XK-1", "actor": "w-li",
             "unit": "market-bureau"}


def test_events_are_judged_over_http_with_the_light(endpoint: str) -> None:
    status, first = call(endpoint, "/events", RECEIVED)
    assert status == 200 and (first["thread"], first["verdicts"], first["light"]) == ("case:XK-1", [], "green")
    assert [c["status"] for c in first["cases"]] == ["not_started"]
    status, accepted = call(endpoint, "/events", ACCEPTED)
    assert status == 200
    assert (accepted["light"], accepted["light_zh"]) == ("green", "绿灯")
    (clock,) = accepted["cases"]
    assert (clock["status"], clock["deadline"]) == ("running", "2024-10-24T17:30:00+08:00")
    # the same event again: nothing judged twice
    assert call(endpoint, "/events", ACCEPTED)[1]["repeat"] is True
    # time passes: the scheduler's advance gives the overdue verdict at the deadline
    status, advanced = call(endpoint, "/advance", {"as_of": "2024-10-25T09:00+08:00"})
    assert status == 200
    assert [(v["rule"], v["at"]) for v in advanced["verdicts"]] == [("licence.overdue", "2024-10-24T17:30:00+08:00")]
    assert "未作出行政许可决定" in advanced["verdicts"][0]["explanation"]["message_zh"]
    status, case = call(endpoint, "/cases/case:XK-1?as_of=2024-10-28T09:00%2B08:00")
    assert status == 200 and (case["light"], case["light_zh"]) == ("red", "红灯")
    status, done = call(endpoint, "/events", COMPLETED)
    assert status == 200 and done["light"] == "red" and done["cases"][0]["status"] == "completed_late"


def test_refusals_are_answered_with_the_reason(endpoint: str) -> None:
    status, answer = call(endpoint, "/events", {**RECEIVED, "at": "2024-09-23T09:30"})
    assert status == 400 and answer["kind"] == "NaiveDatetimeError" and "e1" in answer["error"]
    call(endpoint, "/events", RECEIVED)
    status, answer = call(endpoint, "/events", {**RECEIVED, "case_id": "XK-2"})
    assert status == 400 and answer["kind"] == "DuplicateEventError"
    assert "same id as an event of case:XK-1 already stored" in answer["error"]
    status, answer = call(endpoint, "/advance", {"as_of": "2024-10-25"})
    assert status == 400 and answer["error"] == "as_of: '2024-10-25' has no UTC offset: write it as 2024-11-01T00:00+08:00"
    assert call(endpoint, "/cases/case:XK-9")[0] == 400
