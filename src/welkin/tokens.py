"""Token stores: where a bearer token is kept so that every worker of a fleet shares it.

Welkin blocks an API client for five minutes after 100 token requests in five minutes, so a
fleet of processes (gunicorn or Celery workers, cron jobs, serverless functions) should fetch
one token and share it, not one per process start:

    Client(..., token_store=FileTokenStore("/run/welkin/tokens"))     # one machine
    Client(..., token_store=RedisTokenStore("redis://cache:6379/0"))  # many machines
    WELKIN_TOKEN_STORE=file:///run/welkin/tokens  (or redis://..., or memory)

A store keeps the token only, never the secret, under a key derived from the base URL, the
tenant, the API client and a hash of the secret. ``lock(key)`` makes the fetch single-flight
across the store's users: the first takes it and fetches, the others wait for its token.
Plug your own store (a secrets manager...) by implementing ``TokenStore``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from ._exceptions import ConfigurationError

__all__ = [
    "FileTokenStore",
    "MemoryTokenStore",
    "RedisTokenStore",
    "TokenStore",
    "store_from_env",
    "token_key",
]

logger = logging.getLogger("welkin")

#: How long one process may hold a store's fetch lock, and others wait for it.
LOCK_TIMEOUT = 30.0


def token_key(base_url: str, tenant: str, api_client: str, secret: str) -> str:
    """The store key of these credentials: a hash, so no store learns the secret."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    material = "\n".join((base_url, tenant, api_client, digest))
    return "welkin:token:" + hashlib.sha256(material.encode()).hexdigest()[:32]


@runtime_checkable
class TokenStore(Protocol):
    """Where tokens are shared. ``expires_at`` is the token's ``exp`` (seconds since the
    epoch) or None. Async callers use the ``a``-prefixed twins."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, token: str, expires_at: float | None) -> None: ...

    def delete_if(self, key: str, token: str) -> None:
        """Delete the token under ``key`` only if it is still ``token`` (compare and delete):
        a worker dropping a stale token must not drop the fresh one another just stored."""

    def lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Held while one user of the store fetches the token of ``key``."""

    async def aget(self, key: str) -> str | None: ...

    async def aset(self, key: str, token: str, expires_at: float | None) -> None: ...

    async def adelete_if(self, key: str, token: str) -> None: ...

    def alock(self, key: str) -> contextlib.AbstractAsyncContextManager[None]: ...


class _AsyncFromSync:
    """The async methods of a store whose work is quick, blocking I/O (a file, a socket)."""

    async def aget(self, key: str) -> str | None:
        return await asyncio.to_thread(self.get, key)  # type: ignore[attr-defined]

    async def aset(self, key: str, token: str, expires_at: float | None) -> None:
        await asyncio.to_thread(self.set, key, token, expires_at)  # type: ignore[attr-defined]

    async def adelete_if(self, key: str, token: str) -> None:
        await asyncio.to_thread(self.delete_if, key, token)  # type: ignore[attr-defined]

    @contextlib.asynccontextmanager
    async def alock(self, key: str) -> AsyncIterator[None]:
        manager = self.lock(key)  # type: ignore[attr-defined]
        await asyncio.to_thread(manager.__enter__)
        try:
            yield
        finally:
            await asyncio.to_thread(manager.__exit__, None, None, None)


def _alive(expires_at: float | None) -> bool:
    return expires_at is None or expires_at > time.time()


class MemoryTokenStore(_AsyncFromSync):
    """Tokens in this process only (what a client does without a store)."""

    def __init__(self) -> None:
        import threading

        self._tokens: dict[str, tuple[str, float | None]] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def __repr__(self) -> str:
        return f"MemoryTokenStore(tokens={len(self._tokens)})"

    def get(self, key: str) -> str | None:
        entry = self._tokens.get(key)
        return entry[0] if entry and _alive(entry[1]) else None

    def set(self, key: str, token: str, expires_at: float | None) -> None:
        self._tokens[key] = (token, expires_at)

    def delete_if(self, key: str, token: str) -> None:
        with self._guard:
            entry = self._tokens.get(key)
            if entry and entry[0] == token:
                del self._tokens[key]

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        import threading

        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield


class FileTokenStore(_AsyncFromSync):
    """Tokens in one JSON file shared by the processes of a machine.

    The file is written with mode 0600 and replaced atomically; an OS lock on ``<path>.lock``
    makes the fetch single-flight across processes. A file that cannot be read or parsed is
    ignored with a warning (the token is fetched, and the file rewritten), never a crash.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            logger.warning("token store %s is unreadable (%s): fetching", self.path, exc.strerror)
            return {}
        try:
            data = json.loads(text)  # bytes: json finds the encoding, or fails as below
        except ValueError:
            logger.warning("token store %s is not valid JSON: fetching and rewriting", self.path)
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(data, out)
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def get(self, key: str) -> str | None:
        entry = self._read().get(key)
        if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
            return None
        expires_at = entry.get("expires_at")
        if expires_at is not None and not isinstance(expires_at, (int, float)):
            return None
        return entry["token"] if _alive(expires_at) else None

    def set(self, key: str, token: str, expires_at: float | None) -> None:
        with self._file_lock(".write"):
            data = {k: v for k, v in self._read().items() if _entry_alive(v)}
            data[key] = {"token": token, "expires_at": expires_at}
            self._write(data)

    def delete_if(self, key: str, token: str) -> None:
        with self._file_lock(".write"):
            data = self._read()
            entry = data.get(key)
            if isinstance(entry, dict) and entry.get("token") == token:
                del data[key]
                self._write(data)

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with self._file_lock(""):
            yield

    @contextlib.contextmanager
    def _file_lock(self, suffix: str) -> Iterator[None]:
        """An exclusive OS lock on ``<path>.lock<suffix>``, waited for up to LOCK_TIMEOUT."""
        path = self._lock_path.with_name(self._lock_path.name + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_file(fd, path)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _entry_alive(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    expires_at = entry.get("expires_at")
    return not isinstance(expires_at, (int, float)) or _alive(expires_at)


def _lock_file(fd: int, path: Path) -> None:
    deadline = time.monotonic() + LOCK_TIMEOUT
    if sys.platform == "win32":  # pragma: no cover - not run on this project's machines
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise ConfigurationError(f"token store lock {path} held too long") from None
                time.sleep(0.05)
    import fcntl

    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise ConfigurationError(f"token store lock {path} held too long") from None
            time.sleep(delay)
            delay = min(0.1, delay * 2)


# Deletes KEYS[1] only while it still holds ARGV[1]: one round trip, so no other worker's
# fresh token can slip in between the compare and the delete.
_COMPARE_AND_DELETE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisTokenStore(_AsyncFromSync):
    """Tokens in Redis, shared by every machine (``pip install "welkin[redis]"``).

    A token is stored with a TTL that ends at its ``exp``. The fetch is single-flight across
    machines: a ``SET NX PX`` lock that expires by itself if its holder dies; the others poll
    for the token with a growing wait, up to ``lock_timeout`` seconds.
    """

    def __init__(self, redis: Any, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        if isinstance(redis, str):
            try:
                redis_py = importlib.import_module("redis")  # the optional extra
            except ImportError:
                raise ConfigurationError(
                    'RedisTokenStore needs the redis package: pip install "welkin[redis]"'
                ) from None
            redis = redis_py.Redis.from_url(redis)
        self.redis = redis
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return "RedisTokenStore()"

    def get(self, key: str) -> str | None:
        value = self.redis.get(key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def set(self, key: str, token: str, expires_at: float | None) -> None:
        if expires_at is None:
            self.redis.set(key, token)
            return
        ttl_ms = int((expires_at - time.time()) * 1000)
        if ttl_ms > 0:
            self.redis.set(key, token, px=ttl_ms)

    def delete_if(self, key: str, token: str) -> None:
        self.redis.eval(_COMPARE_AND_DELETE, 1, key, token)

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        lock_key, owner = f"{key}:lock", uuid.uuid4().hex
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.01
        while not self.redis.set(lock_key, owner, nx=True, px=int(self.lock_timeout * 1000)):
            if self.get(key) is not None:
                break  # another machine fetched it meanwhile: no need to hold the lock
            if time.monotonic() > deadline:
                raise ConfigurationError(f"the token lock {lock_key} was held too long")
            time.sleep(delay)
            delay = min(0.25, delay * 2)
        else:
            try:
                yield
            finally:
                self.redis.eval(_COMPARE_AND_DELETE, 1, lock_key, owner)
            return
        yield


def store_from_env(value: str | None = None) -> TokenStore | None:
    """The store ``WELKIN_TOKEN_STORE`` names: ``memory`` (None: the client's own cache),
    ``file:///path/to/tokens`` or ``redis://host:6379/0`` (``rediss://`` with TLS)."""
    text = (value if value is not None else os.environ.get("WELKIN_TOKEN_STORE", "")).strip()
    if not text or text == "memory":
        return None
    parts = urlsplit(text)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise ConfigurationError(f"WELKIN_TOKEN_STORE: expected file:///path, got {text!r}")
        return FileTokenStore(unquote(parts.path))
    if parts.scheme in ("redis", "rediss", "unix"):
        return RedisTokenStore(text)
    raise ConfigurationError(
        "WELKIN_TOKEN_STORE must be memory, file:///path or redis://host:port/db; "
        f"got a {parts.scheme or 'plain'} value"
    )
