"""A bodiless request on the client's own pool is built without httpx's merging: it must be
the request httpx's ``build_request`` makes, header names and order included."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import welkin
from welkin._types import DEFAULT_OPTIONS
from welkin.operations import OPERATIONS

PID = "6801d498-26f4-4aee-961b-5daffcf193c8"


def own_client(**kwargs: Any) -> welkin.Client:
    return welkin.Client("gh", "sb-demo", "api", "secret", base_url="http://127.0.0.1:9", **kwargs)


def merged(client: welkin.Client, request: httpx.Request, token: str) -> httpx.Request:
    """The same request through httpx's own merging."""
    return client._http.build_request(
        request.method,
        request.url,
        headers={**client._sent_headers, "Authorization": f"Bearer {token}"},
        extensions=client._timeouts,
    )


def same(one: httpx.Request, two: httpx.Request) -> None:
    assert one.method == two.method
    assert one.url == two.url
    assert one.headers.raw == two.headers.raw
    assert one.extensions == two.extensions
    assert one.read() == two.read()


@pytest.mark.parametrize(
    ("operation", "path", "query"),
    [
        ("patients.get", {"patientId": PID}, None),
        ("patients.list", None, {"query": "Ada Lovelace", "size": 5}),
        ("patients.delete", {"patientId": PID}, None),
    ],
)
def test_the_fast_path_builds_what_httpx_builds(operation: str, path: Any, query: Any) -> None:
    client = own_client(default_headers={"X-Team": "care"})
    prepared = client._prepare(OPERATIONS[operation], path, query, None, DEFAULT_OPTIONS)
    request = client._http_request(prepared, "tok", client._httpx_timeout)
    same(request, merged(client, request, "tok"))
    assert request.headers["x-team"] == "care"
    assert request.headers["authorization"] == "Bearer tok"


def test_cookies_of_the_pool_are_sent_as_httpx_would() -> None:
    client = own_client()
    client._http.cookies.set("AWSALB", "sticky", domain="127.0.0.1")
    prepared = client._prepare(
        OPERATIONS["patients.get"], {"patientId": PID}, None, None, DEFAULT_OPTIONS
    )
    request = client._http_request(prepared, "tok", client._httpx_timeout)
    assert request.headers["cookie"] == "AWSALB=sticky"


def test_a_copy_with_other_headers_sends_them() -> None:
    client = own_client(default_headers={"X-Team": "care"})
    other = client.with_options(default_headers={"X-Team": "billing"})
    prepared = other._prepare(
        OPERATIONS["patients.get"], {"patientId": PID}, None, None, DEFAULT_OPTIONS
    )
    request = other._http_request(prepared, "tok", other._httpx_timeout)
    assert request.headers.get_list("x-team") == ["billing"]
