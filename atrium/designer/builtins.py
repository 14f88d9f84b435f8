"""The built-in processes a designed process may run as a sub-process: name -> how to start one.

workflows/registry.py fills this table when it is imported (it knows the processes); the
designer's validation and interpreter read it, so they need not import the registry, which
imports the interpreter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class BuiltIn:
    workflow_type: str
    input_model: type[BaseModel]
    subject: Callable[[Any], str | None]


BUILT_IN: dict[str, BuiltIn] = {}


def register(name: str, entry: BuiltIn) -> None:
    BUILT_IN[name] = entry
