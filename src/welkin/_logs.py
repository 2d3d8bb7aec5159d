"""The SDK's logging: the ``welkin`` logger, and ``WELKIN_LOG`` to switch it on without code.

``WELKIN_LOG=info`` logs retries, token fetches and warnings; ``WELKIN_LOG=debug`` adds a line
per request: the operation, its method, its path *template* (``{tenant}/{instance}/patients/
{patientId}``), the status and the time taken. Ids, query strings, headers and bodies are
never logged: paths and queries hold patient identifiers. ``WELKIN_LOG_IDS=1`` (for local
debugging only) logs the paths as sent instead of their templates.
"""

from __future__ import annotations

import logging
import os
import re
import sys

__all__ = ["logger", "redacted_path", "setup_from_env"]

logger = logging.getLogger("welkin")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_configured = False

# Path segments that identify a record: UUIDs and anything with a digit (MRNs, external ids,
# numeric ids), or an @ (a user read by email).
_ID_SEGMENT = re.compile(r"[^/]*[0-9@][^/]*")


def setup_from_env() -> None:
    """Honour ``WELKIN_LOG`` once per process: a stderr handler on the ``welkin`` logger at
    that level (unless the application has configured the logger itself)."""
    global _configured
    if _configured:
        return
    _configured = True
    wanted = os.environ.get("WELKIN_LOG", "").strip().lower()
    if not wanted:
        return
    level = _LEVELS.get(wanted)
    if level is None:
        # Not an exception: a typo in an environment variable must not stop a service.
        sys.stderr.write(f"welkin: WELKIN_LOG={wanted!r} is not one of debug, info: ignored\n")
        return
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)


def show_ids() -> bool:
    return os.environ.get("WELKIN_LOG_IDS", "").strip().lower() in ("1", "true", "yes")


def redacted_path(route: str | None, path: str) -> str:
    """What a log line says of a request's path: its template when there is one, else the
    path with every segment that may identify a record replaced by ``{id}``."""
    if show_ids():
        return path
    if route is not None:
        return route
    return "/".join("{id}" if _ID_SEGMENT.fullmatch(s) else s for s in path.split("/"))
