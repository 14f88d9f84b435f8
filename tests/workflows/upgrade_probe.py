"""One process in three versions, for the upgrade test (kept apart: the workflow sandbox
re-imports this module). Version 1 records a step, waits for a signal, records another. Version
2 adds a step after the wait the way a change must be made, behind ``workflow.patched``; version
3 adds a short pause before the first step without a patch, which changes the command order of
runs already in flight (a timer where their history has an activity)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

NAME = "upgrade-probe"
PATCH = "upgrade-probe-audit-step"


@activity.defn(name="upgrade_probe_step")
async def step(name: str) -> str:
    return name


class _Base:
    def __init__(self) -> None:
        self.go = False

    @workflow.signal(name="go")
    def proceed(self) -> None:
        self.go = True

    async def _step(self, name: str) -> str:
        return await workflow.execute_activity(
            step, name, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn(name=NAME)
class ProbeV1(_Base):
    @workflow.run
    async def run(self) -> list[str]:
        done = [await self._step("before")]
        await workflow.wait_condition(lambda: self.go)
        done.append(await self._step("after"))
        return done


@workflow.defn(name=NAME)
class ProbeV2(_Base):
    @workflow.run
    async def run(self) -> list[str]:
        done = [await self._step("before")]
        await workflow.wait_condition(lambda: self.go)
        if workflow.patched(PATCH):
            done.append(await self._step("audit"))
        done.append(await self._step("after"))
        return done


@workflow.defn(name=NAME)
class ProbeV3(_Base):
    @workflow.run
    async def run(self) -> list[str]:
        await workflow.sleep(timedelta(milliseconds=10))
        done = [await self._step("before")]
        await workflow.wait_condition(lambda: self.go)
        done.append(await self._step("after"))
        return done
