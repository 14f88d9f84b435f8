"""How one erasure treats the bursar and Moodle per the school's rules: the ledger is always kept
(the account's personal fields anonymised unless kept), and a Moodle user whose enrolments or
grades are to be kept is anonymised rather than deleted (deleting takes them with it)."""

from __future__ import annotations

from typing import Any

from atrium.privacy.erasure_plan import ERASED_NAME, erased_email, plan

ACCOUNT = {"student_id": "S100001", "name": "Ada Okafor", "email": "ada@example.edu"}
HOLD = {"student_id": "S100001", "hold_id": "hld_1", "status": "active"}
MOODLE: dict[str, list[dict[str, Any]]] = {
    "users": [{"id": 7, "idnumber": "u-1"}],
    "enrolments": [{"id": 3}, {"id": 4}],
    "grades": [{"courseid": 3, "userid": 7}],
}


def actions(steps: list[Any]) -> list[str]:
    return [a.action for s in steps for a in s.actions]


def test_the_bursar_anonymises_personal_fields_and_keeps_the_ledger_by_default() -> None:
    steps = plan("finance", 5, {"accounts": [ACCOUNT], "holds": [HOLD]})
    treated = {s.record_type: s.treatment for s in steps}
    assert treated == {"holds": "kept", "accounts": "anonymised"}
    [update] = [a for s in steps for a in s.actions]
    assert update.action == "finance.update_account"
    assert update.input == {
        "student_id": "S100001",
        "update": {"name": ERASED_NAME, "email": erased_email(5)},
    }
    assert "ledger" in steps[-1].detail


def test_the_bursar_rules_keep_or_erase() -> None:
    kept = plan("finance", 5, {"accounts": [ACCOUNT]}, {("finance", "accounts"): "keep"})
    assert [s.treatment for s in kept] == ["kept", "kept"] and actions(kept) == []
    erased = plan(
        "finance",
        5,
        {"accounts": [ACCOUNT], "holds": [HOLD]},
        {("finance", "accounts"): "erase", ("finance", "holds"): "erase"},
    )
    assert actions(erased) == ["finance.lift_hold", "finance.update_account"]
    assert erased[-1].treatment == "anonymised" and "cannot delete" in erased[-1].detail
    assert plan("finance", 5, {"accounts": []})[0].treatment == "absent"


def test_a_moodle_user_is_anonymised_then_deleted_with_their_enrolments_and_grades() -> None:
    [step] = plan("moodle", 5, MOODLE)
    assert step.treatment == "erased" and "2 enrolments" in step.detail
    assert actions([step]) == ["moodle.update_users", "moodle.delete_users"]
    assert [a.action for a in step.fallback] == ["moodle.update_users"]
    assert step.actions[0].input["updates"][0]["email"] == erased_email(5)


def test_keeping_moodle_grades_anonymises_the_user_instead() -> None:
    steps = plan("moodle", 5, MOODLE, {("moodle", "grades"): "keep"})
    assert [(s.record_type, s.treatment) for s in steps] == [
        ("users", "anonymised"),
        ("grades", "kept"),
    ]
    assert actions(steps) == ["moodle.update_users"]
    kept = plan("moodle", 5, MOODLE, {("moodle", "users"): "keep"})
    assert actions(kept) == [] and {s.treatment for s in kept} == {"kept"}
