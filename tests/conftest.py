"""Session-wide fixtures: real servers (Temporal dev server, OpenBao, the sandbox, the API),
started once for the whole test run on free ports."""

from __future__ import annotations

import atexit
import functools
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from playwright.async_api import Browser, async_playwright
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.payload_codec import payload_codec
from atrium.settings import (
    ApiSettings,
    DatabaseSettings,
    EgressSettings,
    EventsSettings,
    Settings,
    TemporalSettings,
    VaultSettings,
)
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import TaskQueues, connect
from connectors.actions import require_actions
from sandbox.app import create_app as create_sandbox
from sandbox.comms.smtp import start_smtp_server
from sandbox.context import SystemContext
from tests.support.browser import ARGS, CHROMIUM, require_console_and_browser
from tests.support.servers import RANGE_OWNER_ENV, free_port, serve

POSTGRES_URL = os.environ.get("ATRIUM_TEST_POSTGRES_URL")

# Every external write must go through a catalog action (connectors/actions.py): in the tests a
# write outside one fails, here and in every worker or API process the tests start.
os.environ["ATRIUM_STRICT_ACTIONS"] = "1"
require_actions(True)

# Under pytest-xdist this process owns its worker's port range (tests/support/servers.py); the
# processes tests start inherit the environment, not the range.
os.environ[RANGE_OWNER_ENV] = str(os.getpid())


@pytest.fixture(scope="session", autouse=True)
def plain_tracebacks() -> None:
    """structlog's default renderer prints tracebacks through rich (a schemathesis dependency) with
    every local variable, which can block a test server for minutes: tests keep plain ones."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.StackInfoRenderer(),
            structlog.dev.set_exc_info,
            structlog.processors.TimeStamper(fmt="%Y-%m-%d %H:%M:%S", utc=False),
            structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback),
        ]
    )


@pytest.fixture(autouse=True)
def restore_egress_policy() -> Iterator[None]:
    """The egress policy is per process (atrium.egress.configure, as `atrium worker` and each API
    process set it once): a test that starts an app of other settings puts it back afterwards,
    so the next test's connectors dial under the session's policy."""
    from atrium import egress
    from connectors import http

    saved = (egress._configured, http._default_transport)
    yield
    egress._configured, http._default_transport = saved


@pytest.fixture(scope="session")
def sandbox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox")


@pytest.fixture(scope="session")
def sandbox_url(sandbox_dir: Path) -> Iterator[str]:
    """The sandbox institution (every emulated system, demo size) over real HTTP."""
    with serve(create_sandbox(sandbox_dir, seed=42, size="demo")) as url:
        yield url


@pytest.fixture(scope="session")
def temporal_server() -> Iterator[TemporalDevServer]:
    """A real `temporal server start-dev` (in memory: faster) for the whole session."""
    server = TemporalDevServer(port=free_port(), ui_port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def openbao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenBaoServer]:
    """A real OpenBao server (raft storage, initialised and unsealed) for the whole session."""
    server = OpenBaoServer(tmp_path_factory.mktemp("state"), port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def settings(
    tmp_path_factory: pytest.TempPathFactory,
    temporal_server: TemporalDevServer,
    openbao: OpenBaoServer,
) -> Settings:
    state = tmp_path_factory.mktemp("atrium")
    return Settings(
        state_dir=state,
        temporal=TemporalSettings(
            address=temporal_server.address,
            ui_port=temporal_server.ui_port,
            task_queue=f"atrium-test-{uuid.uuid4().hex[:8]}",
            events_task_queue=f"atrium-test-events-{uuid.uuid4().hex[:8]}",
        ),
        vault=VaultSettings(address=openbao.address, token=openbao.token_file.read_text().strip()),
        database=DatabaseSettings(url=f"sqlite:///{state / 'atrium.db'}"),
        # Generous limits: the suite shares a few users; tests/api/test_rate_limits.py sets its own.
        api=ApiSettings(
            port=free_port(),
            access_token_minutes=120,
            rate_limit="100000/minute",
            login_rate_limit="100000/minute",
        ),
        # Subscribers in tests are local servers: loopback allowed, explicitly and only this one.
        # No caching of webhook sources and subscriptions: a test sees its own changes at once.
        events=EventsSettings(subscriber_allowed_hosts=["127.0.0.1"], config_cache_seconds=0),
        # The sandbox and the suite's other local systems (fake issuers, silent servers) are on
        # 127.0.0.1: that one loopback address is allowed for connections, explicitly; 127.0.0.2,
        # link-local and private addresses stay refused (tests/security/test_egress_everywhere.py).
        egress=EgressSettings(allowed_hosts=["127.0.0.1"]),
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def credentials(settings: Settings) -> Credentials:
    return Credentials(settings.vault)


@pytest.fixture(scope="session")
async def temporal_client(settings: Settings, credentials: Credentials) -> Client:
    """Payloads sealed as in production (atrium/payload_codec.py)."""
    client = await connect(
        settings.temporal, codec=payload_codec(credentials, settings.temporal.payload_key)
    )
    return client


@pytest.fixture(scope="session")
async def worker(
    temporal_client: Client, settings: Settings, engine: Engine, credentials: Credentials
) -> AsyncIterator[Worker]:
    """The real workers polling the session's task queues, as ``atrium worker`` runs them."""
    from atrium.egress import configure as configure_egress
    from worker import build_events_worker, build_worker

    configure_egress(settings.egress)  # the worker's connectors dial only what the guard allows
    events = settings.events
    w = build_worker(temporal_client, settings.temporal.task_queue, engine, credentials, events)
    queues = TaskQueues.from_settings(settings.temporal)
    async with w, build_events_worker(temporal_client, queues, engine, credentials, events):
        yield w


@pytest.fixture(scope="session")
def api_url(settings: Settings, engine: Engine) -> Iterator[str]:
    """The API served over real HTTP against the session's Temporal, OpenBao and database."""
    from api.main import create_app

    with serve(create_app(settings), port=settings.api.port) as url:
        yield url


@pytest.fixture(scope="session")
def admin_token(api_url: str, engine: Engine) -> str:
    """A JWT of an administrator, obtained through the real login route."""
    from tests.support.auth import login, make_user

    return login(api_url, make_user(engine, "administrator"))


@pytest.fixture
async def api(api_url: str, worker: Worker, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the API, authenticated as an administrator, with a worker behind it."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=api_url, timeout=30, headers=headers) as client:
        yield client


ClientFor = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def client_for(api_url: str, engine: Engine) -> AsyncIterator[ClientFor]:
    """``await client_for("student", person_id="p-1")``: an API client logged in as a new user of
    that role (keyword arguments as in tests.support.auth.make_user)."""
    from tests.support.auth import login, make_user

    clients: list[httpx.AsyncClient] = []

    async def make(role: str, **user: Any) -> httpx.AsyncClient:
        token = login(api_url, make_user(engine, role, **user))
        client = httpx.AsyncClient(
            base_url=api_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture(scope="session")
def silent_url() -> Iterator[str]:
    """A local TCP port that accepts connections and never answers (a hung system)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture(scope="session")
def smtp_ctx(sandbox_dir: Path, sandbox_url: str) -> Iterator[tuple[SystemContext, int]]:
    """The sandbox's SMTP relay (the school's mail system) on a port of its own."""
    ctx = SystemContext(name="comms", data_dir=sandbox_dir, seed=42)
    ctx.credentials.update(httpx.get(f"{sandbox_url}/_control/credentials/comms").json())
    port = free_port()
    controller = start_smtp_server(ctx, "127.0.0.1", port)
    yield ctx, port
    controller.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium per test process, for the console's tests (tests/ui, tests/security)."""
    require_console_and_browser()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, headless=True
        )
        yield launched
        await launched.close()


@functools.cache
def session_postgres_url() -> str | None:
    """A database of this test process's own on the machine's PostgreSQL, dropped at exit: the
    shared database (ATRIUM_TEST_POSTGRES_URL) may carry another checkout's migrations."""
    if not POSTGRES_URL:
        return None
    from sqlalchemy import text

    name = f"atrium_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    atexit.register(drop)
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def database_urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'store.db'}"]
    if own := session_postgres_url():
        urls.append(own)
    return urls


@pytest.fixture(scope="session")
def openbao_address(openbao: OpenBaoServer) -> str:
    return openbao.address
