"""The one interpreter of designed processes (atrium/designer): runs a published version's
flowchart, step by step, deterministically.

The version is pinned by the run's input (name, version, content hash) and its definition read
once by an activity, so the definition is in the run's history: a run started on version 1
finishes on version 1 whatever is published meanwhile, and replays the same. Action steps call
the one ``run_action`` activity with the idempotency key ``{run_key}:{step}:{iteration}``
(``run_key`` is the first run's business key, kept by a resumed run and by continue-as-new), and
each activity's summary is the step's name, which the Temporal Web UI shows. A sub-process step
starts a child workflow (a built-in process, or another designed process pinned to its latest
published version when the step starts) with the id ``{run_key}:{step}:{iteration}`` prefixed by
``subprocess:``, so a retried run names the same child. A for-each in the
main flow continues as new past ``continue_after`` items, so histories stay bounded.

A step that fails for good, with no ``on_error`` route, fails the run after the compensations of
the steps done so far ran (newest first); the failure's details name the step and carry the
variables, from which a new run resumes (``resume_from``).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    WorkflowAlreadyStartedError,
)
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.actions import ActionInput, ActionOutput
    from activities.designer import DesignerActivities, PinnedVersion, WebhookCall, WebhookResult
    from atrium.designer import definition as d
    from atrium.designer.builtins import BUILT_IN
    from atrium.designer.expressions import ExpressionError, bind, evaluate, truthy
    from atrium.designer.runs import (
        MAX_DEPTH,
        MAX_ITEMS,
        WORKFLOW_TYPE,
        Compensation,
        Decision,
        DesignedRunInput,
        DesignedRunResult,
        PendingDecision,
        Progress,
        Status,
        StepRecord,
        derived_run_key,
        designed_subject,
        designed_workflow_id,
    )
    from atrium.designer.starts import StartRefused, check_input, designed_name
    from atrium.temporal import SUBJECT
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE
    from workflows.process import Process

MAX_STEP_RUNS = 20_000  # step executions per run: a loop through gotos ends here
MAX_RECORDS = 300  # step records kept (the newest; a for-each's older iterations go)
DEFAULT_TIMEOUT = timedelta(seconds=60)


class StepFailed(Exception):
    def __init__(self, step: str, message: str, kind: str = "StepFailed") -> None:
        super().__init__(message)
        self.step, self.message, self.kind = step, message, kind
        self.resume_from: str | None = None  # the main-flow step to resume at
        self.foreach_offset = 0
        self.collected: list[Any] = []  # what the for-each collected before the failing batch


class Ended(Exception):
    """An end step ran: the run is done, whatever flows are still going."""

    def __init__(self, output: dict[str, Any]) -> None:
        super().__init__("ended")
        self.output = output


class Scope:
    """Where a flow runs: its variables (an iteration's are its own copy), the iteration prefix
    of its steps' keys, and how often each step ran in it."""

    def __init__(self, variables: dict[str, Any], prefix: str = "", main: bool = False) -> None:
        self.vars, self.prefix, self.main = variables, prefix, main
        self.visits: dict[str, int] = {}

    def iteration(self, step: str) -> str:
        visit = self.visits.get(step, 0)
        self.visits[step] = visit + 1
        return f"{self.prefix}{visit}"


def retry_policy(retry: d.Retry | None) -> RetryPolicy:
    if retry is None:
        return EXTERNAL_CALL
    return RetryPolicy(
        initial_interval=timedelta(seconds=retry.initial_interval_seconds),
        backoff_coefficient=retry.backoff_coefficient,
        maximum_interval=timedelta(seconds=retry.maximum_interval_seconds),
        maximum_attempts=retry.maximum_attempts,
        non_retryable_error_types=EXTERNAL_CALL.non_retryable_error_types,
    )


def _timeout(step: d.ActionStep | d.WebhookStep | d.SubprocessStep) -> timedelta:
    return timedelta(seconds=step.timeout_seconds) if step.timeout_seconds else DEFAULT_TIMEOUT


def _cause(err: BaseException) -> str:
    cause = err.cause if isinstance(err, ActivityError | ChildWorkflowError) and err.cause else err
    return str(cause)[:1000]


def child_workflow_id(run_key: str, step: str, iteration: str) -> str:
    """A sub-process's child: the same for a retried run (which keeps its run key)."""
    return f"subprocess:{run_key}:{step}:{iteration}"


@workflow.defn(name=WORKFLOW_TYPE)
class DesignedProcess:
    def __init__(self) -> None:
        self.pin: DesignedRunInput | None = None
        self.records: dict[str, StepRecord] = {}
        self.pending: dict[str, PendingDecision] = {}
        self.decisions: dict[str, Decision] = {}
        self.compensations: list[Compensation] = []
        self.runs = 0

    @workflow.run
    async def run(self, input: DesignedRunInput) -> DesignedRunResult:
        if not input.run_key:  # a schedule's run: its own id is its idempotency scope
            input = input.model_copy(
                update={"run_key": derived_run_key(workflow.info().workflow_id)}
            )
        if input.follow_latest:  # a schedule following the newest published version
            input = await self.latest(input)
        self.pin = input
        self.records = {f"{r.step}#{r.iteration}": r for r in input.records}
        self.compensations = list(input.compensations)
        self.definition: d.ProcessDefinition = await workflow.execute_activity(
            "load_process_definition",
            PinnedVersion(
                name=input.name,
                version=input.version,
                content_hash=input.content_hash,
                dry_run=input.dry_run is not None,
            ),
            result_type=d.ProcessDefinition,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=LOCAL_STORE,
            summary=f"load {input.name} v{input.version}",
        )
        self.steps = self.definition.by_id()
        variables: dict[str, Any] = {**self.definition.variables, "error": None}
        variables.update(input.variables or {})
        variables["input"] = input.input
        variables["run"] = {
            "name": input.name,
            "version": input.version,
            "workflow_id": workflow.info().workflow_id,
            "started_by": input.started_by,
        }
        main = Scope(variables, main=True)
        try:
            await self.flow(input.resume_from or self.definition.start, main)
            output: dict[str, Any] = {}
        except Ended as ended:
            output = ended.output
        except StepFailed as failure:
            await self.compensate()
            kept = {k: v for k, v in variables.items() if k not in ("input", "run")}
            raise ApplicationError(
                f"step {failure.step!r} failed: {failure.message}",
                {
                    "failed_step": failure.step,
                    "resume_from": failure.resume_from or failure.step,
                    "foreach_offset": failure.foreach_offset,
                    "collected": failure.collected,
                    "variables": kept,
                },
                type=failure.kind,
                non_retryable=True,
            ) from None
        return DesignedRunResult(
            name=input.name,
            version=input.version,
            content_hash=input.content_hash,
            output=output,
            steps=list(self.records.values()),
        )

    async def latest(self, input: DesignedRunInput) -> DesignedRunInput:
        """Pin the newest published version now; the run is counted on it from here on."""
        pin: PinnedVersion = await workflow.execute_activity(
            "latest_process_version",
            input.name,
            result_type=PinnedVersion,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=LOCAL_STORE,
            summary=f"latest version of {input.name}",
        )
        workflow.upsert_search_attributes(
            [SUBJECT.value_set(designed_subject(pin.name, pin.version))]
        )
        update = {"version": pin.version, "content_hash": pin.content_hash, "follow_latest": False}
        return input.model_copy(update=update)

    # -- queries and signals ---------------------------------------------------------------------

    @workflow.query(name="progress")
    def progress(self) -> Progress:
        pin = self.pin
        assert pin is not None
        return Progress(
            name=pin.name,
            version=pin.version,
            content_hash=pin.content_hash,
            started_by=pin.started_by,
            steps=list(self.records.values()),
            pending=list(self.pending.values()),
        )

    @workflow.query(name="pending_decisions")
    def pending_decisions(self) -> list[PendingDecision]:
        return list(self.pending.values())

    @workflow.signal(name="decide")
    def decide(self, decision: Decision) -> None:
        waiting = [
            key
            for key, p in self.pending.items()
            if p.step == decision.step and decision.iteration in (None, p.iteration)
        ]
        if not waiting:
            workflow.logger.warning("decision for %s: nothing waits for it", decision.step)
        elif self.pin is not None and decision.by == self.pin.started_by:
            workflow.logger.warning("decision for %s by the run's starter: ignored", decision.step)
        else:
            self.decisions[waiting[0]] = decision

    # -- flows -----------------------------------------------------------------------------------

    async def flow(self, entry: str, scope: Scope) -> None:
        """Run the steps from ``entry`` until one has no next step."""
        current: str | None = entry
        while current is not None:
            step = self.steps[current]
            iteration = scope.iteration(step.id)
            self.runs += 1
            if self.runs > MAX_STEP_RUNS:
                raise StepFailed(step.id, f"more than {MAX_STEP_RUNS} steps ran", "TooManySteps")
            if scope.main:
                workflow.set_current_details(f"step {step.label}")
            try:
                current = await self.execute(step, scope, iteration)
            except StepFailed as failure:
                if step.on_error is None:
                    if scope.main and failure.resume_from is None:
                        failure.resume_from = step.id
                    raise
                self.record(step, iteration, "routed", error=failure.message)
                scope.vars["error"] = {
                    "step": failure.step,
                    "message": failure.message,
                    "type": failure.kind,
                }
                current = step.on_error

    async def execute(self, step: Any, scope: Scope, iteration: str) -> str | None:
        try:
            if isinstance(step, d.ParallelStep | d.ForEachStep) and step.timeout_seconds:
                return await asyncio.wait_for(
                    self._execute(step, scope, iteration), step.timeout_seconds
                )
            return await self._execute(step, scope, iteration)
        except ExpressionError as exc:
            self.record(step, iteration, "failed", error=str(exc))
            raise StepFailed(step.id, str(exc), "ExpressionError") from None
        except TimeoutError:
            message = f"did not finish within {step.timeout_seconds} s"
            self.record(step, iteration, "failed", error=message)
            raise StepFailed(step.id, message, "Timeout") from None

    async def _execute(self, step: Any, scope: Scope, iteration: str) -> str | None:
        v = scope.vars
        if isinstance(step, d.ActionStep):
            result = await self.call(step, scope, iteration)
            return self.done(step, scope, iteration, result, step.next)
        if isinstance(step, d.WebhookStep):
            answer = await self.webhook(step, scope, iteration)
            return self.done(step, scope, iteration, answer, step.next)
        if isinstance(step, d.SubprocessStep):
            child = await self.subprocess(step, scope, iteration)
            return self.done(step, scope, iteration, child, step.next)
        if isinstance(step, d.TransformStep):
            for name, expression in step.set.items():
                v[name] = evaluate(expression, v)
            return self.done(step, scope, iteration, {k: v[k] for k in step.set}, step.next)
        if isinstance(step, d.ConditionStep):
            holds = truthy(evaluate(step.when, v))
            goto = (step.then if holds else step.otherwise) or step.next
            return self.done(step, scope, iteration, holds, goto)
        if isinstance(step, d.SwitchStep):
            value = evaluate(step.value, v)
            goto = next((c.goto for c in step.cases if c.equals == value), step.default)
            self.record(step, iteration, "running", input=value)
            return self.done(step, scope, iteration, goto, goto or step.next)
        if isinstance(step, d.ParallelStep):
            self.record(step, iteration, "running")
            outcomes = await asyncio.gather(
                *(self.flow(entry, scope) for entry in step.branches), return_exceptions=True
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    self.record(step, iteration, "failed", error=str(outcome))
                    raise outcome
            return self.done(step, scope, iteration, None, step.next)
        if isinstance(step, d.ForEachStep):
            return await self.for_each(step, scope, iteration)
        if isinstance(step, d.ApprovalStep):
            return await self.approval(step, scope, iteration)
        if isinstance(step, d.TimerStep):
            self.record(step, iteration, "waiting")
            if self.pin is None or self.pin.dry_run is None:  # a dry run does not wait
                await workflow.sleep(timedelta(seconds=step.seconds))
            return self.done(step, scope, iteration, None, step.next)
        if isinstance(step, d.EndStep):
            output = {name: evaluate(e, v) for name, e in step.output.items()}
            self.record(step, iteration, "done", output=output)
            raise Ended(output)
        if isinstance(step, d.FailStep):
            self.record(step, iteration, "failed", error=step.message)
            raise StepFailed(step.id, step.message, "Fail")
        raise StepFailed(step.id, f"unknown step type {step.type!r}")

    def done(
        self, step: Any, scope: Scope, iteration: str, output: Any, goto: str | None
    ) -> str | None:
        name = getattr(step, "output", None)
        if isinstance(name, str):
            scope.vars[name] = output
        self.record(step, iteration, "done", output=output, goto=goto)
        if step.compensate:
            self.compensations.append(
                Compensation(entry=step.compensate, iteration=iteration, variables=dict(scope.vars))
            )
        return goto

    def record(self, step: Any, iteration: str, status: Status, **fields: Any) -> None:
        key = f"{step.id}#{iteration}"
        earlier = self.records.pop(key, None)
        merged: dict[str, Any] = earlier.model_dump() if earlier else {}
        merged.update(fields, step=step.id, iteration=iteration, type=step.type, status=status)
        self.records[key] = StepRecord.model_validate(merged)
        while len(self.records) > MAX_RECORDS:
            self.records.pop(next(iter(self.records)))

    # -- steps that wait or call out -------------------------------------------------------------

    def simulated(self, step: Any, iteration: str) -> tuple[bool, Any]:
        """In a dry run, whether ``step`` is not performed, and its sample output then."""
        dry = self.pin.dry_run if self.pin is not None else None
        if dry is None or (isinstance(step, d.ActionStep) and step.id in dry.perform):
            return False, None
        self.record(step, iteration, "running", simulated=True)
        return True, dry.samples.get(step.id)

    async def call(self, step: d.ActionStep, scope: Scope, iteration: str) -> Any:
        assert self.pin is not None
        arguments = bind(step.input, step.bind, scope.vars)
        self.record(step, iteration, "running", input=arguments)
        skipped, sample = self.simulated(step, iteration)
        if skipped:
            return sample
        try:
            result: ActionOutput = await workflow.execute_activity(
                "run_action",
                ActionInput(
                    action=step.action,
                    integration=step.integration,
                    input=arguments,
                    idempotency_key=f"{self.pin.run_key}:{step.id}:{iteration}",
                ),
                result_type=ActionOutput,
                start_to_close_timeout=_timeout(step),
                retry_policy=retry_policy(step.retry),
                summary=step.label,
            )
        except ActivityError as err:
            self.record(step, iteration, "failed", error=_cause(err))
            raise StepFailed(step.id, _cause(err), "ActionFailed") from None
        return result.output

    async def webhook(self, step: d.WebhookStep, scope: Scope, iteration: str) -> Any:
        call = WebhookCall(
            url=step.url,
            method=step.method,
            headers=step.headers,
            body=bind(step.body, step.bind, scope.vars),
        )
        self.record(step, iteration, "running", input=call.body)
        skipped, sample = self.simulated(step, iteration)
        if skipped:
            return sample
        try:
            answer: WebhookResult = await workflow.execute_activity(
                "call_webhook",
                call,
                result_type=WebhookResult,
                start_to_close_timeout=_timeout(step),
                retry_policy=retry_policy(step.retry),
                summary=step.label,
            )
        except ActivityError as err:
            self.record(step, iteration, "failed", error=_cause(err))
            raise StepFailed(step.id, _cause(err), "WebhookFailed") from None
        return answer.model_dump()

    async def subprocess(self, step: d.SubprocessStep, scope: Scope, iteration: str) -> Any:
        """Start the child (and wait for its result): {workflow_id, process, version, result}."""
        assert self.pin is not None
        arguments = bind(step.input, step.bind, scope.vars)
        self.record(step, iteration, "running", input=arguments)
        skipped, sample = self.simulated(step, iteration)
        if skipped:
            return sample
        child_id = child_workflow_id(self.pin.run_key, step.id, iteration)
        try:
            workflow_type, arg, subject, version = await self.child_input(step, arguments, child_id)
        except (StartRefused, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            message = str(exc)[:1000]
            self.record(step, iteration, "failed", error=message)
            raise StepFailed(step.id, message, "InvalidInput") from None
        except ActivityError as err:
            self.record(step, iteration, "failed", error=_cause(err))
            raise StepFailed(step.id, _cause(err), "SubprocessFailed") from None
        attributes = [SearchAttributePair(SUBJECT, subject)] if subject else []
        started = {"workflow_id": child_id, "process": step.process, "version": version}
        self.record(step, iteration, "running", output=started)
        try:
            handle = await workflow.start_child_workflow(
                workflow_type,
                arg,
                id=child_id,
                task_queue=workflow.info().task_queue,
                retry_policy=retry_policy(step.retry) if step.retry else None,
                execution_timeout=(
                    timedelta(seconds=step.timeout_seconds) if step.timeout_seconds else None
                ),
                # A child not waited for outlives its parent; one waited for ends with it.
                parent_close_policy=(
                    ParentClosePolicy.TERMINATE if step.wait else ParentClosePolicy.ABANDON
                ),
                search_attributes=TypedSearchAttributes(attributes) if attributes else None,
                static_summary=step.label,
            )
            result: Any = await handle if step.wait else None
        except WorkflowAlreadyStartedError:
            # A retried run whose child, not waited for, still runs (it outlives its parent):
            # that child is this step's. One waited for ended with the run that started it.
            if step.wait:
                message = f"its child {child_id!r} is still running"
                self.record(step, iteration, "failed", error=message)
                raise StepFailed(step.id, message, "SubprocessFailed") from None
            result = None
        except ChildWorkflowError as err:
            self.record(step, iteration, "failed", error=_cause(err))
            raise StepFailed(step.id, _cause(err), "SubprocessFailed") from None
        if hasattr(result, "model_dump"):
            result = result.model_dump(mode="json")
        return {**started, "result": result}

    async def child_input(
        self, step: d.SubprocessStep, arguments: dict[str, Any], child_id: str
    ) -> tuple[str, Any, str | None, int | None]:
        """The child's workflow type, input, subject (its runs' search attribute) and, for a
        designed process, the version it is pinned to."""
        assert self.pin is not None
        name = designed_name(step.process)
        if name is None:
            process = BUILT_IN.get(step.process)
            if process is None:
                raise StartRefused("process", f"unknown process {step.process!r}")
            arg = process.input_model.model_validate(arguments)
            return process.workflow_type, arg, process.subject(arg), None
        if self.pin.depth >= MAX_DEPTH:
            raise StartRefused("process", f"designed processes nested deeper than {MAX_DEPTH}")
        pin: PinnedVersion = await workflow.execute_activity(
            "latest_process_version",
            name,
            result_type=PinnedVersion,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=LOCAL_STORE,
            summary=f"{step.label}: latest version of {name}",
        )
        definition: d.ProcessDefinition = await workflow.execute_activity(
            "load_process_definition",
            pin,
            result_type=d.ProcessDefinition,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=LOCAL_STORE,
            summary=f"{step.label}: load {name} v{pin.version}",
        )
        check_input(definition, arguments)
        child = DesignedRunInput(
            name=name,
            version=pin.version,
            content_hash=pin.content_hash,
            input=arguments,
            started_by=self.pin.started_by,  # who may not approve the parent's steps, nor these
            run_key=derived_run_key(child_id),
            depth=self.pin.depth + 1,
        )
        return WORKFLOW_TYPE, child, designed_subject(name, pin.version), pin.version

    async def approval(self, step: d.ApprovalStep, scope: Scope, iteration: str) -> str | None:
        assert self.pin is not None
        key = f"{step.id}#{iteration}"
        self.pending[key] = PendingDecision(
            step=step.id,
            iteration=iteration,
            name=step.label,
            prompt=step.prompt,
            assignee_role=step.assignee_role.value,
            form=step.form,
            deadline=workflow.now() + timedelta(seconds=step.deadline_seconds),
            started_by=self.pin.started_by,
        )
        self.record(step, iteration, "waiting")
        outcome: dict[str, Any]
        dry = self.pin.dry_run
        try:
            if dry is not None:  # a dry run decides at once: the sample outcome, else the default
                self.record(step, iteration, "waiting", simulated=True)
                given = dry.decisions.get(step.id, step.default_outcome)
                outcome = {"outcome": given, "by": None, "comment": "", "form": {}}
                outcome["timed_out"] = False
                return self.done(step, scope, iteration, outcome, self.route(step, outcome))
            await workflow.wait_condition(
                lambda: key in self.decisions, timeout=timedelta(seconds=step.deadline_seconds)
            )
            decision = self.decisions.pop(key)
            outcome = decision.model_dump(exclude={"step", "iteration"})
            outcome["timed_out"] = False
        except TimeoutError:
            outcome = {"outcome": step.default_outcome, "by": None, "comment": "", "form": {}}
            outcome["timed_out"] = True
        finally:
            self.pending.pop(key, None)
        return self.done(step, scope, iteration, outcome, self.route(step, outcome))

    @staticmethod
    def route(step: d.ApprovalStep, outcome: dict[str, Any]) -> str | None:
        routed = step.on_approved if outcome["outcome"] == "approved" else step.on_rejected
        return routed or step.next

    async def for_each(self, step: d.ForEachStep, scope: Scope, iteration: str) -> str | None:
        assert self.pin is not None
        items = evaluate(step.items, scope.vars)
        if not isinstance(items, list):
            raise ExpressionError(f"items: {step.items!r} is not a list ({type(items).__name__})")
        if len(items) > MAX_ITEMS:
            raise ExpressionError(f"items: {len(items)} items, more than {MAX_ITEMS}")
        resuming = scope.main and step.id == self.pin.resume_from and iteration == "0"
        start = self.pin.foreach_offset if resuming else 0
        collected = list(self.pin.collected) if resuming else []
        self.record(step, iteration, "running", input={"items": len(items), "from": start})
        done_here = 0
        for offset in range(start, len(items), step.concurrency):
            if scope.main and done_here >= self.pin.continue_after:
                await self.continue_as_new(step, scope, offset, collected)
            batch = list(enumerate(items[offset : offset + step.concurrency], start=offset))
            outcomes = await asyncio.gather(
                *(self.one_item(step, scope, index, item) for index, item in batch),
                return_exceptions=True,
            )
            for outcome in outcomes:
                if isinstance(outcome, StepFailed):
                    outcome.foreach_offset, outcome.collected = offset, list(collected)
                    self.record(step, iteration, "failed", error=outcome.message)
                if isinstance(outcome, BaseException):
                    raise outcome
            collected.extend(outcomes)
            done_here += len(batch)
        return self.done(step, scope, iteration, collected, step.next)

    async def one_item(self, step: d.ForEachStep, scope: Scope, index: int, item: Any) -> Any:
        local = Scope({**scope.vars, step.item: item}, prefix=f"{scope.prefix}{index}.")
        if step.index:
            local.vars[step.index] = index
        await self.flow(step.body, local)
        return evaluate(step.collect, local.vars) if step.collect else None

    async def continue_as_new(
        self, step: d.ForEachStep, scope: Scope, offset: int, collected: list[Any]
    ) -> None:
        assert self.pin is not None
        await workflow.wait_condition(workflow.all_handlers_finished)
        kept = {k: v for k, v in scope.vars.items() if k not in ("input", "run")}
        workflow.continue_as_new(
            self.pin.model_copy(
                update={
                    "resume_from": step.id,
                    "variables": kept,
                    "foreach_offset": offset,
                    "collected": collected,
                    "records": list(self.records.values())[-50:],
                    "compensations": self.compensations,
                }
            )
        )

    async def compensate(self) -> None:
        """Undo what was done, newest first; a compensation failing is recorded, not fatal."""
        while self.compensations:
            undo = self.compensations.pop()
            scope = Scope(dict(undo.variables), prefix=f"undo.{undo.iteration}.")
            try:
                await self.flow(undo.entry, scope)
            except (StepFailed, Ended) as exc:
                workflow.logger.warning("compensation %s failed: %s", undo.entry, exc)


PROCESS = Process(
    name=WORKFLOW_TYPE,
    workflow=DesignedProcess,
    input_model=DesignedRunInput,
    description="Run a published version of a process designed in the console.",
    workflow_id=designed_workflow_id,
    subject=lambda i: designed_subject(i.name, i.version, i.dry_run is not None),
    # No generic signal: decisions go through POST /process-definitions/{name}/runs/{id}/decisions,
    # which checks the decider's role and that it is not the run's starter.
    signals={},
    progress_query="progress",
    activities=(DesignerActivities,),
    # Started, resumed and decided only through /api/v1/process-definitions, which names the
    # starter from the caller and checks deciders: not startable through the generic runs route.
    internal=True,
)
