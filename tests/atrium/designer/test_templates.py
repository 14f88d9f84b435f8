"""The templates shipped with Atrium: each validates against the catalog, acts only on the systems
its connection slots name, installs as a draft (through the loader and `atrium designer
install-templates`), and the onboarding's welcome email is the built-in process's, word for word."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from activities.templates import TEMPLATES
from atrium.db import make_engine, session_scope
from atrium.designer.definition import ActionStep, ProcessDefinition
from atrium.designer.expressions import bind
from atrium.designer.templates import install, template, templates
from atrium.designer.validation import _flows, destructive_actions, parse, validate
from atrium.migrations import upgrade
from atrium.models.process_definition import ProcessDefinitionRow
from connectors.catalog import catalog
from connectors.comms.templates import render

SHIPPED = ["nightly-roster-sync", "student-onboarding", "student-withdrawal"]


def definition_of(name: str, **connections: str) -> ProcessDefinition:
    definition, problems = parse(template(name).render(connections))
    assert definition is not None, problems
    return definition


def test_atrium_ships_the_three_templates() -> None:
    assert sorted(templates()) == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_each_template_validates_against_the_catalog(name: str) -> None:
    definition = definition_of(name)
    assert [p.line() for p in validate(definition, catalog())] == []


@pytest.mark.parametrize("name", SHIPPED)
def test_each_action_acts_on_a_slot_of_its_own_system(name: str) -> None:
    tpl = template(name)
    actions = [s for s in definition_of(name).steps if isinstance(s, ActionStep)]
    assert actions
    for step in actions:
        assert step.integration in tpl.connections, step.id
        assert catalog()[step.action].system == tpl.connections[step.integration], step.id


def test_naming_the_connections_renames_every_action_and_the_variable() -> None:
    definition = definition_of("student-onboarding", lms="campus-canvas", comms="campus-comms")
    used = {s.integration for s in definition.steps if isinstance(s, ActionStep)}
    assert used == {"campus-canvas", "library", "finance", "campus-comms"}
    assert definition.variables["connections"] == {
        "lms": "campus-canvas",
        "library": "library",
        "finance": "finance",
        "comms": "campus-comms",
    }
    with pytest.raises(ValueError, match="no connection slot 'sis'"):
        template("student-onboarding").render({"sis": "campus-sis"})


def test_onboarding_deletes_only_to_undo_its_own_work() -> None:
    """Its destructive actions (why publishing it needs an administrator) are compensations."""
    definition = definition_of("student-onboarding")
    flows, owner, _ = _flows(definition)
    compensations = {s.compensate for s in definition.steps if s.compensate}
    destructive = destructive_actions(definition, catalog())
    assert destructive == ["canvas.delete_user", "canvas.end_enrollment", "koha.delete_patron"]
    for step in definition.steps:
        if isinstance(step, ActionStep) and step.action in destructive:
            assert owner[step.id] in compensations, step.id


def test_the_designed_welcome_email_is_the_built_in_one() -> None:
    definition = definition_of("student-onboarding", lms="campus-canvas", finance="campus-finance")
    student = {
        "student_id": "S-1",
        "given_name": "Noor",
        "family_name": "Haddad",
        "email": "noor@students.example.edu",
        "login": "noor@students.example.edu",
    }
    variables: dict[str, Any] = {
        **definition.variables,
        "input": {"student": student, "school": "Springfield High"},
        "student": student,
    }
    [welcome] = [s for s in definition.steps if s.id == "welcome"]
    assert isinstance(welcome, ActionStep)
    email = bind(welcome.input, welcome.bind, variables)["email"]
    # As workflows/onboarding.py renders it for the same connections.
    built_in = render(
        TEMPLATES["welcome"],
        {
            "school": "Springfield High",
            "first_name": "Noor",
            "login": student["login"],
            "accounts": "- LMS: campus-canvas\n- library card: S-1\n- student account: "
            "campus-finance",
        },
    )
    assert email == {"to": [student["email"]], "subject": built_in.subject, "text": built_in.text}
    # Without a school named, the built-in default.
    del variables["input"]["school"]
    assert bind(welcome.input, welcome.bind, variables)["email"]["subject"] == (
        "Welcome to our school, Noor"
    )


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'atrium.db'}"
    upgrade(url)
    return url


def _drafts(url: str) -> dict[str, ProcessDefinitionRow]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return {r.name: r for r in session.exec(select(ProcessDefinitionRow)).all()}
    finally:
        engine.dispose()


def test_install_creates_drafts_once_and_leaves_existing_ones(tmp_path: Path) -> None:
    url = _database(tmp_path)
    engine = make_engine(url)
    try:
        done = install(engine, {"lms": "campus-canvas"}, names=["student-withdrawal"])
        assert done == [("student-withdrawal", "created")]
        assert install(engine) == [
            ("nightly-roster-sync", "created"),
            ("student-onboarding", "created"),
            ("student-withdrawal", "exists"),
        ]
        with pytest.raises(ValueError, match="no template has a connection slot 'bursar'"):
            install(engine, {"bursar": "campus-finance"})
        with pytest.raises(ValueError, match="no template 'nope'"):
            install(engine, names=["nope"])
    finally:
        engine.dispose()
    drafts = _drafts(url)
    withdrawal = drafts["student-withdrawal"]
    assert withdrawal.created_by == "atrium-templates"
    assert withdrawal.description == template("student-withdrawal").description
    lms_steps = {s["integration"] for s in withdrawal.draft["steps"] if s["type"] == "action"}
    assert lms_steps == {"campus-canvas", "library", "finance"}
    for row in drafts.values():  # each a draft that the designer may publish as it is
        definition, problems = parse(row.draft)
        assert definition is not None and validate(definition, catalog()) == []


def atrium(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"ATRIUM_DATABASE__URL": url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "atrium.cli", *args], env=env, capture_output=True, text=True
    )


def test_atrium_designer_install_templates(tmp_path: Path) -> None:
    url = _database(tmp_path)
    made = atrium(url, "designer", "install-templates", "lms=campus-canvas", "sis=campus-sis")
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == [
        "atrium: template nightly-roster-sync: draft created",
        "atrium: template student-onboarding: draft created",
        "atrium: template student-withdrawal: draft created",
    ]
    roster = _drafts(url)["nightly-roster-sync"].draft
    assert roster["variables"]["connections"] == {"sis": "campus-sis", "lms": "campus-canvas"}

    again = atrium(url, "designer", "install-templates")
    assert again.returncode == 0 and again.stdout.count(": exists") == 3

    wrong = atrium(url, "designer", "install", "lms=x")
    assert wrong.returncode == 2 and "the only action is install-templates" in wrong.stderr
    bad = atrium(url, "designer", "install-templates", "lms")
    assert bad.returncode == 2 and "SLOT=CONNECTION" in bad.stderr
    unknown = atrium(url, "designer", "install-templates", "bursar=x")
    assert unknown.returncode == 1 and "no template has a connection slot" in unknown.stderr
