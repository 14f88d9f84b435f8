"""Static validation names the step and the field of every problem, before anything runs."""

from __future__ import annotations

from typing import Any

from atrium.designer.definition import ProcessDefinition, content_hash
from atrium.designer.validation import destructive_actions, parse, validate
from connectors.catalog import catalog
from tests.atrium.designer.samples import onboarding
from workflows import registry


def problems_of(raw: dict[str, Any]) -> list[str]:
    definition, problems = parse(raw)
    if definition is not None:
        problems = validate(definition, catalog())
    return [p.line() for p in problems]


def step(raw: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in raw["steps"] if s["id"] == sid)


def test_the_sample_is_valid_and_its_hash_is_stable() -> None:
    assert problems_of(onboarding()) == []
    one = ProcessDefinition.model_validate(onboarding())
    again = ProcessDefinition.model_validate_json(one.model_dump_json())
    assert content_hash(one) == content_hash(again)
    assert content_hash(one) != content_hash(ProcessDefinition.model_validate(onboarding("x")))


def test_an_unknown_action_is_named() -> None:
    raw = onboarding()
    step(raw, "create_user")["action"] = "canvas.summon_user"
    assert problems_of(raw) == ["steps.create_user.action: unknown action 'canvas.summon_user'"]


def test_literal_input_that_does_not_fit_the_action_is_named() -> None:
    raw = onboarding()
    create = step(raw, "create_user")
    create["input"] = {"account": [1], "colour": "red"}
    del create["bind"]["new.unique_id"]
    assert problems_of(raw) == [
        "steps.create_user.input.new.unique_id: required: give it in input or bind "
        "(canvas.create_user)",
        "steps.create_user.input.account: Input should be a valid integer or Input should be a "
        "valid string (canvas.create_user)",
        "steps.create_user.input.colour: Extra inputs are not permitted (canvas.create_user)",
    ]


def test_undefined_variables_and_input_fields_are_named() -> None:
    raw = onboarding()
    step(raw, "create_user")["bind"]["new.email"] = "studnet.email"
    step(raw, "done")["output"]["term"] = "input.trem"
    # ``user`` is set inside the for-each body only: the main flow cannot read it.
    step(raw, "done")["output"]["last"] = "user.id"
    assert problems_of(raw) == [
        "steps.create_user.bind.new.email: undefined variable 'studnet' in 'studnet.email'",
        "steps.done.output.term: the input has no field 'trem'",
        "steps.done.output.last: undefined variable 'user' in 'user.id'",
    ]


def test_a_variable_set_on_an_earlier_path_is_defined() -> None:
    raw = onboarding()
    # ``decision`` is set by the approval, which every path to ``done`` passes.
    assert "decision.by" in step(raw, "done")["output"].values()
    # a projection's fields are read from each item, not from the variables
    step(raw, "done")["output"]["logins"] = "input.students[*].login"
    step(raw, "done")["output"]["sorted"] = "sort_by(input.students, &id)[0].id"
    assert problems_of(raw) == []


def test_unreachable_steps_and_bad_gotos_are_named() -> None:
    raw = onboarding()
    raw["steps"].append({"id": "orphan", "type": "timer", "seconds": 5})
    step(raw, "approve")["on_rejected"] = "nowhere"
    assert problems_of(raw) == ["steps.approve.on_rejected: no step 'nowhere'"]
    step(raw, "approve")["on_rejected"] = "rejected"
    assert problems_of(raw) == ["steps.orphan.id: unreachable: no route from the start"]


def test_a_route_into_another_flow_is_refused() -> None:
    raw = onboarding()
    step(raw, "create_user")["next"] = "done"  # from inside the for-each body to the main flow
    assert problems_of(raw) == ["steps.create_user.next: 'done' is a step of the main flow"]
    raw = onboarding()
    step(raw, "create_user")["next"] = "stop"
    raw["steps"].append({"id": "stop", "type": "end"})
    assert problems_of(raw) == ["steps.stop.type: an end step belongs in the main flow"]


def test_shape_errors_name_the_step_by_its_id() -> None:
    raw = onboarding()
    step(raw, "approve")["assignee_role"] = "king"
    step(raw, "any_students")["when"] = "length(input.students) >"
    lines = problems_of(raw)
    assert len(lines) == 2
    assert lines[0].startswith("steps.any_students.when: Value error, not a JMESPath expression")
    assert lines[1].startswith("steps.approve.assignee_role: Input should be 'administrator'")
    raw = onboarding()
    raw["steps"].append(dict(step(raw, "done")))
    assert problems_of(raw) == ["steps.done.id: used by another step as well"]


def test_destructive_actions_are_found() -> None:
    definition = ProcessDefinition.model_validate(onboarding())
    assert destructive_actions(definition, catalog()) == []


def subprocess_step(**fields: Any) -> dict[str, Any]:
    return {"start": "child", "steps": [{"id": "child", "type": "subprocess", **fields}]}


def test_a_subprocess_of_a_built_in_process_is_checked_against_its_input_model() -> None:
    notify = subprocess_step(
        process="notify", input={"template": "welcome", "values": {"n": 1}}, bind={"recipient": "x"}
    )
    assert problems_of(notify) == [
        "steps.child.input.message_key: required: give it in input or bind (notify)",
        "steps.child.input.values.n: Input should be a valid string (notify)",
        "steps.child.bind.recipient: undefined variable 'x' in 'x'",
    ]
    ok = subprocess_step(process="integration-health-check", bind={"integration": "input.lms"})
    assert problems_of(ok) == []
    assert problems_of(subprocess_step(process="integration-health-check")) == [
        "steps.child.input.integration: required: give it in input or bind "
        "(integration-health-check)"
    ]
    wrong = subprocess_step(process="integration-health-check", input={"integration": "No Way"})
    assert problems_of(wrong) == [
        "steps.child.input.integration: String should match pattern '^[a-z0-9][a-z0-9._-]*$' "
        "(integration-health-check)"
    ]


def test_a_subprocess_of_an_unknown_process_is_named() -> None:
    assert problems_of(subprocess_step(process="summon-dragons")) == [
        "steps.child.process: unknown process 'summon-dragons'"
    ]


def test_a_subprocess_of_a_designed_process_needs_a_published_version() -> None:
    raw = subprocess_step(process="designed:withdrawal", bind={"who": "nobody.name"})
    definition, _ = parse(raw)
    assert definition is not None
    published = {"onboarding"}.__contains__
    assert [p.line() for p in validate(definition, catalog(), published=published)] == [
        "steps.child.process: 'withdrawal' has no published version",
        "steps.child.bind.who: undefined variable 'nobody' in 'nobody.name'",
    ]
    raw["steps"][0]["process"] = "designed:onboarding"
    definition, _ = parse(raw)
    assert definition is not None
    assert [p.line() for p in validate(definition, catalog(), published=published)] == [
        "steps.child.bind.who: undefined variable 'nobody' in 'nobody.name'"
    ]


def test_the_registry_enters_every_startable_process_as_a_possible_sub_process() -> None:
    from atrium.designer.builtins import BUILT_IN

    assert set(BUILT_IN) == set(registry.PROCESSES)
    notify = registry.PROCESSES["notify"]
    assert BUILT_IN["notify"].workflow_type == notify.workflow_type
