"""Welkin's wire forms: timestamps, query and path parameters, timestamp fields of models."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import TypeAdapter

from welkin import InvalidArgumentError
from welkin._models import WelkinDateTime
from welkin._serialization import Param, format_datetime
from welkin.types import Patient

PLUS_3 = timezone(timedelta(hours=3))
MINUS_8 = timezone(timedelta(hours=-8))
CANONICAL = "6801d498-26f4-4aee-961b-5daffcf193c8"


class Status(enum.Enum):
    OPEN = "OPEN"
    DONE = "DONE"


# -- format_datetime ------------------------------------------------------------------------


def test_format_datetime_is_utc_with_milliseconds_and_z() -> None:
    value = datetime(2022, 9, 15, 23, 0, tzinfo=timezone.utc)

    assert format_datetime(value) == "2022-09-15T23:00:00.000Z"


def test_format_datetime_truncates_to_milliseconds() -> None:
    value = datetime(2022, 9, 15, 23, 0, 1, 123999, tzinfo=timezone.utc)

    assert format_datetime(value) == "2022-09-15T23:00:01.123Z"


def test_format_datetime_converts_other_offsets_to_utc() -> None:
    moscow_morning = datetime(2020, 1, 1, 3, 0, tzinfo=PLUS_3)
    pacific_evening = datetime(2020, 1, 1, 20, 0, tzinfo=MINUS_8)

    assert format_datetime(moscow_morning) == "2020-01-01T00:00:00.000Z"
    assert format_datetime(pacific_evening) == "2020-01-02T04:00:00.000Z"


def test_format_datetime_sends_a_date_as_midnight_utc() -> None:
    assert format_datetime(date(2022, 9, 15)) == "2022-09-15T00:00:00.000Z"


def test_format_datetime_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime(datetime(2022, 9, 15, 23, 0))


# -- Param.encode ---------------------------------------------------------------------------


def encode(kind: str, value: Any, **options: Any) -> str:
    return Param("wireName", "python_name", kind, **options).encode(value)


def rejects(kind: str, value: Any, **options: Any) -> InvalidArgumentError:
    with pytest.raises(InvalidArgumentError) as caught:
        encode(kind, value, **options)
    assert caught.value.argument == "python_name"
    assert isinstance(caught.value, ValueError)
    return caught.value


def test_string_param() -> None:
    assert encode("string", "foo bar") == "foo bar"
    assert encode("string", "") == ""
    assert encode("string", Status.OPEN) == "OPEN"
    rejects("string", 5)
    rejects("string", b"bytes")


def test_integer_param_rejects_bool_and_text() -> None:
    assert encode("integer", 0) == "0"
    assert encode("integer", 42) == "42"
    rejects("integer", True)
    rejects("integer", "2")
    rejects("integer", 2.0)


def test_boolean_param_is_lower_case() -> None:
    assert encode("boolean", True) == "true"
    assert encode("boolean", False) == "false"
    rejects("boolean", "true")
    rejects("boolean", 1)


@pytest.mark.parametrize(
    "value",
    [
        uuid.UUID(CANONICAL),
        CANONICAL,
        CANONICAL.upper(),
        CANONICAL.replace("-", ""),
        "{" + CANONICAL + "}",
    ],
    ids=["UUID", "canonical", "upper", "hex", "braces"],
)
def test_uuid_param_is_sent_in_canonical_form(value: Any) -> None:
    assert encode("uuid", value) == CANONICAL


@pytest.mark.parametrize("value", ["not-a-uuid", CANONICAL[:-1], "", 123])
def test_uuid_param_rejects_malformed_values(value: Any) -> None:
    rejects("uuid", value)


def test_datetime_param() -> None:
    assert encode("datetime", datetime(2020, 1, 1, 3, tzinfo=PLUS_3)) == "2020-01-01T00:00:00.000Z"
    assert encode("datetime", date(2020, 1, 1)) == "2020-01-01T00:00:00.000Z"
    assert "aware" in rejects("datetime", datetime(2020, 1, 1)).problem
    rejects("datetime", "2020-01-01T00:00:00.000Z")


def test_enum_param_accepts_only_its_values() -> None:
    values = ("OPEN", "DONE")

    assert encode("enum", "OPEN", values=values) == "OPEN"
    assert encode("enum", Status.DONE, values=values) == "DONE"
    assert "OPEN, DONE" in rejects("enum", "open", values=values).problem
    rejects("enum", "GONE", values=values)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("createdAt", "createdAt"),
        ("createdAt,desc", "createdAt,desc"),
        ("lastName,ASC", "lastName,ASC"),
        ("patient.lastName,asc", "patient.lastName,asc"),
        (("firstName", "desc"), "firstName,desc"),
    ],
)
def test_sort_param(value: Any, wire: str) -> None:
    assert encode("sort", value) == wire


@pytest.mark.parametrize(
    "value",
    [
        "createdAt desc",
        "createdAt,down",
        ",asc",
        "",
        "a,asc;drop",
        "createdAt,desc\n",
        ("a", "b", "c"),
        3,
    ],
)
def test_sort_param_rejects_other_forms(value: Any) -> None:
    rejects("sort", value)


def test_csv_param_joins_items_with_commas() -> None:
    assert encode("csv", ["OPEN", "DRAFT"]) == "OPEN,DRAFT"
    assert encode("csv", ("a",)) == "a"
    assert encode("csv", []) == ""
    assert encode("csv", [uuid.UUID(CANONICAL), CANONICAL.upper()], item="uuid") == (
        f"{CANONICAL},{CANONICAL}"
    )
    assert encode("csv", ["OPEN", Status.DONE], item="enum", values=("OPEN", "DONE")) == (
        "OPEN,DONE"
    )


def test_csv_param_rejects_a_plain_string_and_bad_items() -> None:
    rejects("csv", "OPEN,DRAFT")
    rejects("csv", [1, 2])
    rejects("csv", ["not-a-uuid"], item="uuid")


def test_path_values_are_percent_encoded() -> None:
    param = Param("externalId", "external_id", "string")

    assert param.encode_path("A/B 1?x") == "A%2FB%201%3Fx"


def test_empty_path_values_are_refused() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        Param("mrn", "mrn", "string").encode_path("")

    assert caught.value.argument == "mrn"


# -- WelkinDateTime -------------------------------------------------------------------------

WIRE = "2022-09-15T23:00:00.000Z"


def test_welkin_datetime_round_trips_exactly() -> None:
    adapter: TypeAdapter[datetime] = TypeAdapter(WelkinDateTime)

    value = adapter.validate_python(WIRE)

    assert value == datetime(2022, 9, 15, 23, tzinfo=timezone.utc)
    assert adapter.dump_python(value, mode="json") == WIRE
    assert adapter.dump_json(value) == f'"{WIRE}"'.encode()


def test_welkin_datetime_keeps_milliseconds_and_its_offset_but_requests_go_in_utc() -> None:
    adapter: TypeAdapter[datetime] = TypeAdapter(WelkinDateTime)

    def round_trip(wire: str, context: dict[str, bool] | None = None) -> object:
        return adapter.dump_python(adapter.validate_python(wire), mode="json", context=context)

    assert round_trip("2022-09-15T23:00:00.125Z") == "2022-09-15T23:00:00.125Z"
    assert round_trip("2020-01-01T03:00:00.000+03:00") == "2020-01-01T03:00:00.000+03:00"
    assert round_trip("2020-01-01T03:00:00.000+00:00") == "2020-01-01T03:00:00.000Z"
    # Request bodies (dump_body) are sent in Welkin's documented UTC form.
    request = {"request": True}
    assert round_trip("2020-01-01T03:00:00.000+03:00", request) == "2020-01-01T00:00:00.000Z"


def test_welkin_datetime_accepts_a_date_as_midnight_utc_and_refuses_naive() -> None:
    adapter: TypeAdapter[datetime] = TypeAdapter(WelkinDateTime)

    assert adapter.validate_python(date(2022, 9, 15)) == datetime(2022, 9, 15, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        adapter.validate_python(datetime(2022, 9, 15, 23, 0))
    with pytest.raises(ValueError):
        adapter.validate_python("2022-09-15T23:00:00")


def test_model_timestamp_fields_round_trip_exactly() -> None:
    data = {"id": CANONICAL, "createdAt": WIRE, "birthDate": "2012-08-12T00:00:00.000Z"}

    patient = Patient.model_validate(data)

    assert patient.created_at == datetime(2022, 9, 15, 23, tzinfo=timezone.utc)
    assert patient.to_dict() == data
    # Python mode keeps the datetime itself.
    assert patient.model_dump(exclude_unset=True)["created_at"] == patient.created_at


def test_request_bodies_send_every_timestamp_with_milliseconds_nested_ones_too() -> None:
    # Typed fields, extra fields of nested models and free-form objects alike: the old
    # package sent .744Z everywhere, and pydantic alone would send .744000Z in the last two.
    from welkin._models import dump_body
    from welkin.operations import OPERATIONS

    when = datetime(2024, 1, 2, 3, 4, 5, 744999, tzinfo=PLUS_3)
    body = dump_body(
        OPERATIONS["calendar.events.create"].body_model,  # type: ignore[arg-type]
        {
            "start_date_time": when,
            "end_date_time": when,
            "host_id": CANONICAL,
            "participants": [
                {"participantId": CANONICAL, "participantRole": "psm", "startDateTime": when}
            ],
            "additional_info": {"at": [when], "note": "kept"},
        },
        "body",
    )

    wire = "2024-01-02T00:04:05.744Z"
    assert body["startDateTime"] == body["endDateTime"] == wire
    assert body["participants"][0]["startDateTime"] == wire
    assert body["additionalInfo"] == {"at": [wire], "note": "kept"}


def test_codegen_and_the_runtime_know_the_same_parameter_kinds() -> None:
    from typing import get_args

    from codegen.render import PARAM_TYPES
    from welkin._serialization import ParamKind

    assert set(PARAM_TYPES) | {"enum", "csv"} == set(get_args(ParamKind))


@pytest.mark.parametrize(
    "query",
    [
        {"type": "ID"},
        {"query": "Ada Lovelace", "sort": "lastName,asc", "page": "0"},
        {"q": "a+b&c=d/é?#%", "empty": "", "tilde~": "x.y-z_"},
    ],
)
def test_query_strings_are_encoded_as_httpx_encodes_params(query: dict[str, str]) -> None:
    import httpx

    from welkin._serialization import query_string

    assert query_string(query) == str(httpx.QueryParams(query))
    url = httpx.URL(f"https://h/p?{query_string(query)}")
    assert url == httpx.Request("GET", "https://h/p", params=query).url
