"""How one erasure treats each record type of each system, as catalog actions the workflow runs
(activities/actions.py ``run_action``, one idempotency key per step).

The school decides per (system, record type): ``erase``, ``anonymise`` or ``keep``
(atrium/models/privacy.py PrivacyRule; ``DEFAULT_RULES`` when it has not). Transcripts (the SIS)
and financial ledgers (the bursar) are kept by default, the bursar account's personal fields
anonymised; LMS and library activity is erased.
Deleting an LMS user takes their enrollments and submissions with it, so when either of those
is to be kept the user is anonymised instead. A step whose actions cannot complete falls back
to ``fallback`` (anonymising what could not be deleted): the saga's compensation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from atrium.privacy.report import Section

Treatment = Literal["erase", "anonymise", "keep"]
Rules = dict[tuple[str, str], Treatment]

DEFAULT_RULES: dict[tuple[str, str], Treatment] = {
    ("oneroster", "users"): "keep",
    ("oneroster", "enrollments"): "keep",
    ("oneroster", "results"): "keep",
    ("oneroster", "demographics"): "keep",
    ("canvas", "users"): "erase",
    ("canvas", "logins"): "erase",
    ("canvas", "enrollments"): "erase",
    ("canvas", "submissions"): "erase",
    ("moodle", "users"): "erase",
    ("moodle", "enrolments"): "erase",
    ("moodle", "grades"): "erase",
    ("koha", "patrons"): "erase",
    ("koha", "restrictions"): "erase",
    ("finance", "accounts"): "anonymise",  # personal fields; the ledger itself is kept
    ("finance", "holds"): "keep",
}
ERASED_NAME = "Erased person"


class ActionCall(BaseModel):
    action: str = Field(max_length=100)
    input: dict[str, Any] = Field(default_factory=dict)


class Step(BaseModel):
    """One record type of one system: the actions that treat it, and what to do if they fail."""

    record_type: str
    treatment: str  # what success means: erased | anonymised | kept | absent
    actions: list[ActionCall] = Field(default_factory=list)
    fallback: list[ActionCall] = Field(default_factory=list)
    fallback_treatment: str = "failed"
    detail: str = ""


def erased_email(erasure_id: int) -> str:
    return f"erased-{erasure_id}@erased.invalid"


def _kept(system: str, section: Section, rules: Rules) -> list[Step]:
    return [
        Step(record_type=t, treatment="kept" if rows else "absent", detail=f"{len(rows)} kept")
        for t, rows in sorted(section.items())
        if rules.get((system, t), "keep") == "keep"
    ]


def canvas(erasure_id: int, section: Section, rules: Rules) -> list[Step]:
    if not section.get("users"):
        return [Step(record_type="users", treatment="absent")]
    user = section["users"][0]
    anonymise = ActionCall(
        action="canvas.update_user",
        input={
            "user": user["id"],
            "update": {
                "name": ERASED_NAME,
                "short_name": ERASED_NAME,
                "sortable_name": ERASED_NAME,
                "email": erased_email(erasure_id),
            },
        },
    )
    keeps = [t for t in ("enrollments", "submissions") if rules[("canvas", t)] == "keep"]
    if rules[("canvas", "users")] == "keep":
        return _kept("canvas", section, rules)
    if rules[("canvas", "users")] == "anonymise" or keeps:
        return [
            Step(record_type="users", treatment="anonymised", actions=[anonymise]),
            *[
                Step(record_type=t, treatment="kept", detail=f"{len(section.get(t, []))} kept")
                for t in keeps
            ],
        ]
    delete = ActionCall(action="canvas.delete_user", input={"user_id": user["id"]})
    return [
        Step(
            record_type="users",
            treatment="erased",
            actions=[anonymise, delete],
            fallback=[anonymise],
            fallback_treatment="anonymised",
            detail=f"with {len(section.get('enrollments', []))} enrollments and"
            f" {len(section.get('submissions', []))} submissions",
        )
    ]


def moodle(erasure_id: int, section: Section, rules: Rules) -> list[Step]:
    if not section.get("users"):
        return [Step(record_type="users", treatment="absent")]
    user = section["users"][0]
    rule = rules[("moodle", "users")]
    if rule == "keep":
        return _kept("moodle", section, rules)
    anonymise = ActionCall(
        action="moodle.update_users",
        input={
            "updates": [
                {
                    "id": user["id"],
                    "firstname": "Erased",
                    "lastname": "person",
                    "email": erased_email(erasure_id),
                    "suspended": True,
                }
            ]
        },
    )
    # Deleting a Moodle user removes their enrolments and grades: to keep either, anonymise.
    keeps = [t for t in ("enrolments", "grades") if rules[("moodle", t)] == "keep"]
    if rule == "anonymise" or keeps:
        return [
            Step(record_type="users", treatment="anonymised", actions=[anonymise]),
            *[
                Step(record_type=t, treatment="kept", detail=f"{len(section.get(t, []))} kept")
                for t in keeps
            ],
        ]
    # Moodle's delete_user() keeps the row (marked deleted, names intact): anonymised first.
    return [
        Step(
            record_type="users",
            treatment="erased",
            actions=[
                anonymise,
                ActionCall(action="moodle.delete_users", input={"userids": [user["id"]]}),
            ],
            fallback=[anonymise],
            fallback_treatment="anonymised",
            detail=f"with {len(section.get('enrolments', []))} enrolments and"
            f" {len(section.get('grades', []))} course grade reports",
        )
    ]


def koha(erasure_id: int, section: Section, rules: Rules) -> list[Step]:
    if not section.get("patrons"):
        return [Step(record_type="patrons", treatment="absent")]
    patron = section["patrons"][0]
    pid = patron["patron_id"]
    steps: list[Step] = []
    restrictions = section.get("restrictions", [])
    if rules[("koha", "restrictions")] == "keep" or not restrictions:
        steps.append(
            Step(
                record_type="restrictions",
                treatment="kept" if restrictions else "absent",
                detail=f"{len(restrictions)} kept",
            )
        )
    else:
        steps.append(
            Step(
                record_type="restrictions",
                treatment="erased",
                actions=[
                    ActionCall(
                        action="koha.lift_restriction",
                        input={"patron_id": pid, "restriction_id": r["restriction_id"]},
                    )
                    for r in restrictions
                ],
                detail=f"{len(restrictions)} lifted",
            )
        )
    rule = rules[("koha", "patrons")]
    anonymise = ActionCall(
        action="koha.update_patron",
        input={
            "patron_id": pid,
            "patron": {
                "surname": "person",
                "firstname": "Erased",
                "preferred_name": None,
                "email": erased_email(erasure_id),
                "phone": None,
                "library_id": patron["library_id"],
                "category_id": patron["category_id"],
            },
        },
    )
    if rule == "keep":
        steps.append(Step(record_type="patrons", treatment="kept"))
    elif rule == "anonymise":
        steps.append(Step(record_type="patrons", treatment="anonymised", actions=[anonymise]))
    else:
        steps.append(
            Step(
                record_type="patrons",
                treatment="erased",
                actions=[ActionCall(action="koha.delete_patron", input={"patron_id": pid})],
                fallback=[anonymise],
                fallback_treatment="anonymised",
            )
        )
    return steps


def finance(erasure_id: int, section: Section, rules: Rules) -> list[Step]:
    """The ledger (balance, charges, holds) is a financial record the school must keep; the
    account's personal fields (name, email) are anonymised unless the rule keeps them. The
    bursar cannot delete an account, so ``erase`` anonymises too, and says so."""
    if not section.get("accounts"):
        return [Step(record_type="accounts", treatment="absent")]
    account = section["accounts"][0]
    steps = []
    holds = [h for h in section.get("holds", []) if h.get("status") == "active"]
    if rules[("finance", "holds")] != "keep" and holds:
        steps.append(
            Step(
                record_type="holds",
                treatment="erased",
                actions=[
                    ActionCall(
                        action="finance.lift_hold",
                        input={"student_id": h["student_id"], "hold_id": h["hold_id"]},
                    )
                    for h in holds
                ],
            )
        )
    else:
        steps.append(Step(record_type="holds", treatment="kept", detail=f"{len(holds)} kept"))
    rule = rules[("finance", "accounts")]
    if rule == "keep":
        steps.append(Step(record_type="accounts", treatment="kept", detail="the ledger is kept"))
        return steps
    detail = "name and email anonymised; the ledger (balance, charges, holds) is kept"
    if rule == "erase":
        detail = "the bursar cannot delete an account: " + detail
    steps.append(
        Step(
            record_type="accounts",
            treatment="anonymised",
            actions=[
                ActionCall(
                    action="finance.update_account",
                    input={
                        "student_id": account["student_id"],
                        "update": {"name": ERASED_NAME, "email": erased_email(erasure_id)},
                    },
                )
            ],
            detail=detail,
        )
    )
    return steps


def oneroster(erasure_id: int, section: Section, rules: Rules) -> list[Step]:
    if not section.get("users"):
        return [Step(record_type="users", treatment="absent")]
    steps = []
    for record_type, rows in sorted(section.items()):
        rule = rules.get(("oneroster", record_type), "keep")
        if record_type == "results" and rule != "keep" and rows:
            steps.append(
                Step(
                    record_type="results",
                    treatment="erased",
                    actions=[
                        ActionCall(
                            action="oneroster.delete_result", input={"sourced_id": r["sourcedId"]}
                        )
                        for r in rows
                    ],
                )
            )
            continue
        detail = f"{len(rows)} kept"
        if rule != "keep":
            detail += ": the SIS is the system of record; no catalog action erases it"
        steps.append(
            Step(record_type=record_type, treatment="kept" if rows else "absent", detail=detail)
        )
    return steps


PLANNERS = {
    "canvas": canvas,
    "moodle": moodle,
    "koha": koha,
    "finance": finance,
    "oneroster": oneroster,
}


def plan(
    system: str,
    erasure_id: int,
    section: Section,
    rules: dict[tuple[str, str], Treatment] | None = None,
) -> list[Step]:
    return PLANNERS[system](erasure_id, section, {**DEFAULT_RULES, **(rules or {})})
