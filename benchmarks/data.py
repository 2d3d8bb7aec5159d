"""Deterministic test data: realistic ~2 KB patients, Spring pages of them, JWT-shaped tokens.

The loopback server and the parse benchmark both build their bytes from here; a page is built
by the fake's own page builder (``welkin.testing``), so both serve what the fake serves.
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from typing import Any

from welkin.testing._pages import spring_page

__all__ = ["PATIENT_COUNT", "make_patients", "make_token", "spring_page", "to_json_bytes"]

PATIENT_COUNT = 5_000
_SEED = 20240601

_FIRST = ("Olivia", "Liam", "Amara", "Noah", "Priya", "Mateo", "Sofia", "Elijah", "Mei", "Kenji")
_MIDDLE = ("Rose", "James", "Lee", "Marie", "Ann", "Ray", None)
_LAST = ("Garcia", "Smith", "Nguyen", "Johnson", "Patel", "Kim", "Okafor", "Rossi", "Cohen")
# (state, city, IANA timezone, zip prefix, area code)
_PLACES = (
    ("California", "Los Angeles", "America/Los_Angeles", "900", "213"),
    ("Washington", "Seattle", "America/Los_Angeles", "981", "206"),
    ("Colorado", "Denver", "America/Denver", "802", "303"),
    ("Texas", "Austin", "America/Chicago", "787", "512"),
    ("New York", "New York", "America/New_York", "100", "212"),
    ("Massachusetts", "Boston", "America/New_York", "021", "617"),
)
_STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Pine Rd")
_GENDERS = ("FEMALE", "MALE", "OTHER", "UNKNOWN")
_ROLES = ("Care Coordinator", "Physician", "Nurse", "Health Coach", "Social Worker")
_REGIONS = (("east-coast", ("NY", "MA", "NJ")), ("west-coast", ("CA", "WA")), ("central", ("TX",)))
_LANGUAGES = ("English", "Spanish", "Mandarin", "Hindi")


def _iso(rng: random.Random, start: float = 1_609_459_200.0, end: float = 1_704_067_200.0) -> str:
    stamp = rng.uniform(start, end)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + f".{rng.randrange(1000):03d}Z"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _care_team_member(rng: random.Random, point_of_contact: bool) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    return {
        "id": _uuid(rng),
        "username": f"{first.lower()}.{last.lower()}{rng.randrange(100)}",
        "firstName": first,
        "lastName": last,
        "roles": [
            {"name": rng.choice(_ROLES), "primaryRole": True},
            {"name": rng.choice(_ROLES), "primaryRole": False},
        ],
        "pointOfContact": point_of_contact,
    }


def _patient(rng: random.Random, index: int) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    state, city, tz, zip_prefix, area = rng.choice(_PLACES)
    region, territories = rng.choice(_REGIONS)
    created = _iso(rng)
    author = _uuid(rng)
    return {
        "id": _uuid(rng),
        "externalId": f"EXT-{index:06d}",
        "externalGuid": _uuid(rng),
        "mrn": f"MRN-{index:07d}",
        "firstName": first,
        "middleName": rng.choice(_MIDDLE),
        "lastName": last,
        "birthDate": f"{rng.randrange(1940, 2010)}-{rng.randrange(1, 13):02d}-"
        f"{rng.randrange(1, 29):02d}T00:00:00.000Z",
        "gender": rng.choice(_GENDERS),
        "email": f"{first.lower()}.{last.lower()}{index}@example.com",
        "phone": f"+1{area}555{rng.randrange(10_000):04d}",
        "country": "US",
        "state": state,
        "city": city,
        "zip": f"{zip_prefix}{rng.randrange(100):02d}",
        "addressLine1": f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}",
        "addressLine2": rng.choice((None, f"Apt {rng.randrange(1, 400)}")),
        "timezone": tz,
        "patientTerritories": [{"name": region, "territories": list(territories)}],
        "careTeam": [_care_team_member(rng, n == 0) for n in range(rng.randrange(2, 5))],
        "createdAt": created,
        "updatedAt": _iso(rng),
        "createdBy": author,
        "updatedBy": author,
        "createdByName": "Integration API client",
        "updatedByName": "Integration API client",
        # Fields the SDK's models do not declare: they must be kept, and cost parsing time.
        "primaryLanguage": rng.choice(_LANGUAGES),
        "cadence": rng.choice(("WEEKLY", "MONTHLY", None)),
        "status": "ACTIVE",
        "tags": ["diabetes-program", f"cohort-{rng.randrange(12)}"],
        "customFields": {"insurancePlan": "PPO-Gold", "memberId": f"M{rng.randrange(10**9):09d}"},
        "programs": [
            {"name": "Diabetes Prevention", "phase": "Enrolled", "startedAt": _iso(rng)},
            {"name": "Remote Monitoring", "phase": "Onboarding", "startedAt": _iso(rng)},
        ],
    }


def make_patients(count: int = PATIENT_COUNT) -> list[dict[str, Any]]:
    """``count`` patients, the same on every call."""
    rng = random.Random(_SEED)  # noqa: S311 - reproducible test data, not cryptography
    return [_patient(rng, index) for index in range(count)]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_token(client: str, now: float, serial: int) -> str:
    """A JWT-shaped token (unsigned) whose ``exp`` is one hour after ``now``."""
    header = _b64(b'{"alg":"RS256","kid":"bench"}')
    claims = {
        "sub": client,
        "custom:type": "API_CLIENT",
        "token_use": "id",
        "iat": int(now),
        "exp": int(now) + 3600,
        "jti": serial,
    }
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{payload}.{_b64(b'not-a-real-signature')}"


def to_json_bytes(value: Any) -> bytes:
    """Compact JSON, as an API server sends it."""
    return json.dumps(value, separators=(",", ":")).encode()
