"""Runs every scenario of scenarios.py against a local recording server; prints JSON.

The output maps each scenario to the HTTP requests the server saw while it ran and a summary
of what it returned or raised. test_differential.py runs this script under the old
``welkin`` 0.1.12 (its own venv) and under ours and compares the two documents, so it uses
only the stdlib and ``welkin``. Run it with TMPDIR set to a fresh directory: the old package
caches its token in a shelve file under the temp dir.

    TMPDIR=$(mktemp -d) python tests/differential/driver.py [scenario ...]
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import email.policy
import importlib.util
import io
import json
import os
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import welkin

TENANT = "gh"
INSTANCE = "sb-demo"
API_CLIENT = "api-client"
SECRET = "secret-key"

# Ids of listed items and created records derive from the path, so both runs see the same ids.
NAMESPACE = uuid.UUID("0b9c1f5e-8d7a-4c2b-9e61-3f0d5a7c4b21")
ITEMS_PER_PAGE = 2
PAGES = 2  # every list walks exactly two pages, whatever its pagination style
FILE_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"  # not JSON, not UTF-8: must come back as bytes
# Paths answered with one object although they carry no id of their own.
SINGLETONS = {"care-plan", "overview", "disposition", "answers", "me", "encounter-disposition"}
FORMATION_KINDS = {
    "assessments",
    "cdts",
    "document-types",
    "encounters",
    "goal-templates",
    "programs",
}
# The last path segment of a GET list call -> its envelope (see the old pagination.py).
LIST_STYLES = {
    "patients": "PAGE",
    "events": "PAGE",
    "assessment-records": "PAGE",
    "assessments": "PAGE",
    "sms": "PAGE",
    "emails": "PAGE",
    "document-summary": "PAGE",
    "encounters": "METAINFO",
    "full-encounters": "METAINFO",
    "programs": "METAINFO",
    "tasks": "METAINFO",
    "users": "METAINFO",
    "audit-data": "METAINFO",
    "audit-webhook": "METAINFO",
    "chat": "TOKEN",
    "search": "TOKEN",
    "CDT_RECORD": "CURSOR",
    "psm-schedules": "LIST",
    "available-psm-schedules": "LIST",
    "full-psm-schedules": "LIST",
    "work-hours": "LIST",
}


# --- the server's answers: deterministic functions of the request ---------------------------


def make_token() -> str:
    """A JWT-shaped token expiring in an hour; our package reads ``exp``, the old one ignores it."""

    def part(claims: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"custom:type": "API_CLIENT", "token_use": "id", "iat": now, "exp": now + 3600}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def new_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def path_id(route: list[str], path: str) -> str:
    """The id a path names; a record found by name (``programs/current/{name}``) has its own."""
    if route[-1] in SINGLETONS or (len(route) >= 2 and route[-2] == "current"):
        return new_id(path)
    return route[-1]


def patient_of(route: list[str]) -> str:
    if "patients" in route[:-1]:
        return route[route.index("patients") + 1]
    return new_id("patient")


def kind_fields(kind: str, name: str, record_id: str) -> dict[str, Any]:
    """The nested objects the old classes wrap (Encounter, PatientProgram) and the fields
    their ``__str__`` or paths read (Chat, CDT, PDT)."""
    if kind in ("encounters", "full-encounters"):
        return {
            "status": "OPEN",
            "userRelatedToCalendarEvent": {
                "id": new_id(f"{record_id}/user"),
                "firstName": "Uma",
                "lastName": "User",
                "username": "uma",
            },
            "assessmentLinks": [
                {"id": new_id(f"{record_id}/link/{n}"), "assessmentName": f"phq{n}"}
                for n in range(2)
            ],
            "disposition": {"id": new_id(f"{record_id}/disposition"), "outcome": "RESOLVED"},
        }
    if kind in ("programs", "current", "history"):
        return {
            "programName": name or "onboarding",
            "currentPhase": {"id": new_id(f"{record_id}/phase/1"), "name": "phase-1"},
            "pathHistory": [
                {"id": new_id(f"{record_id}/phase/{n}"), "name": f"phase-{n}"} for n in range(2)
            ],
        }
    if kind in ("chat", "search"):
        return {"message": f"message for {record_id[:8]}", "sender": {"clientType": "PATIENT"}}
    if kind == "cdts":
        return {"cdtName": name}
    if kind == "pdts":
        return {"pdtName": name}
    return {}


def record(route: list[str], record_id: str, index: int, kind: str, name: str) -> dict[str, Any]:
    base = {
        "id": record_id,
        "firstName": f"First{index}",
        "lastName": f"Last{index}",
        "username": f"user{index}",
        "patientId": patient_of(route),
    }
    return {**base, **kind_fields(kind, name, record_id)}


def formation_record(route: list[str], record_id: str, name: str) -> dict[str, Any]:
    version = route[route.index("formations") + 1]
    return {"id": record_id, "name": name, "version": version, "title": f"Title of {name}"}


def list_items(route: list[str], path: str, page: int) -> list[dict[str, Any]]:
    if page >= PAGES:
        return []
    indexes = range(page * ITEMS_PER_PAGE, (page + 1) * ITEMS_PER_PAGE)
    if "formations" in route:
        return [formation_record(route, new_id(f"{path}#{i}"), f"{route[-1]}-{i}") for i in indexes]
    kind, name = route[-1], ""
    if len(route) >= 2 and route[-2] == "cdts":
        kind, name = "cdts", route[-1]
    return [record(route, new_id(f"{path}#{i}"), i, kind, name) for i in indexes]


def spring_page(items: list[Any], page: int, size: int) -> dict[str, Any]:
    last = page >= PAGES - 1
    sort = {"sorted": False, "unsorted": True, "empty": True}
    return {
        "content": items,
        "pageable": {
            "sort": sort,
            "pageNumber": page,
            "pageSize": size,
            "offset": page * size,
            "paged": True,
            "unpaged": False,
        },
        "last": last,
        "first": page == 0,
        "number": page,
        "size": size,
        "numberOfElements": len(items),
        "totalElements": PAGES * ITEMS_PER_PAGE,
        "totalPages": PAGES,
        "sort": sort,
        "empty": not items,
    }


def list_body(style: str, route: list[str], path: str, query: dict[str, str]) -> Any:
    """A page of ``style``: page 0 points to page 1, page 1 is the last."""
    size = int(query.get("size") or query.get("pageSize") or 20)
    if style == "TOKEN":
        page = 1 if "pageToken" in query else 0
    elif style == "CURSOR":
        page = 1 if query.get("start") else 0
    else:
        page = int(query.get("page") or 0)
    items = list_items(route, path, page)
    last = page >= PAGES - 1
    if style == "PAGE":
        return spring_page(items, page, size)
    if style == "PAGE_IN_DATA":
        return {"name": route[-1], "data": spring_page(items, page, size)}
    if style == "METAINFO":
        meta_info = {
            "page": page,
            "pageSize": size,
            "totalElements": PAGES * ITEMS_PER_PAGE,
            "numberOfElements": len(items),
            "totalPages": PAGES,
            "firstPage": page == 0,
            "lastPage": last,
        }
        return {"data": items, "metaInfo": meta_info}
    if style == "TOKEN":
        meta = {
            "nextPageToken": None if last else f"token-page-{page + 1}",
            "prevPageToken": f"token-page-{page - 1}" if page else None,
            "pageSize": size,
            "found": True,
        }
        return {"content": items, "meta": meta}
    if style == "CURSOR":
        cursor = {"start": query.get("start"), "end": f"cursor-{page + 1}", "hasNext": not last}
        return {"data": items, "cursor": cursor}
    if route[-1] == "work-hours" and query.get("psmIds") == "psm-idle":
        return []  # nobody works: the old WorkHours().get() special-cases the empty answer
    return list_items(route, path, 0)


def list_style(method: str, route: list[str]) -> str | None:
    if "formations" in route:
        return "LIST" if method == "GET" and route[-1] in FORMATION_KINDS else None
    if method == "POST":
        return "PAGE" if route[-2:] == ["by-filter", "patients"] else None
    if method != "GET":
        return None
    if len(route) >= 2 and route[-2] == "cdts":
        return "PAGE_IN_DATA"
    return LIST_STYLES.get(route[-1])


def item_body(route: list[str], path: str) -> dict[str, Any]:
    record_id = path_id(route, path)
    if "formations" in route:
        name = "" if route[-1] == "encounter-disposition" else route[-1]
        return formation_record(route, new_id(path) if name else record_id, name)
    kind, name = (route[-2] if len(route) >= 2 else ""), ""
    if len(route) >= 3 and route[-3] in ("cdts", "pdts", "programs"):
        kind, name = route[-3], ("" if route[-3] == "programs" else route[-2])
        if route[-2] == "current":
            name = route[-1]
    return record(route, record_id, 0, kind, name)


def echo_body(method: str, route: list[str], path: str, body: Any) -> Any:
    """A write answers what it was sent, with an id (the path's, or a new one for POST)."""
    if isinstance(body, dict) and "multipart" in body:
        return [
            {"id": new_id(f"{path}#{filename}"), "originalName": filename}
            for _name, filename, _content in body["multipart"]
            if filename is not None
        ]
    if not isinstance(body, dict):
        return body if body is not None else {"id": path_id(route, path)}
    record_id = body.get("id") or (new_id(path) if method == "POST" else path_id(route, path))
    answer = {**body, "id": record_id}
    if route[-2:] == ["chat", "inbound"]:
        answer["sender"] = {"clientType": "PATIENT", "id": patient_of(route)}
    return answer


class Answer:
    def __init__(self, status: int, reason: str, body: Any) -> None:
        self.status = status
        self.reason = reason
        self.body = body

    def encode(self) -> tuple[str, bytes]:
        if self.body is None:
            return "", b""
        if isinstance(self.body, bytes):
            return "application/octet-stream", self.body
        return "application/json", json.dumps(self.body).encode()


def answer(method: str, path: str, query: dict[str, str], body: Any, token: str) -> Answer:
    route = path.strip("/").split("/")[1:]  # without the tenant
    if "missing" in path:
        errors = [{"errorCode": "NOT_FOUND", "message": "not found"}]
        return Answer(404, "NOT FOUND", errors)
    if route[:2] == ["admin", "api_clients"]:
        return Answer(201, "Created", {"token": token, "expires_in": 3600})
    if method == "DELETE":
        return Answer(204, "No Content", None)
    if method == "GET" and len(route) >= 3 and route[-2] == "files":
        return Answer(200, "OK", FILE_BYTES + route[-1].encode())
    style = list_style(method, route)
    if style is not None:
        return Answer(200, "OK", list_body(style, route, path, query))
    if method == "GET":
        return Answer(200, "OK", item_body(route, path))
    return Answer(200, "OK", echo_body(method, route, path, body))


# --- the recording server ----------------------------------------------------------------


def parse_body(content_type: str, raw: bytes) -> Any:
    if not raw:
        return None
    if content_type.startswith("application/json"):
        return json.loads(raw)
    if content_type.startswith("multipart/form-data"):
        header = b"Content-Type: " + content_type.encode() + b"\r\n\r\n"
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + raw)
        parts = [
            [
                part.get_param("name", header="content-disposition"),
                part.get_filename(),
                (part.get_payload(decode=True) or b"").decode("latin-1"),
            ]
            for part in message.iter_parts()
        ]
        return {"multipart": sorted(parts, key=json.dumps)}
    return raw.decode("latin-1")


class Recorder:
    """The requests seen so far, and the one token handed out (to blank it in the output)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.token = make_token()

    def add(self, request: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(request)

    def take(self) -> list[dict[str, Any]]:
        with self.lock:
            taken, self.requests = self.requests, []
        return taken


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as both clients pool connections
    # Headers and body leave in two writes; with Nagle on, the body waits ~40 ms for an ACK.
    disable_nagle_algorithm = True
    recorder: Recorder  # set on the subclass made by start_server()

    def do_GET(self) -> None:
        self.handle_any()

    def do_POST(self) -> None:
        self.handle_any()

    def do_PUT(self) -> None:
        self.handle_any()

    def do_PATCH(self) -> None:
        self.handle_any()

    def do_DELETE(self) -> None:
        self.handle_any()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # stderr is for tracebacks of failing scenarios

    def read_raw_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def handle_any(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        path = urllib.parse.unquote(raw_path)
        pairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
        body = parse_body(self.headers.get("Content-Type", ""), self.read_raw_body())
        self.recorder.add(
            {
                "method": self.command,
                "path": path,
                "query": sorted(pairs),
                "body": body,
                "authorization": "Authorization" in self.headers,
            }
        )
        reply = answer(self.command, path, dict(pairs), body, self.recorder.token)
        content_type, payload = reply.encode()
        self.send_response(reply.status, reply.reason)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def start_server(recorder: Recorder) -> ThreadingHTTPServer:
    handler = type("RecordingHandler", (Handler,), {"recorder": recorder})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- summaries of results ----------------------------------------------------------------


def safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception as exc:  # a __str__ reading a missing field: compare the failure too
        return f"<str raised {type(exc).__name__}: {exc}>"


def jsonable(value: Any) -> Any:
    """Plain JSON of a record's data; nested types are compared where scenarios return them."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return {"type": type(value).__name__, "str": safe_str(value)}


def summarize(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"bytes": value.decode("latin-1")}
    if isinstance(value, io.BytesIO):
        return {"bytesio": value.getvalue().decode("latin-1")}
    if isinstance(value, dict):
        if type(value) is dict:
            return {str(key): summarize(item) for key, item in value.items()}
        return {"type": type(value).__name__, "data": jsonable(dict(value)), "str": safe_str(value)}
    if isinstance(value, list):
        if type(value) is list:
            return [summarize(item) for item in value]
        items = [summarize(item) for item in value]
        return {"type": type(value).__name__, "items": items, "str": safe_str(value)}
    if isinstance(value, tuple):
        return [summarize(item) for item in value]
    if isinstance(value, Iterator):  # paginate=True: walking it sends the page requests
        return {"type": type(value).__name__, "items": [summarize(item) for item in value]}
    return jsonable(value)


def describe_error(exc: BaseException) -> dict[str, Any]:
    error: dict[str, Any] = {"type": type(exc).__name__, "str": str(exc)}
    response = getattr(exc, "response", None)
    if response is not None:
        error["status_code"] = response.status_code
        try:
            error["json"] = response.json()
        except ValueError:
            error["text"] = response.text
    return error


# --- the run -----------------------------------------------------------------------------

Scenario = Callable[[Any, Any], Any]


def load_scenarios() -> list[tuple[str, Scenario]]:
    # By file path: this script runs outside pytest, where tests/ is no package.
    path = Path(__file__).with_name("scenarios.py")
    spec = importlib.util.spec_from_file_location("differential_scenarios", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scenarios: list[tuple[str, Scenario]] = module.SCENARIOS
    return scenarios


def run_scenario(scenario: Scenario, client: Any, name: str) -> tuple[Any, Any]:
    try:
        # Summarize inside the try: a lazy page iterator sends its requests only now.
        return summarize(scenario(client, welkin)), None
    except Exception as exc:
        print(f"--- {name}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return None, describe_error(exc)


def main(selected: list[str]) -> int:
    # Naive datetimes are local time to the old package: a fixed non-UTC zone (POSIX rule,
    # no tzdata needed) makes that visible and the same on every machine.
    os.environ["TZ"] = "IST-5:30"
    time.tzset()
    # A proxy from the environment must not see (or break) calls to the loopback server.
    for variable in ("NO_PROXY", "no_proxy"):
        os.environ[variable] = ",".join(filter(None, [os.environ.get(variable), "127.0.0.1"]))

    recorder = Recorder()
    server = start_server(recorder)
    port = server.server_address[1]
    client = welkin.Client(TENANT, INSTANCE, API_CLIENT, SECRET)
    client.host = f"http://127.0.0.1:{port}/{TENANT}/"

    results: dict[str, Any] = {}
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the JSON document only
        for name, scenario in load_scenarios():
            if selected and name not in selected:
                continue
            result, error = run_scenario(scenario, client, name)
            # Everything since the previous scenario, so a request sent while the client
            # was built shows up in the first one instead of vanishing.
            results[name] = {"requests": recorder.take(), "result": result, "error": error}
    server.shutdown()
    server.server_close()

    document = json.dumps(results, indent=1)
    document = document.replace(f"127.0.0.1:{port}", "HOST").replace(recorder.token, "<TOKEN>")
    print(document)  # the script's output, read by test_differential.py
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
