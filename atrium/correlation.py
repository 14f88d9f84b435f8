"""A correlation id that follows a request into the workflow it starts and its activities.

The API binds ``correlation_id`` in structlog's context vars; the client interceptor copies it into
the Temporal headers of every start/signal; the worker interceptor binds it again around each
activity, so one id joins the API's log line to every activity's log lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
import temporalio.api.common.v1
import temporalio.converter
from temporalio import activity, client, worker

HEADER = "atrium-correlation-id"
_converter = temporalio.converter.default().payload_converter


def current() -> str | None:
    value = structlog.contextvars.get_contextvars().get("correlation_id")
    return str(value) if value else None


def _with_header(
    headers: Mapping[str, temporalio.api.common.v1.Payload],
) -> Mapping[str, temporalio.api.common.v1.Payload]:
    cid = current()
    if not cid:
        return headers
    return {**headers, HEADER: _converter.to_payloads([cid])[0]}


def _read(headers: Mapping[str, temporalio.api.common.v1.Payload]) -> str | None:
    payload = headers.get(HEADER)
    if payload is None:
        return None
    value = _converter.from_payloads([payload])[0]
    return str(value)


class _ClientOutbound(client.OutboundInterceptor):
    async def start_workflow(self, input: client.StartWorkflowInput) -> Any:
        input.headers = _with_header(input.headers)
        return await super().start_workflow(input)

    async def signal_workflow(self, input: client.SignalWorkflowInput) -> None:
        input.headers = _with_header(input.headers)
        await super().signal_workflow(input)


class _ActivityInbound(worker.ActivityInboundInterceptor):
    async def execute_activity(self, input: worker.ExecuteActivityInput) -> Any:
        cid = _read(input.headers)
        if cid is None:
            return await super().execute_activity(input)
        info = activity.info()
        with structlog.contextvars.bound_contextvars(
            correlation_id=cid, workflow_id=info.workflow_id, activity=info.activity_type
        ):
            return await super().execute_activity(input)


class CorrelationInterceptor(client.Interceptor, worker.Interceptor):
    """Client side: put the id in headers. Worker side: forward it from workflow to activities."""

    def intercept_client(self, next: client.OutboundInterceptor) -> client.OutboundInterceptor:
        return _ClientOutbound(next)

    def intercept_activity(
        self, next: worker.ActivityInboundInterceptor
    ) -> worker.ActivityInboundInterceptor:
        return _ActivityInbound(next)

    def workflow_interceptor_class(
        self, input: worker.WorkflowInterceptorClassInput
    ) -> type[worker.WorkflowInboundInterceptor] | None:
        return _WorkflowCorrelation


class _WorkflowCorrelation(worker.WorkflowInboundInterceptor):
    """Copies the start header onto every activity the workflow schedules."""

    def init(self, outbound: worker.WorkflowOutboundInterceptor) -> None:
        super().init(_WorkflowCorrelationOutbound(outbound, self))

    async def execute_workflow(self, input: worker.ExecuteWorkflowInput) -> Any:
        self.headers = {k: v for k, v in input.headers.items() if k == HEADER}
        return await super().execute_workflow(input)


class _WorkflowCorrelationOutbound(worker.WorkflowOutboundInterceptor):
    def __init__(self, next: worker.WorkflowOutboundInterceptor, inbound: _WorkflowCorrelation):
        super().__init__(next)
        self.inbound = inbound

    def start_activity(self, input: worker.StartActivityInput) -> Any:
        input.headers = {**input.headers, **getattr(self.inbound, "headers", {})}
        return super().start_activity(input)

    def start_local_activity(self, input: worker.StartLocalActivityInput) -> Any:
        input.headers = {**input.headers, **getattr(self.inbound, "headers", {})}
        return super().start_local_activity(input)

    def start_child_workflow(self, input: worker.StartChildWorkflowInput) -> Any:
        input.headers = {**input.headers, **getattr(self.inbound, "headers", {})}
        return super().start_child_workflow(input)
