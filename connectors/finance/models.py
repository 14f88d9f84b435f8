"""Typed bursar API objects and nightly batch rows (see ``sandbox/finance`` for the API design)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HoldType = Literal["registration", "transcript", "graduation", "library", "financial"]


class Account(BaseModel):
    model_config = ConfigDict(extra="ignore")

    student_id: str
    name: str
    email: str | None = None
    status: Literal["active", "closed"]
    balance: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: str | None = None


class AccountUpdate(BaseModel):
    """The personal fields of an account to change (a merge patch: a field left unset stays,
    ``email=None`` given explicitly clears it). The ledger is not among them."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1)
    email: str | None = None


class Hold(BaseModel):
    model_config = ConfigDict(extra="ignore")

    hold_id: str
    student_id: str
    hold_type: HoldType
    reason: str | None = None
    status: Literal["active", "lifted"]
    placed_at: datetime
    lifted_at: datetime | None = None


class HoldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hold_type: HoldType
    reason: str | None = None


class Charge(BaseModel):
    model_config = ConfigDict(extra="ignore")

    charge_id: str
    student_id: str
    amount: Decimal
    description: str
    due_date: date | None = None
    posted_at: datetime


class ChargeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(gt=0, decimal_places=2)
    description: str = Field(min_length=1)
    due_date: date | None = None


class HoldInstruction(BaseModel):
    """One good line of a nightly ``holds-YYYYMMDD.csv``."""

    file: str
    line: int
    student_id: str
    hold_type: str
    action: Literal["place", "lift"]
    reason: str
    effective_at: datetime


class BatchLineError(BaseModel):
    """Why one line (or the whole file, line 0) of a batch was not used."""

    file: str
    line: int
    column: int | None = None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.message}"


class HoldsBatch(BaseModel):
    file: str
    sha256: str
    instructions: list[HoldInstruction]
    errors: list[BatchLineError]


class BatchFile(BaseModel):
    name: str
    size: int
    modified_at: datetime


class Acknowledgement(BaseModel):
    file: str
    ack_path: str
    already_acknowledged: bool
