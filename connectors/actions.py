"""Connector actions: what Atrium can do to a school's systems, declared where the protocol lives.

A connector method becomes an action with ``@action("canvas.create_user", effect="write",
key="new.sis_user_id")``. Its typed input is the method's parameters (a pydantic model built from
the signature), its output the return annotation. ``connectors/catalog.py`` collects the actions
of every connector; activities run them and the API serves the list (the designer's palette).

While an action runs, ``current_action()`` names it: the HTTP requester refuses a write made
outside any action when ``ATRIUM_STRICT_ACTIONS`` is set (the test suite sets it), which is how
the gate proves that every external write goes through the catalog.
"""

from __future__ import annotations

import functools
import inspect
import os
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

Effect = Literal["read", "write", "destructive"]
F = TypeVar("F", bound=Callable[..., Any])

_current: ContextVar[str | None] = ContextVar("atrium_action", default=None)
_strict = os.environ.get("ATRIUM_STRICT_ACTIONS", "") not in ("", "0", "false")


class UnlistedWrite(RuntimeError):
    """A connector wrote to a system outside any declared action (a programming error)."""


@dataclass(frozen=True)
class ActionSpec:
    """What ``@action`` records on a method; the catalog adds the system and the models."""

    name: str
    effect: Effect
    idempotent: bool
    key: str | None  # the input field (dotted) that makes a repeat harmless
    summary: str


def action(
    name: str, *, effect: Effect, key: str | None = None, idempotent: bool | None = None
) -> Callable[[F], F]:
    """Declare a connector method as the action ``name`` (``<system>.<verb>``).

    ``key`` names the input field by which the system itself makes a repeat harmless (a SIS id,
    an enrollment id); ``idempotent`` defaults to reads, to writes with a key, and is stated
    explicitly for a write that is harmless to repeat without one (a PUT of a whole record)."""
    if "." not in name:
        raise ValueError(f"action {name!r}: name it <system>.<verb>")

    def decorate(fn: F) -> F:
        spec = ActionSpec(
            name=name,
            effect=effect,
            idempotent=idempotent if idempotent is not None else effect == "read" or bool(key),
            key=key,
            summary=(inspect.getdoc(fn) or name).split("\n\n")[0].replace("\n", " "),
        )
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run(*args: Any, **kwargs: Any) -> Any:
                token = _current.set(name)
                try:
                    return await fn(*args, **kwargs)
                finally:
                    _current.reset(token)

            wrapped: Any = run
        else:
            # A paginating read returns an async iterator: each page is fetched inside the action.
            @functools.wraps(fn)
            def iterate(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                return _Within(name, fn(*args, **kwargs))

            wrapped = iterate
        wrapped.__atrium_action__ = spec
        return cast(F, wrapped)

    return decorate


class _Within:
    """An async iterator whose every step runs as the action ``name``."""

    def __init__(self, name: str, inner: AsyncIterator[Any]) -> None:
        self._name = name
        self._inner = inner

    def __aiter__(self) -> _Within:
        return self

    async def __anext__(self) -> Any:
        token = _current.set(self._name)
        try:
            return await self._inner.__anext__()
        finally:
            _current.reset(token)


def current_action() -> str | None:
    return _current.get()


@contextmanager
def authenticating(system: str) -> Iterator[None]:
    """A request that only obtains a credential (an OAuth token), allowed outside actions."""
    token = _current.set(f"{system}.authenticate")
    try:
        yield
    finally:
        _current.reset(token)


def require_actions(on: bool) -> None:
    """Refuse (True) or only log (False) writes made outside an action."""
    global _strict
    _strict = on


def check_write(system: str, what: str) -> bool:
    """Called by a connector before a write; False (to log) or UnlistedWrite (strict) when the
    write is outside every action."""
    if _current.get() is not None:
        return True
    if _strict:
        raise UnlistedWrite(f"{system}: {what} is written outside any catalog action")
    return False


@dataclass(frozen=True)
class Action:
    """One catalog entry: a declared method of one system's client, with its typed I/O."""

    system: str
    client: type  # the class whose method it is
    method: str
    spec: ActionSpec
    input_model: type[BaseModel]
    output: TypeAdapter[Any] | None
    iterates: bool  # the method pages through results (an async iterator)

    @property
    def name(self) -> str:
        return self.spec.name

    async def call(self, client: Any, arguments: BaseModel, *, limit: int = 1000) -> Any:
        """Run on ``client`` with ``arguments`` (an instance of ``input_model``); a paginating
        read gives at most ``limit`` items."""
        kwargs = {field: getattr(arguments, field) for field in type(arguments).model_fields}
        result = getattr(client, self.method)(**kwargs)
        if not self.iterates:
            return await result
        items: list[Any] = []
        async for item in result:
            items.append(item)
            if len(items) >= limit:
                break
        return items

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "system": self.system,
            "summary": self.spec.summary,
            "effect": self.spec.effect,
            "idempotent": self.spec.idempotent,
            "idempotency_key": self.spec.key,
            "input_schema": self.input_model.model_json_schema(),
            "output_schema": self.output.json_schema() if self.output else None,
        }


_ARGS = ConfigDict(extra="forbid", arbitrary_types_allowed=False)


def actions_of(client: type, system: str) -> list[Action]:
    """Every action the client class declares (its own methods and its mixins')."""
    found: list[Action] = []
    for attr in sorted(dir(client)):
        fn = getattr(client, attr, None)
        spec = getattr(fn, "__atrium_action__", None)
        if not isinstance(spec, ActionSpec):
            continue
        if not spec.name.startswith(f"{system}."):
            raise ValueError(f"{client.__name__}.{attr}: action {spec.name!r} is not {system}'s")
        target = inspect.unwrap(fn)  # type: ignore[arg-type]
        hints = typing.get_type_hints(target)
        fields: dict[str, Any] = {}
        for param in list(inspect.signature(target).parameters.values())[1:]:
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise ValueError(f"{spec.name}: *args/**kwargs cannot be typed as an input")
            default = ... if param.default is param.empty else param.default
            fields[param.name] = (hints.get(param.name, Any), default)
        model_name = "".join(p.title() for p in spec.name.replace(".", "_").split("_")) + "Input"
        input_model = create_model(model_name, __config__=_ARGS, **fields)
        returns = hints.get("return")
        iterates = typing.get_origin(returns) in (AsyncIterator, typing.AsyncIterator)
        if iterates:
            returns = list[typing.get_args(returns)[0]]  # type: ignore[misc, valid-type]
        output = None if returns in (None, type(None)) else TypeAdapter(returns)
        found.append(Action(system, client, attr, spec, input_model, output, iterates))
    return found
