"""``client.patients.emails`` (with attachment downloads), ``client.patients.email_drafts`` and
``client.unrecognized.emails``, and the old ``Email`` and ``Emails`` classes, against the
fake."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import support
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Email, EmailDraft

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
UNRECOGNIZED = "gh/sb-demo/unrecognized-patients/emails"
WHEN = datetime(2024, 5, 4, 19, 50, 9, 808000, tzinfo=timezone.utc)

# Shaped like docs/emails.md "Get email by id", plus a field Welkin might add (and its nulls).
EMAIL: dict[str, Any] = {
    "id": "92c6f2c6-61b7-46ad-b1a8-3ca541b88c0f",
    "sendNow": False,
    "scheduledAt": "2024-05-04T19:50:09.808Z",
    "sentAt": "2024-05-04T19:50:11.234Z",
    "receivedAt": None,
    "date": "2024-05-04T19:50:11.234Z",
    "careTeam": "Nick Snow",
    "patientInfo": "Rosa Diaz",
    "timezone": "America/Los_Angeles",
    "sender": "de23c848-65aa-45a1-bf7b-f1d36a6e4ebe",
    "from": "n.snow@clinic.example",
    "receiver": "830b8744-2c0f-4750-ad6d-5c2c94ada65d",
    "to": "rosa.diaz@example.com",
    "direction": "OUT",
    "externalId": "20240504195011.1.4A9919421A983FF7@clinic.example",
    "starred": False,
    "senderName": "Nick Snow",
    "receiverName": "Rosa Diaz",
    "subject": "Your care plan",
    "body": "Please find your care plan below.",
    "status": "DELIVERED",
    "secure": False,
    "attachments": None,
    "newField": 1,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def emails_path(pid: str, suffix: str = "") -> str:
    return f"gh/sb-demo/patients/{pid}/emails{suffix}"


def send(client: welkin.Client, pid: str, subject: str = "Visit", **kwargs: Any) -> Email:
    kwargs.setdefault("send_now", True)
    return client.patients.emails.create(
        pid, subject=subject, body="See you soon", receiver=pid, **kwargs
    )


def store_unrecognized(fake: FakeWelkin, count: int) -> list[str]:
    return support.store_unrecognized(fake, "emails", EMAIL, "subject", count)


# -- documented shape ----------------------------------------------------------------------


def test_documented_example_dumps_back_exactly_and_is_typed() -> None:
    email = Email.model_validate(EMAIL)

    assert email.model_dump(mode="json", by_alias=True, exclude_unset=True) == EMAIL
    assert email.id == uuid.UUID(EMAIL["id"])
    assert email.receiver == uuid.UUID("830b8744-2c0f-4750-ad6d-5c2c94ada65d")
    assert email.from_ == "n.snow@clinic.example"
    assert email.scheduled_at == WHEN and email.received_at is None
    assert email.attachments is None and email.secure is False
    assert email.model_extra == {"newField": 1}


def test_undocumented_attachment_fields_are_kept() -> None:
    with_file = {**EMAIL, "attachments": [{"name": "plan.pdf", "url": "s3://bucket/plan.pdf"}]}

    email = Email.model_validate(with_file)

    assert email.attachments is not None
    assert email.attachments[0].model_extra == {"name": "plan.pdf", "url": "s3://bucket/plan.pdf"}
    assert email.model_dump(mode="json", by_alias=True, exclude_unset=True) == with_file


# -- patient emails ------------------------------------------------------------------------


def test_create_sends_json_and_get_reads_it_back(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    created = send(client, pid, send_now=False, secure=True, scheduled_at=WHEN)

    call = last_call(fake)
    assert (call.method, call.path) == ("POST", emails_path(pid))
    assert call.json == {
        "subject": "Visit",
        "body": "See you soon",
        "receiver": pid,
        "sendNow": False,
        "secure": True,
        "scheduledAt": "2024-05-04T19:50:09.808Z",
    }
    again = client.patients.emails.get(pid, created.id)
    assert last_call(fake).path == emails_path(pid, f"/{created.id}")
    assert isinstance(again, Email) and again == created
    assert (again.subject, again.secure, again.scheduled_at) == ("Visit", True, WHEN)


def test_create_with_attachments_sends_multipart(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    send(client, pid, attachments_as_files=[("plan.pdf", b"%PDF-1.4 plan")])

    call = last_call(fake)
    assert call.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert call.json is None
    assert b'name="subject"\r\n\r\nVisit\r\n' in call.content
    assert b'name="sendNow"\r\n\r\ntrue\r\n' in call.content
    assert b'name="attachmentsAsFiles"; filename="plan.pdf"' in call.content
    assert b"%PDF-1.4 plan" in call.content


def test_an_email_with_attachments_keeps_its_fields(client: welkin.Client, pid: str) -> None:
    created = send(client, pid, attachments_as_files=[("plan.pdf", b"%PDF-1.4 plan")])

    assert client.patients.emails.get(pid, created.id).subject == "Visit"


def test_update_sends_only_the_given_fields(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    email = send(client, pid)

    updated = client.patients.emails.update(pid, email.id, starred=True, secure=None)

    call = last_call(fake)
    assert (call.method, call.path) == ("PUT", emails_path(pid, f"/{email.id}"))
    assert call.json == {"starred": True, "secure": None}
    assert isinstance(updated, Email) and updated.starred is True


def test_rewriting_a_scheduled_email(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    email = send(client, pid, send_now=False, scheduled_at=WHEN)

    rewritten = client.patients.emails.update(
        pid, email.id, subject="New time", body="Moved to 10am", receiver=pid, send_now=True
    )

    assert last_call(fake).json == {
        "subject": "New time",
        "body": "Moved to 10am",
        "receiver": pid,
        "sendNow": True,
    }
    assert (rewritten.subject, rewritten.send_now) == ("New time", True)


def test_delete_answers_none_and_the_email_is_gone(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    email = send(client, pid, send_now=False)

    assert client.patients.emails.delete(pid, email.id) is None
    assert last_call(fake).method == "DELETE"
    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.emails.get(pid, email.id)
    assert caught.value.status_code == 404 and caught.value.error_codes == ["NOT_FOUND"]


def test_list_filters_and_pages(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    ids = [send(client, pid, subject=f"s{n}").id for n in range(5)]
    before = len(api_calls(fake))

    first = client.patients.emails.list(
        pid, size=2, email="rosa.diaz@example.com", from_="n.snow@clinic.example", starred=False
    )

    assert last_call(fake).query == {
        "size": "2",
        "email": "rosa.diaz@example.com",
        "from": "n.snow@clinic.example",
        "starred": "false",
    }
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[-1].envelope.last is True
    assert [c.query.get("page") for c in api_calls(fake)[before:]] == [None, "1", "2"]
    assert [e.id for e in first] == ids


def test_bad_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.emails.list(pid)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^patient_id"):
        client.patients.emails.list("patient-1")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^email_id"):
        client.patients.emails.delete(pid, "")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^status"):
        client.patients.emails.list(pid, status="DELIVERED")  # a csv filter takes a list
    with pytest.raises(welkin.InvalidArgumentError, match=r"^sender"):
        client.unrecognized.emails.update(MISSING, sender="nobody")

    assert len(fake.requests) == sent


def test_a_missing_patient_or_email_is_not_found(client: welkin.Client, pid: str) -> None:
    with pytest.raises(welkin.NotFoundError, match="No patient"):
        send(client, MISSING)
    with pytest.raises(welkin.NotFoundError):
        client.patients.emails.get(pid, MISSING)


# -- unrecognised emails -------------------------------------------------------------------


def test_unrecognized_list_get_assign_and_delete(fake: FakeWelkin, client: welkin.Client) -> None:
    ids = store_unrecognized(fake, 3)
    patient = str(fake.add_patient(firstName="Lee", lastName="Kim")["id"])

    page = client.unrecognized.emails.list(direction="IN", size=2)
    assert (last_call(fake).path, last_call(fake).query) == (
        UNRECOGNIZED,
        {"direction": "IN", "size": "2"},
    )
    assert [str(e.id) for e in page] == ids

    one = client.unrecognized.emails.get(ids[0])
    assert last_call(fake).path == f"{UNRECOGNIZED}/{ids[0]}"
    assert (one.status, one.subject) == ("UNRECOGNISED", "emails 0")

    assigned = client.unrecognized.emails.update(ids[1], sender=patient)
    assert (last_call(fake).method, last_call(fake).json) == ("PUT", {"sender": patient})
    assert assigned.sender == uuid.UUID(patient)

    assert client.unrecognized.emails.delete(ids[2]) is None
    assert (last_call(fake).method, last_call(fake).path) == ("DELETE", f"{UNRECOGNIZED}/{ids[2]}")
    with pytest.raises(welkin.NotFoundError):
        client.unrecognized.emails.get(ids[2])


async def test_async_send_and_read(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        email = await client.patients.emails.create(
            pid, subject="Async", body="b", receiver=pid, send_now=True
        )
        again = await client.patients.emails.get(pid, email.id)
        listed = [e.id async for e in client.patients.emails.list(pid)]

    assert again.subject == "Async"
    assert listed == [email.id]


# -- attachments and drafts (NEWER.md: DIG, unconfirmed paths) -----------------------------

PDF = b"%PDF-1.7 lab results"

# No source shows a draft: shaped like an email being written, with a field Welkin might add
# and nulls.
DRAFT: dict[str, Any] = {
    "id": "4a59584c-af30-49c4-8601-b43b4fbeb741",
    "subject": "Your next visit",
    "body": None,
    "receiver": "830b8744-2c0f-4750-ad6d-5c2c94ada65d",
    "secure": True,
    "attachments": [{"fileName": "map.pdf", "size": 2048}],
    "createdAt": "2024-05-04T19:50:09.808Z",
    "updatedAt": None,
    "lastEditedBy": "Nick Snow",
}


def drafts_path(pid: str) -> str:
    return f"gh/sb-demo/patients/{pid}/email-drafts"


def test_an_attachment_downloads_as_bytes_and_to_a_file(
    fake: FakeWelkin, client: welkin.Client, pid: str, tmp_path: Path
) -> None:
    email = send(client, pid)
    fake.add_file(f"sb-demo/patients/{pid}/emails/{email.id}/attachment", PDF, "application/pdf")

    assert client.patients.emails.download_attachment(pid, email.id) == PDF
    call = last_call(fake)
    assert (call.method, call.path, call.query) == (
        "GET",
        emails_path(pid, f"/{email.id}/attachment"),
        {},
    )
    target = tmp_path / "results.pdf"
    assert client.patients.emails.download_attachment_to(pid, email.id, target) == len(PDF)
    assert target.read_bytes() == PDF
    with pytest.raises(welkin.NotFoundError):
        client.patients.emails.download_attachment(pid, MISSING)


def test_a_draft_dumps_back_exactly_and_is_typed() -> None:
    draft = EmailDraft.model_validate(DRAFT)

    assert draft.to_dict() == DRAFT
    assert draft.id == uuid.UUID(DRAFT["id"]) and draft.secure is True
    assert draft.created_at == WHEN and draft.updated_at is None
    (attachment,) = draft.attachments or []
    assert attachment.model_extra == {"fileName": "map.pdf", "size": 2048}
    assert draft.model_extra == {"lastEditedBy": "Nick Snow"}


def test_drafts_list_in_pages_and_read_one(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    # Nothing in the API writes drafts (the care team does, in Welkin's app).
    ids = fake.add_records(
        f"sb-demo/patients/{pid}/email-drafts",
        ({**DRAFT, "id": str(uuid.uuid4()), "subject": f"draft {n}"} for n in range(3)),
    )
    before = len(api_calls(fake))

    first = client.patients.email_drafts.list(pid, size=2)

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("GET", drafts_path(pid), {"size": "2"})
    assert [str(d.id) for d in first] == ids
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"size": "2"},
        {"size": "2", "page": "1"},
    ]

    draft = client.patients.email_drafts.get(pid, ids[1])
    assert last_call(fake).path == f"{drafts_path(pid)}/{ids[1]}"
    assert isinstance(draft, EmailDraft) and draft.subject == "draft 1"
    with pytest.raises(welkin.NotFoundError):
        client.patients.email_drafts.get(pid, MISSING)


def test_draft_and_attachment_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.email_drafts.list(pid)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^draft_id"):
        client.patients.email_drafts.get(pid, "draft-1")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^size"):
        client.patients.email_drafts.list(pid, size="all")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^email_id"):
        client.patients.emails.download_attachment(pid, "")

    assert len(fake.requests) == sent


def test_the_new_operations_say_their_paths_are_unconfirmed(client: welkin.Client) -> None:
    methods = (
        client.patients.emails.download_attachment,
        client.patients.emails.download_attachment_to,
        client.patients.email_drafts.list,
        client.patients.email_drafts.get,
    )
    for method in methods:
        (line,) = [ln for ln in (method.__doc__ or "").splitlines() if "Unconfirmed path" in ln]
        assert "client.call()" in line
    assert "Unconfirmed" not in (client.patients.emails.get.__doc__ or "")


async def test_async_drafts_and_attachment(fake: FakeWelkin, pid: str) -> None:
    (draft_id,) = fake.add_records(f"sb-demo/patients/{pid}/email-drafts", [DRAFT])
    fake.add_file(f"sb-demo/patients/{pid}/emails/{MISSING}/attachment", PDF)

    async with fake.async_client() as client:
        listed = [d.id async for d in client.patients.email_drafts.list(pid)]
        draft = await client.patients.email_drafts.get(pid, draft_id)
        data = await client.patients.emails.download_attachment(pid, MISSING)

    assert listed == [draft.id] and draft.subject == DRAFT["subject"]
    assert data == PDF
