"""Receiving Welkin's webhooks: typed events, verification, resolving, and receivers.

Welkin POSTs a JSON notification to your URL when data changes (and the chat webhook when
a user messages a patient), and delivers again after any non-2xx answer::

    from welkin.webhooks import unwrap

    event = unwrap(body, headers, expected_headers={"X-Welkin-Token": token})
    record = client.webhooks.resolve(event)  # the CDT record, calendar event ... as it is now

``wsgi_app`` and ``asgi_app`` do the same behind any WSGI or ASGI server, answering Welkin
and skipping redeliveries. Nothing here is imported by ``import welkin``.
"""

from ..types.webhooks import ChatMessageEvent, WebhookEvent, WebhookInitiator
from ._apps import DedupStore, MemoryDedupStore, asgi_app, delivery_key, wsgi_app
from ._errors import WebhookPayloadError, WebhookResolveError, WebhookVerificationError
from ._events import parse_event, unwrap
from ._resolve import AsyncWebhooks, ResolvedRecord, Webhooks
from ._verify import HeadersLike, HeaderVerifier, HmacVerifier, Verifier

__all__ = [
    # events
    "WebhookEvent",
    "ChatMessageEvent",
    "WebhookInitiator",
    "unwrap",
    "parse_event",
    # verification
    "Verifier",
    "HeaderVerifier",
    "HmacVerifier",
    "HeadersLike",
    # receivers
    "wsgi_app",
    "asgi_app",
    "DedupStore",
    "MemoryDedupStore",
    "delivery_key",
    # resolving
    "Webhooks",
    "AsyncWebhooks",
    "ResolvedRecord",
    # errors
    "WebhookVerificationError",
    "WebhookPayloadError",
    "WebhookResolveError",
]
