"""Token stores shared by a fleet: processes on one FileTokenStore, or on one Redis, fetch one
token between them, replace an expired one once, and survive a broken store."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import welkin
from welkin import ConfigurationError, InvalidArgumentError
from welkin.testing import FakeWelkin
from welkin.tokens import (
    FileTokenStore,
    MemoryTokenStore,
    RedisTokenStore,
    TokenStore,
    store_from_env,
    token_key,
)

ROOT = Path(__file__).resolve().parents[1]

WORKER = textwrap.dedent(
    """
    import sys, welkin
    from welkin.tokens import store_from_env
    base_url, tenant, instance, api_client, secret, store, patient = sys.argv[1:8]
    client = welkin.Client(tenant, instance, api_client, secret, base_url=base_url,
                           token_store=store_from_env(store))
    client.patients.get(patient)
    """
)


def run_fleet(fake: FakeWelkin, base_url: str, store: str, processes: int) -> None:
    """``processes`` workers started at once, each one client and one call."""
    patient = next(iter(fake.patients))
    args = [base_url, fake.tenant, fake.instance, fake.api_client, fake.secret, store, patient]
    env = {k: v for k, v in os.environ.items() if k != "WELKIN_TOKEN_STORE"}
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, *args], env=env, stderr=subprocess.PIPE)
        for _ in range(processes)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err.decode()


@pytest.fixture
def served() -> Iterator[tuple[FakeWelkin, str]]:
    fake = FakeWelkin()
    fake.seed(patients=1)
    with fake.serve() as base_url:
        yield fake, base_url


# -- a real Redis, started by the test session ---------------------------------------------------


def _redis_server_binary() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redis_server  # the PyPI package that ships the binary

        return str(redis_server.REDIS_SERVER_PATH)
    except (ImportError, AttributeError):
        return None


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    binary = _redis_server_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def redis_store(redis_url: str) -> Iterator[RedisTokenStore]:
    store = RedisTokenStore(redis_url)
    store.redis.flushdb()
    yield store
    store.redis.close()


# -- a fleet fetches once ---------------------------------------------------------------------


def test_twenty_processes_on_one_file_store_make_one_token_request(
    served: tuple[FakeWelkin, str], tmp_path: Path
) -> None:
    fake, base_url = served
    path = tmp_path / "tokens.json"

    run_fleet(fake, base_url, f"file://{path}", 20)

    assert fake.token_requests == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert fake.secret not in path.read_text()


def test_twenty_processes_on_one_redis_make_one_token_request(
    served: tuple[FakeWelkin, str], redis_store: RedisTokenStore, redis_url: str
) -> None:
    fake, base_url = served

    run_fleet(fake, base_url, redis_url, 20)

    assert fake.token_requests == 1
    keys = [k.decode() for k in redis_store.redis.keys("*")]
    assert len(keys) == 1 and keys[0].startswith("welkin:token:")
    assert 0 < redis_store.redis.pttl(keys[0]) <= 3_600_000  # a TTL that ends at the exp


@pytest.mark.parametrize("kind", ["file", "redis"])
def test_an_expired_token_is_replaced_once_for_the_fleet(
    kind: str, served: tuple[FakeWelkin, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    fake, base_url = served
    store = f"file://{tmp_path / 'tokens.json'}"
    if kind == "redis":
        request.getfixturevalue("redis_store")
        store = request.getfixturevalue("redis_url")
    run_fleet(fake, base_url, store, 3)
    fake.expire_tokens()  # Welkin revoked it: every worker gets 401 TOKEN_EXPIRED once

    run_fleet(fake, base_url, store, 10)

    assert fake.token_requests == 2


# -- stores that break ---------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"k": 3}'])
def test_a_corrupt_store_file_falls_back_to_fetching_with_a_warning(
    content: bytes, fake: FakeWelkin, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tokens.json"
    path.write_bytes(content)
    fake.seed(patients=1)
    client = fake.client(token_store=FileTokenStore(path))

    with caplog.at_level(logging.WARNING, logger="welkin"):
        client.patients.get(next(iter(fake.patients)))

    assert fake.token_requests == 1
    assert json.loads(path.read_text())  # rewritten with the new token
    if content in (b"{not json", b"\xff\xfe"):
        assert "token store" in caplog.text


def test_an_unreadable_store_file_falls_back_to_fetching(
    fake: FakeWelkin, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tokens.json"
    path.mkdir()  # reading it fails; so does replacing it
    fake.seed(patients=1)
    client = fake.client(token_store=FileTokenStore(path))

    with caplog.at_level(logging.WARNING, logger="welkin"):
        client.patients.get(next(iter(fake.patients)))

    assert fake.token_requests == 1 and "token store" in caplog.text


def test_a_redis_that_is_down_is_worked_around(fake: FakeWelkin) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake.seed(patients=1)
    store = RedisTokenStore(f"redis://127.0.0.1:{port}/0", lock_timeout=1)
    client = fake.client(token_store=store)

    client.patients.get(next(iter(fake.patients)))

    assert fake.token_requests == 1


# -- each store's contract --------------------------------------------------------------------


def _stores(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, TokenStore]:
    return {
        "memory": MemoryTokenStore(),
        "file": FileTokenStore(tmp_path / "t.json"),
        "redis": request.getfixturevalue("redis_store"),
    }


@pytest.mark.parametrize("kind", ["memory", "file", "redis"])
def test_compare_and_delete_keeps_a_fresher_token(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = _stores(tmp_path, request)[kind]
    later = time.time() + 3600

    store.set("k", "old", later)
    store.set("k", "new", later)  # another worker refreshed meanwhile
    store.delete_if("k", "old")
    assert store.get("k") == "new"
    store.delete_if("k", "new")
    assert store.get("k") is None
    store.set("k", "gone", time.time() - 1)
    assert store.get("k") is None  # expired tokens are never handed out
    assert isinstance(store, TokenStore)


@pytest.mark.parametrize("kind", ["memory", "file", "redis"])
def test_the_lock_is_held_by_one_at_a_time(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = _stores(tmp_path, request)[kind]
    inside: list[int] = []
    overlaps: list[int] = []

    def hold() -> None:
        with store.lock("k"):
            inside.append(1)
            overlaps.append(len(inside))
            time.sleep(0.02)
            inside.pop()

    threads = [threading.Thread(target=hold) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert overlaps == [1] * 5


async def test_an_async_client_shares_the_store(fake: FakeWelkin, tmp_path: Path) -> None:
    fake.seed(patients=1)
    pid = next(iter(fake.patients))
    store = FileTokenStore(tmp_path / "t.json")
    async with fake.async_client(token_store=store) as first:
        await first.patients.get(pid)
    welkin.clear_token_cache()  # a new process: nothing in memory
    async with fake.async_client(token_store=store) as second:
        await second.patients.get(pid)

    assert fake.token_requests == 1


def test_the_key_hashes_the_secret_and_the_store_never_holds_it(tmp_path: Path) -> None:
    key = token_key("https://api.example", "gh", "api", "s3cret")

    assert "s3cret" not in key and key.startswith("welkin:token:")
    assert key != token_key("https://api.example", "gh", "api", "other")
    assert key != token_key("https://api.example", "gh", "api2", "s3cret")


# -- configuration ----------------------------------------------------------------------------


def test_welkin_token_store_names_the_store(tmp_path: Path) -> None:
    assert store_from_env("memory") is None
    assert store_from_env("") is None
    file_store = store_from_env(f"file://{tmp_path}/tokens")
    assert isinstance(file_store, FileTokenStore) and file_store.path == tmp_path / "tokens"
    assert isinstance(store_from_env("redis://127.0.0.1:1/0"), RedisTokenStore)
    with pytest.raises(ConfigurationError, match="WELKIN_TOKEN_STORE"):
        store_from_env("s3://bucket/tokens")
    with pytest.raises(ConfigurationError, match="WELKIN_TOKEN_STORE"):
        store_from_env("file://elsewhere/tokens")


def test_the_environment_variable_configures_clients(
    fake: FakeWelkin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELKIN_TOKEN_STORE", f"file://{tmp_path}/tokens")
    fake.seed(patients=1)

    fake.client().patients.get(next(iter(fake.patients)))

    assert "token" in json.loads((tmp_path / "tokens").read_text()).popitem()[1]


def test_a_token_store_that_is_not_one_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="token_store"):
        welkin.Client("gh", "sb", "api", "secret", token_store=object())  # type: ignore[arg-type]
