"""Typed usage of raw and streamed responses (``client.with_raw_response``,
``client.with_streaming_response``), through the classes behind them.

Not a test module: ``mypy --strict tests/typed/`` checks the types each call returns, and
``tests/test_raw_response.py`` runs these examples against the fake.
"""

from __future__ import annotations

from uuid import UUID

import httpx

from welkin import AsyncClient, AsyncPage, Client, SyncPage
from welkin._response import APIResponse, AsyncAPIResponse
from welkin.resources import (
    AsyncResourcesWithRawResponse,
    AsyncResourcesWithStreamingResponse,
    SyncResourcesWithRawResponse,
    SyncResourcesWithStreamingResponse,
)
from welkin.types import Encounter, Patient


def raw_example(client: Client, patient_id: UUID | str) -> Patient:
    """A response's status, headers and request, then its typed result; returns the patient."""
    raw = SyncResourcesWithRawResponse(client)
    response: APIResponse[Patient] = raw.patients.get(patient_id)
    status: int = response.status_code
    content_type: str | None = response.headers.get("content-type")
    request: httpx.Request = response.http_request
    assert status == 200 and content_type and request.method == "GET"
    patient: Patient = response.parse()

    listed: APIResponse[SyncPage[Patient]] = raw.patients.list(size=2)
    page: SyncPage[Patient] = listed.parse()
    assert patient.id in [p.id for p in page]  # walks every page

    encounters: APIResponse[SyncPage[Encounter]] = raw.patients.encounters.list(patient_id)
    assert encounters.status_code == 200
    deleted: APIResponse[None] = raw.patients.delete(patient_id)
    assert deleted.parse() is None
    return patient


def streaming_example(client: Client, patient_id: UUID | str, call_id: UUID | str) -> bytes:
    """A download read in chunks as they arrive; returns its content."""
    streaming = SyncResourcesWithStreamingResponse(client)
    with streaming.patients.calls.download_recording(patient_id, call_id) as response:
        streamed: APIResponse[bytes] = response
        return b"".join(streamed.iter_bytes(1024))


async def async_raw_example(client: AsyncClient, patient_id: UUID | str) -> Patient:
    """The async twin of ``raw_example``: the response and its parse() are awaited."""
    raw = AsyncResourcesWithRawResponse(client)
    response: AsyncAPIResponse[Patient] = await raw.patients.get(patient_id)
    patient: Patient = await response.parse()

    listed: AsyncAPIResponse[AsyncPage[Patient]] = await raw.patients.list(size=2)
    page: AsyncPage[Patient] = await listed.parse()
    assert patient.id in [p.id async for p in page]
    return patient


async def async_streaming_example(
    client: AsyncClient, patient_id: UUID | str, call_id: UUID | str
) -> bytes:
    streaming = AsyncResourcesWithStreamingResponse(client)
    async with streaming.patients.calls.download_recording(patient_id, call_id) as response:
        streamed: AsyncAPIResponse[bytes] = response
        return b"".join([chunk async for chunk in streamed.iter_bytes(1024)])
