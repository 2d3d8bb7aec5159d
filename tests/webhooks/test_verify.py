"""Verifying a delivery: the configured custom headers (right, wrong, missing, sent twice),
compared in constant time, and a configurable HMAC signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

import httpx
import pytest

from welkin import ConfigurationError, WelkinError
from welkin.webhooks import (
    HeaderVerifier,
    HmacVerifier,
    WebhookVerificationError,
    unwrap,
)

BODY = json.dumps({"eventEntity": "CDT", "eventSubtype": "CDT_CREATED"}).encode()
TOKEN = "3f1c0e5a9b7d4e2f"
EXPECTED = {"X-Welkin-Token": TOKEN}


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Welkin-Token": TOKEN},
        {"x-welkin-token": TOKEN},  # names are case-insensitive
        {"X_WELKIN_TOKEN": TOKEN},  # WSGI cannot tell "_" from "-"
        [("Content-Type", "application/json"), ("X-Welkin-Token", TOKEN)],
        httpx.Headers({"X-Welkin-Token": TOKEN}),
    ],
    ids=["mapping", "lowercase", "underscores", "pairs", "httpx.Headers"],
)
def test_the_right_headers_pass(headers: Mapping[str, str]) -> None:
    event = unwrap(BODY, headers, expected_headers=EXPECTED)
    assert event.event_subtype == "CDT_CREATED"


def test_every_configured_header_is_checked() -> None:
    expected = {"X-Welkin-Token": TOKEN, "webhook_header": "webhook_header_value"}
    unwrap(BODY, {"X-Welkin-Token": TOKEN, "Webhook-Header": "webhook_header_value"},
           expected_headers=expected)  # fmt: skip
    with pytest.raises(WebhookVerificationError, match="the webhook_header header is missing"):
        unwrap(BODY, {"X-Welkin-Token": TOKEN}, expected_headers=expected)


@pytest.mark.parametrize(
    "given",
    [TOKEN.upper(), TOKEN[:-1], TOKEN + " ", "", "wrong"],
    ids=["case", "shorter", "trailing space", "empty", "other"],
)
def test_a_wrong_header_is_refused(given: str) -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        unwrap(BODY, {"X-Welkin-Token": given}, expected_headers=EXPECTED)

    assert str(caught.value) == "the X-Welkin-Token header does not match"
    assert isinstance(caught.value, WelkinError)


def test_a_missing_header_is_refused() -> None:
    with pytest.raises(WebhookVerificationError, match=r"^the X-Welkin-Token header is missing$"):
        unwrap(BODY, {"Content-Type": "application/json"}, expected_headers=EXPECTED)


def test_a_header_sent_twice_is_refused() -> None:
    pairs = [("X-Welkin-Token", TOKEN), ("X-Welkin-Token", "forged")]
    with pytest.raises(WebhookVerificationError, match="does not match"):
        unwrap(BODY, pairs, expected_headers=EXPECTED)


def test_headers_are_verified_before_the_body_is_parsed() -> None:
    with pytest.raises(WebhookVerificationError):
        unwrap(b"not json", {}, expected_headers=EXPECTED)


def test_the_values_never_reach_the_message_or_the_repr() -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        unwrap(BODY, {"X-Welkin-Token": "guess"}, expected_headers=EXPECTED)
    assert TOKEN not in str(caught.value) and "guess" not in str(caught.value)
    assert TOKEN not in repr(HeaderVerifier(EXPECTED))


def test_header_values_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)

    unwrap(BODY, {"X-Welkin-Token": TOKEN}, expected_headers=EXPECTED)
    with pytest.raises(WebhookVerificationError):
        unwrap(BODY, {"X-Welkin-Token": "forged"}, expected_headers=EXPECTED)

    assert calls == [(TOKEN.encode(), TOKEN.encode()), (b"forged", TOKEN.encode())]


def test_non_ascii_values_compare_too() -> None:
    unwrap(BODY, {"X-Token": "clé"}, expected_headers={"X-Token": "clé"})
    with pytest.raises(WebhookVerificationError):
        unwrap(BODY, {"X-Token": "cle"}, expected_headers={"X-Token": "clé"})


def test_a_header_verifier_needs_headers() -> None:
    with pytest.raises(ConfigurationError):
        HeaderVerifier({})


def test_without_checks_nothing_is_verified() -> None:
    assert unwrap(BODY, {}).event_entity == "CDT"
    assert unwrap(BODY, {}, expected_headers={}).event_entity == "CDT"


# -- signatures ----------------------------------------------------------------------------

SECRET = "whsec_2b6f0cc904d137be"


def sha256_hex(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_an_hmac_signature_is_checked() -> None:
    verifier = HmacVerifier(SECRET, header="X-Welkin-Signature")

    event = unwrap(BODY, {"X-Welkin-Signature": sha256_hex(BODY)}, verifier=verifier)
    assert event.event_entity == "CDT"
    assert verifier.signature(BODY) == sha256_hex(BODY)


def test_a_signature_of_another_body_is_refused() -> None:
    verifier = HmacVerifier(SECRET, header="X-Welkin-Signature")
    tampered = BODY.replace(b"CDT_CREATED", b"CDT_UPDATED")

    with pytest.raises(WebhookVerificationError, match="signature does not match"):
        unwrap(tampered, {"X-Welkin-Signature": sha256_hex(BODY)}, verifier=verifier)


def test_a_missing_signature_is_refused() -> None:
    verifier = HmacVerifier(SECRET, header="X-Welkin-Signature")
    with pytest.raises(WebhookVerificationError, match="signature header is missing"):
        unwrap(BODY, {}, verifier=verifier)


def test_hex_digits_may_come_in_either_case() -> None:
    verifier = HmacVerifier(SECRET, header="X-Sig")
    unwrap(BODY, {"X-Sig": sha256_hex(BODY).upper()}, verifier=verifier)


def test_the_scheme_is_configurable() -> None:
    """Header, algorithm, encoding and prefix are settings: Welkin names none of them."""
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha512).digest()
    verifier = HmacVerifier(
        SECRET.encode(), header="Signature", algorithm="sha512", encoding="base64", prefix="v1="
    )
    header = "v1=" + base64.b64encode(digest).decode()

    assert verifier.signature(BODY) == header
    unwrap(BODY, {"Signature": header}, verifier=verifier)
    with pytest.raises(WebhookVerificationError):
        unwrap(BODY, {"Signature": base64.b64encode(digest).decode()}, verifier=verifier)


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))

    unwrap(BODY, {"X-Sig": sha256_hex(BODY)}, verifier=HmacVerifier(SECRET, header="X-Sig"))

    assert calls == [(sha256_hex(BODY).encode(), sha256_hex(BODY).encode())]


@pytest.mark.parametrize(
    ("secret", "options", "problem"),
    [
        ("", {}, "non-empty secret"),
        (SECRET, {"algorithm": "sha257"}, "unknown HMAC algorithm 'sha257'"),
        (SECRET, {"encoding": "base32"}, "encoding must be"),
    ],
)
def test_a_bad_scheme_is_refused_when_configured(
    secret: str, options: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        HmacVerifier(secret, header="X-Sig", **options)  # type: ignore[arg-type]


def test_the_secret_stays_out_of_the_repr() -> None:
    assert repr(HmacVerifier(SECRET, header="X-Sig")) == (
        "HmacVerifier(header='X-Sig', algorithm='sha256')"
    )


def test_any_callable_is_a_verifier_and_gets_the_raw_body_and_normalised_headers() -> None:
    seen: list[tuple[bytes, dict[str, str]]] = []

    def verifier(body: bytes, headers: Mapping[str, str]) -> None:
        seen.append((body, dict(headers)))
        if headers.get("x-tenant") != "gh":
            raise WebhookVerificationError("wrong tenant")

    unwrap(BODY, {"X-Tenant": "gh"}, verifier=verifier)
    with pytest.raises(WebhookVerificationError, match="wrong tenant"):
        unwrap(BODY, {"X-Tenant": "acme"}, verifier=verifier)
    assert seen[0] == (BODY, {"x-tenant": "gh"})


def test_headers_and_a_verifier_both_apply() -> None:
    verifier = HmacVerifier(SECRET, header="X-Sig")
    good = {"X-Welkin-Token": TOKEN, "X-Sig": sha256_hex(BODY)}
    unwrap(BODY, good, expected_headers=EXPECTED, verifier=verifier)
    with pytest.raises(WebhookVerificationError, match="X-Sig"):
        unwrap(BODY, {**good, "X-Sig": "0" * 64}, expected_headers=EXPECTED, verifier=verifier)
