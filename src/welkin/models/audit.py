"""Webhook and data audits (``welkin.models.audit`` of welkin 0.1.x)."""

from __future__ import annotations

from typing import Any

from ..pagination import MetaInfoIterator
from .base import Collection, Resource

__all__ = ["DataAudit", "DataAudits", "WebhookAudit", "WebhookAudits"]


class WebhookAudit(Resource):
    """One webhook delivery."""

    typed_model = "audits.WebhookAuditEvent"


class WebhookAudits(Collection):
    """Webhook deliveries; ``params`` is the query as is."""

    resource = WebhookAudit
    iterator = MetaInfoIterator

    def get(self, params: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        return super().get("admin/audit-webhook", *args, params=params or {}, **kwargs)


class DataAudit(Resource):
    """One data change."""

    typed_model = "audits.DataAuditEvent"


class DataAudits(Collection):
    """Data changes; ``params`` is the query as is."""

    resource = DataAudit
    iterator = MetaInfoIterator

    def get(self, params: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        return super().get("admin/audit-data", *args, params=params or {}, **kwargs)
