"""File upload (multipart, from a path, bytes or a file object) and download (bytes or streamed)."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import httpx
import pytest

import welkin
from welkin import InvalidArgumentError, NotFoundError
from welkin.testing import FakeWelkin

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40  # binary, with every byte value


@pytest.fixture
def summary(fake: FakeWelkin, client: welkin.Client) -> tuple[str, str]:
    patient = fake.add_patient(firstName="Ada", lastName="Lovelace")
    created = client.patients.document_summaries.create(patient["id"], type="doc-type-others")
    return patient["id"], str(created.id)


def uploads(fake: FakeWelkin) -> list[bytes]:
    return [r.content for r in fake.requests if r.path.endswith("/files") and r.method == "POST"]


def test_upload_from_a_path_then_download_the_same_bytes(
    client: welkin.Client, summary: tuple[str, str], tmp_path: Path
) -> None:
    patient_id, summary_id = summary
    source = tmp_path / "scan.pdf"
    source.write_bytes(PDF)

    (stored,) = client.patients.document_summaries.files.upload(patient_id, summary_id, source)

    assert stored.original_name == "scan.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF)
    data = client.patients.document_summaries.files.download(patient_id, summary_id, stored.id)
    assert data == PDF


def test_upload_several_files_from_bytes_and_file_objects(
    client: welkin.Client, summary: tuple[str, str]
) -> None:
    patient_id, summary_id = summary
    stored = client.patients.document_summaries.files.upload(
        patient_id,
        summary_id,
        [("a.png", b"\x89PNG-a", "image/png"), ("b.jpg", io.BytesIO(b"jpeg-b"))],
    )

    assert [(f.original_name, f.content_type, f.size) for f in stored] == [
        ("a.png", "image/png", 6),
        ("b.jpg", "image/jpeg", 6),
    ]


def test_a_retried_upload_sends_the_whole_file_again(
    fake: FakeWelkin,
    client: welkin.Client,
    summary: tuple[str, str],
    sleeps: list[float],
) -> None:
    patient_id, summary_id = summary
    handle = io.BytesIO(PDF)
    handle.read(100)  # read before, or by, the first attempt: the file is sent from its start
    # The connection fails before the request is sent: a POST may be retried then.
    fake.fail_next(exception=httpx.ConnectError, method="POST", path_contains="/files")

    (stored,) = client.patients.document_summaries.files.upload(
        patient_id, summary_id, ("scan.pdf", handle)
    )

    assert len(sleeps) == 1
    assert stored.size == len(PDF)
    assert (
        client.patients.document_summaries.files.download(patient_id, summary_id, stored.id) == PDF
    )
    assert all(PDF in body for body in uploads(fake))


def test_bad_file_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, summary: tuple[str, str], tmp_path: Path
) -> None:
    patient_id, summary_id = summary
    sent = len(fake.requests)
    files = client.patients.document_summaries.files

    with pytest.raises(InvalidArgumentError, match=r"^files: no such file: .*missing.pdf"):
        files.upload(patient_id, summary_id, tmp_path / "missing.pdf")
    with pytest.raises(InvalidArgumentError, match=r"^files: expected a path, bytes"):
        files.upload(patient_id, summary_id, 42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^files: give at least one file"):
        files.upload(patient_id, summary_id, [])
    with open(tmp_path / "text.txt", "w") as text:
        with pytest.raises(InvalidArgumentError, match=r"binary mode"):
            files.upload(patient_id, summary_id, text)  # type: ignore[arg-type]
    assert len(fake.requests) == sent


def test_download_to_a_path_streams_and_creates_the_file_private(
    client: welkin.Client, summary: tuple[str, str], tmp_path: Path
) -> None:
    patient_id, summary_id = summary
    files = client.patients.document_summaries.files
    (stored,) = files.upload(patient_id, summary_id, ("scan.pdf", PDF))
    target = tmp_path / "copy.pdf"

    written = files.download_to(patient_id, summary_id, stored.id, target)

    assert written == len(PDF)
    assert target.read_bytes() == PDF
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_download_to_a_file_object(client: welkin.Client, summary: tuple[str, str]) -> None:
    patient_id, summary_id = summary
    files = client.patients.document_summaries.files
    (stored,) = files.upload(patient_id, summary_id, ("scan.pdf", PDF))
    sink = io.BytesIO()

    assert files.download_to(patient_id, summary_id, stored.id, sink) == len(PDF)
    assert sink.getvalue() == PDF


def test_a_missing_file_raises_and_writes_nothing(
    client: welkin.Client, summary: tuple[str, str], tmp_path: Path
) -> None:
    patient_id, summary_id = summary
    files = client.patients.document_summaries.files
    missing = "7b0c2f3e-52d4-4c55-9a49-3c52e8b0a1d2"
    target = tmp_path / "never.pdf"

    with pytest.raises(NotFoundError) as caught:
        files.download_to(patient_id, summary_id, missing, target)

    assert caught.value.status_code == 404
    assert not target.exists()
    with pytest.raises(NotFoundError):
        files.download(patient_id, summary_id, missing)


def test_download_to_a_missing_directory_is_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, summary: tuple[str, str], tmp_path: Path
) -> None:
    patient_id, summary_id = summary
    sent = len(fake.requests)
    with pytest.raises(InvalidArgumentError, match=r"^destination: no such directory"):
        client.patients.document_summaries.files.download_to(
            patient_id, summary_id, "7b0c2f3e-52d4-4c55-9a49-3c52e8b0a1d2", tmp_path / "x" / "y"
        )
    assert len(fake.requests) == sent


async def test_async_upload_and_streamed_download(
    fake: FakeWelkin, aclient: welkin.AsyncClient, tmp_path: Path
) -> None:
    patient = fake.add_patient(firstName="Ada")
    files = aclient.patients.document_summaries.files
    created = await aclient.patients.document_summaries.create(patient["id"], type="x")

    (stored,) = await files.upload(patient["id"], created.id, ("scan.pdf", PDF))
    data = await files.download(patient["id"], created.id, stored.id)
    written = await files.download_to(patient["id"], created.id, stored.id, tmp_path / "a.pdf")

    assert data == PDF
    assert written == len(PDF)
    assert (tmp_path / "a.pdf").read_bytes() == PDF
