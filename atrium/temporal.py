"""The one factory for Temporal clients (worker, API and tests all use it) and Atrium's search
attributes, registered at start-up so administrators can filter runs in the Temporal Web UI."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client, TLSConfig
from temporalio.common import SearchAttributeKey
from temporalio.converter import PayloadCodec
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential

from atrium.correlation import CorrelationInterceptor
from atrium.payload_codec import data_converter
from atrium.settings import TemporalSettings
from atrium.tls import explain, temporal_tls

log = structlog.get_logger("atrium.temporal")

INTEGRATION = SearchAttributeKey.for_keyword("AtriumIntegration")
PROCESS = SearchAttributeKey.for_keyword("AtriumProcess")
SUBJECT = SearchAttributeKey.for_keyword("AtriumSubject")
SEARCH_ATTRIBUTES = (INTEGRATION, PROCESS, SUBJECT)


@dataclass(frozen=True)
class TaskQueues:
    """Where runs go: ``main`` for most processes, ``events`` for the eager ones (see
    ``Process.eager``), which the API's own worker serves as well as every worker."""

    main: str
    events: str

    @classmethod
    def from_settings(cls, settings: TemporalSettings) -> TaskQueues:
        return cls(settings.task_queue, settings.events_task_queue)

    def for_process(self, eager: bool) -> str:
        return self.events if eager else self.main


async def connect(
    settings: TemporalSettings,
    *,
    lazy: bool = False,
    runtime: Runtime | None = None,
    identity: str | None = None,
    codec: PayloadCodec | None,
) -> Client:
    """A client with the pydantic data converter (payloads sealed by ``codec``: see
    atrium/payload_codec.py) and the correlation-id interceptor.

    ``lazy`` connects on first use, so the API can start (and say so on /readyz) while Temporal
    is down. Otherwise an unreachable or not-yet-healthy server is retried for
    ``settings.connect_wait_seconds``; any other error (TLS, namespace) fails at once, a TLS
    refusal as TemporalTLSError naming the setting to fix (atrium/tls.py).
    """
    tls = temporal_tls(settings)  # files read and checked now: TLSFileError names the setting
    try:
        return await _connect(settings, tls, lazy, runtime, identity, codec)
    except RuntimeError as exc:
        reason = explain(exc, settings)
        if reason is None:
            raise
        raise TemporalTLSError(reason) from None


class TemporalTLSError(RuntimeError):
    """Temporal refused the TLS connection (or Atrium refused Temporal's certificate); the
    message is one line naming the setting to change."""


async def _connect(
    settings: TemporalSettings,
    tls: bool | TLSConfig,
    lazy: bool,
    runtime: Runtime | None,
    identity: str | None,
    codec: PayloadCodec | None,
) -> Client:
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(_server_not_ready),
        stop=stop_after_delay(settings.connect_wait_seconds),
        wait=wait_exponential(multiplier=0.1, max=2.0),
        before_sleep=lambda state: log.info(
            "waiting for temporal", address=settings.address, attempt=state.attempt_number
        ),
        reraise=True,
    ):
        with attempt:
            return await Client.connect(
                settings.address,
                namespace=settings.namespace,
                tls=tls,
                data_converter=data_converter(codec),
                interceptors=[CorrelationInterceptor()],
                lazy=lazy,
                runtime=runtime,
                identity=identity,
            )
    raise AssertionError("unreachable: tenacity reraises the last error")


def _server_not_ready(exc: BaseException) -> bool:
    """The bridge reports connection failures as RuntimeError with the gRPC status text."""
    text = str(exc)
    return isinstance(exc, RuntimeError) and (
        "Unavailable" in text or "not healthy" in text or "Connection refused" in text
    )


def metrics_runtime(host: str, port: int) -> Runtime:
    """A runtime exposing the SDK's worker metrics (task latencies, slots) for Prometheus."""
    return Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"{host}:{port}"))
    )


async def ensure_search_attributes(client: Client) -> list[str]:
    """Register Atrium's custom search attributes if missing; returns the ones added."""
    existing = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    missing = {
        key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
        for key in SEARCH_ATTRIBUTES
        if key.name not in existing.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)
