"""The old package's child classes: reached from a parent they need no repeated ids."""

from __future__ import annotations

from io import BytesIO

import pytest

import welkin
from welkin import InvalidArgumentError
from welkin.compat import classes
from welkin.testing import FakeWelkin

PDF = b"%PDF-1.4 fake"


@pytest.fixture
def patient(client: welkin.Client) -> classes.Patient:
    return client.Patient(firstName="Foo", lastName="Bar").create()


def test_chat_from_a_patient(client: welkin.Client, patient: classes.Patient) -> None:
    sent = patient.Chat(message="Hello, care team").create()

    assert sent.message == "Hello, care team"
    chats = patient.Chats().get()
    assert [c.message for c in chats] == ["Hello, care team"]
    assert all(isinstance(c, classes.Chat) for c in chats)


def test_document_files_upload_and_download_through_the_parents(
    fake: FakeWelkin, patient: classes.Patient
) -> None:
    summary = patient.DocumentSummary(type="doc-type-others").create()
    assert summary.id is not None

    (stored,) = summary.DocumentSummaryFiles().create(files=[("scan.pdf", PDF)])

    assert isinstance(stored, classes.DocumentSummaryFile)
    content = stored.get()  # patient id and summary id come from the parents
    assert isinstance(content, BytesIO)
    assert content.read() == PDF
    path = fake.requests[-1].path
    assert path.endswith(f"patients/{patient.id}/document-summary/{summary.id}/files/{stored.id}")


def test_explicit_ids_work_without_parents(client: welkin.Client, patient: classes.Patient) -> None:
    created = patient.DocumentSummary(type="doc-type-docusign").create()

    again = client.DocumentSummary(id=created.id).get(patient_id=patient.id)

    assert again.id == created.id
    assert again.json_body is not None


def test_a_missing_parent_id_is_named_before_anything_is_sent(
    fake: FakeWelkin, client: welkin.Client
) -> None:
    sent = len(fake.requests)
    with pytest.raises(InvalidArgumentError, match=r"^patient_id: is needed"):
        client.DocumentSummaries().get()
    with pytest.raises(InvalidArgumentError, match=r"^patient_id: is needed"):
        client.SMS(id="2b9a1c9e-2e8f-4f83-9f0b-0c9b3d9a1e11").get()
    assert len(fake.requests) == sent


def test_collections_of_a_patient_list_what_the_typed_api_created(
    client: welkin.Client, patient: classes.Patient
) -> None:
    assert patient.id is not None
    sms = client.patients.sms.create(
        patient.id, message="Your visit is tomorrow", receiver=patient.id, send_now=True
    )
    email = client.patients.emails.create(
        patient.id, subject="Visit", body="See you", receiver=patient.id, send_now=True
    )

    assert [s.id for s in patient.SMSes().get()] == [sms.id]
    assert [e.id for e in patient.Emails().get()] == [email.id]
    assert patient.SMS(id=sms.id).get().message == "Your visit is tomorrow"
    assert client.Email(id=email.id).get(patient_id=patient.id).subject == "Visit"


def test_audit_collections_take_old_style_params(fake: FakeWelkin, client: welkin.Client) -> None:
    assert client.WebhookAudits().get(params={"dateStart": "2024-01-01T00:00:00.000Z"}) == []
    assert fake.requests[-1].query["dateStart"] == "2024-01-01T00:00:00.000Z"
    assert client.DataAudits().get(paginate=True) is not None
