"""Realistic patients and users for ``FakeWelkin.seed``, drawn from the fake's seeded rng:
equal seeds give byte-identical data."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ._wire import iso

__all__ = ["seed_patient_fields", "seed_user_fields"]

JSONObject = dict[str, Any]

_FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Amara",
    "Noah",
    "Priya",
    "Mateo",
    "Sofia",
    "Elijah",
    "Mei",
    "Kenji",
    "Fatima",
    "Diego",
)
_LAST_NAMES = (
    "Garcia",
    "Smith",
    "Nguyen",
    "Johnson",
    "Patel",
    "Kim",
    "Okafor",
    "Rossi",
    "Cohen",
    "Martinez",
    "Brown",
    "Silva",
)
# (state, city, IANA timezone, zip prefix, area code)
_PLACES = (
    ("California", "Los Angeles", "America/Los_Angeles", "900", "213"),
    ("California", "San Francisco", "America/Los_Angeles", "941", "415"),
    ("Washington", "Seattle", "America/Los_Angeles", "981", "206"),
    ("Oregon", "Portland", "America/Los_Angeles", "972", "503"),
    ("Arizona", "Phoenix", "America/Phoenix", "850", "602"),
    ("Colorado", "Denver", "America/Denver", "802", "303"),
    ("Texas", "Austin", "America/Chicago", "787", "512"),
    ("Illinois", "Chicago", "America/Chicago", "606", "312"),
    ("New York", "New York", "America/New_York", "100", "212"),
    ("Massachusetts", "Boston", "America/New_York", "021", "617"),
    ("Georgia", "Atlanta", "America/New_York", "303", "404"),
    ("Hawaii", "Honolulu", "Pacific/Honolulu", "968", "808"),
)
_STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Pine Rd", "Lake Blvd")
_GENDERS = ("FEMALE", "MALE", "OTHER", "UNKNOWN")
_CREDENTIALS = ("MD", "DO", "RN", "NP", "PA", "LCSW")
_SEED_USER_STATES = ("ACTIVE", "ACTIVE", "ACTIVE", "INACTIVE", "PROVISIONED")
_REGIONS = ("east-coast", "west-coast", "central")
_SEED_EPOCH_START = 1609459200.0  # 2021-01-01T00:00:00Z
_SEED_EPOCH_END = 1704067200.0  # 2024-01-01T00:00:00Z


def seed_patient_fields(rng: random.Random, n: int) -> JSONObject:
    """The fields of the ``n``-th seeded patient."""
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    state, city, tz, zip_prefix, area_code = rng.choice(_PLACES)
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 75))
    created = _timestamp(rng)
    return {
        "externalId": f"EXT-{n:05d}" if rng.random() < 0.5 else None,
        "externalGuid": str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if rng.random() < 0.3
        else None,
        "mrn": f"{rng.randrange(10, 100)}{n:06d}" if rng.random() < 0.5 else None,
        "firstName": first,
        "lastName": last,
        "birthDate": f"{birth.isoformat()}T00:00:00.000Z",
        "gender": rng.choice(_GENDERS),
        "email": f"{first}.{last}{n}@example.com".lower(),
        "phone": _phone(rng, area_code),
        "country": "USA",
        "state": state,
        "city": city,
        "zip": f"{zip_prefix}{rng.randrange(100):02d}",
        "addressLine1": f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}",
        "timezone": tz,
        "createdAt": created,
        "updatedAt": created,
    }


def seed_user_fields(
    rng: random.Random, free_username: Callable[[str], str]
) -> tuple[JSONObject, str]:
    """The fields of a seeded user (its username made free by ``free_username``) and its
    region."""
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    _, _, tz, _, area_code = rng.choice(_PLACES)
    username = free_username(f"{first}.{last}".lower())
    created = _timestamp(rng)
    fields = {
        "username": username,
        "email": f"{username}@clinic.example.org",
        "phone": _phone(rng, area_code),
        "timezone": tz,
        "firstName": first,
        "lastName": last,
        "credentials": rng.choice(_CREDENTIALS),
        "userState": rng.choice(_SEED_USER_STATES),
        "seatAssigned": rng.random() < 0.7,
        "createdAt": created,
        "updatedAt": created,
    }
    return fields, rng.choice(_REGIONS)


def _timestamp(rng: random.Random) -> str:
    # Seeded records get past timestamps from the rng, not the clock.
    return iso(rng.uniform(_SEED_EPOCH_START, _SEED_EPOCH_END))


def _phone(rng: random.Random, area_code: str) -> str:
    return f"+1{area_code}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
