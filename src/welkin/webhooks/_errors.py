"""The exceptions of ``welkin.webhooks``, under welkin's own base.

    WelkinError
    ├── WebhookVerificationError   a delivery's headers or signature do not match (answer 401)
    ├── WebhookPayloadError        a body that is not a webhook's JSON object (answer 400)
    └── WebhookResolveError        an event that names no record the SDK can read

Messages name headers and fields, never their values: those are secrets or patient data.
"""

from __future__ import annotations

from .._exceptions import WelkinError

__all__ = ["WebhookPayloadError", "WebhookResolveError", "WebhookVerificationError"]


class WebhookVerificationError(WelkinError):
    """A delivery did not prove it came from Welkin: a configured header is missing or
    differs, or its signature does not match."""


class WebhookPayloadError(WelkinError, ValueError):
    """A delivery's body is not a JSON object of a webhook's shape."""


class WebhookResolveError(WelkinError):
    """The event does not say which record it is about (an unknown entity without a URL the
    SDK knows, or missing ids), or it belongs to another tenant or instance than the client."""
