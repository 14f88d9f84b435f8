"""Group commit: many concurrent callers, one writer task, one transaction per batch.

Each caller hands over its item and awaits its own result; the writer takes everything waiting,
writes it in one call on its own thread (a slow database lock never takes the default pool the
routes need) and answers every caller at once. Under load that is one commit for tens of callers
instead of one each; at low load a batch of one, written at once (no timer). The pattern of the
audit log's ``AuditWriter`` (api/auth/middleware.py), made generic for the webhook intake.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self, write: Callable[[list[Item]], Sequence[Result]], *, name: str, max_batch: int = 500
    ) -> None:
        """``write`` commits a batch in one transaction and returns one result per item, in
        order; if it raises, every caller of that batch gets the exception (nothing committed)."""
        self._write = write
        self._max_batch = max_batch
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Commit ``item`` with whatever else is waiting; returns once it is committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        return await future

    @property
    def waiting(self) -> int:
        return len(self._pending)

    async def _write_pending(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            try:
                results = await loop.run_in_executor(
                    self._thread, self._write, [item for item, _ in batch]
                )
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def drain(self) -> None:
        """Let waiting items be written (shutdown), a few seconds at most."""
        if self._writer is not None:
            await asyncio.wait({self._writer}, timeout=5.0)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
