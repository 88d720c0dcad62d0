"""A portal's web endpoint: each event judged at once against the case state in a SQLite file.

Stateless workers (run several, on one SQLite file or, with SQLAlchemyStore, one PostgreSQL
database) answer each event with its verdicts and the case's light:

    python examples/portal_endpoint.py --db state.db --port 8080

    POST /events    an event (JSON)  -> {"thread", "light", "light_zh", "cases", "verdicts", ...}
    POST /advance   {"as_of": "2024-11-01T00:00+08:00"} -> the verdicts time gave (run it from a scheduler)
    GET  /cases/case:XK-1[?as_of=...]  -> the case's clocks and light

An event the library refuses is answered 400 with the reason (409 when other workers kept
changing the same case: send it again). The key that signs the stored states is read from the
file named by --key-file (32 random bytes; keep it out of the database). Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from efficiency_rules import EfficiencyRulesError, Engine, StoreConflictError
from efficiency_rules.stores import SQLiteStore, StateStore

ROOT = Path(__file__).resolve().parents[1]
RULESETS = [ROOT / "rulesets" / "cn" / "xzxk.yaml", ROOT / "rulesets" / "examples" / "first-inquiry.yaml"]


def handler(store: StateStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
            except (ValueError, UnicodeDecodeError) as exc:
                return self.reply(HTTPStatus.BAD_REQUEST, {"error": f"the body is not JSON: {exc}"})
            if path == "/events":
                return self.judge(lambda: store.add(body).as_json())
            if path == "/advance":
                as_of = body.get("as_of") if isinstance(body, dict) else None
                return self.judge(lambda: {"verdicts": [v.model_dump(mode="json") for v in store.advance(moment(as_of))]})
            return self.reply(HTTPStatus.NOT_FOUND, {"error": f"no {path}: POST /events or /advance, GET /cases/THREAD"})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if not url.path.startswith("/cases/"):
                return self.reply(HTTPStatus.NOT_FOUND, {"error": f"no {url.path}: GET /cases/THREAD (case:XK-1)"})
            as_of = parse_qs(url.query).get("as_of", [None])[0]
            thread = unquote(url.path.removeprefix("/cases/"))
            return self.judge(lambda: store.light(thread, None if as_of is None else moment(as_of)).as_json())

        def judge(self, work: Any) -> None:
            try:
                answer = work()
            except StoreConflictError as error:
                return self.reply(HTTPStatus.CONFLICT, {"error": str(error)})
            except EfficiencyRulesError as error:
                return self.reply(HTTPStatus.BAD_REQUEST, {"error": str(error), "kind": type(error).__name__})
            return self.reply(HTTPStatus.OK, answer)

        def reply(self, status: HTTPStatus, answer: dict[str, Any]) -> None:
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's parameter name)
            pass

    return Handler


def moment(text: Any) -> dt.datetime:
    """A time with its offset, as the events give it (the library never reads the clock)."""
    try:
        when = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise EfficiencyRulesError(f"as_of: expected a time with its offset such as 2024-11-01T00:00+08:00, got {text!r}") from None
    if when.tzinfo is None:
        raise EfficiencyRulesError(f"as_of: {text!r} has no UTC offset: write it as 2024-11-01T00:00+08:00")
    return when


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("state.db"), help="the SQLite file (made if missing)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port (the line printed says which)")
    parser.add_argument("--key-file", type=Path, help="a file of at least 16 random bytes that signs the stored states")
    parser.add_argument("--ruleset", action="append", type=Path, help="a ruleset to judge with (repeat; default: cn/xzxk "
                        "and the first-inquiry example)")
    args = parser.parse_args(argv)
    engine = Engine(args.ruleset or RULESETS)
    key = args.key_file.read_bytes() if args.key_file else None
    with SQLiteStore(engine, args.db, key=key) as store:
        server = HTTPServer((args.host, args.port), handler(store))
        print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
