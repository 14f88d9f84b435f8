"""Users: create (batched), read back by field, update with warnings, typed duplicate error."""

from __future__ import annotations

import pytest

from connectors.errors import Conflict, InvalidRequest
from connectors.moodle import MoodleClient
from connectors.moodle.models import CustomField, NewUser, UserUpdate
from tests.connectors.unlisted import unlisted


def new_user(n: int, unique: str) -> NewUser:
    return NewUser(
        username=f"u{n}-{unique}",
        firstname=f"First{n}",
        lastname="Tester",
        email=f"u{n}-{unique}@school.example",
        createpassword=True,
        idnumber=f"SIS-{unique}-{n}",
        customfields=[CustomField(type="homeroom", value=f"HR{n}")],
    )


async def test_create_users_in_batches_and_read_them_back(
    moodle: MoodleClient, unique: str
) -> None:
    moodle.batch_size = 40  # 100 users -> three calls
    users = [new_user(n, unique) for n in range(100)]
    created = await moodle.create_users(users)
    assert [c.username for c in created] == [u.username for u in users]
    assert len({c.id for c in created}) == 100

    idnumbers = [u.idnumber for u in users[:5]]
    found = [u async for u in moodle.users_by_field("idnumber", idnumbers)]
    assert sorted(u.idnumber for u in found) == sorted(idnumbers)
    first = next(u for u in found if u.idnumber == users[0].idnumber)
    assert first.fullname == "First0 Tester"
    assert [(f.shortname, f.value) for f in first.customfields] == [("homeroom", "HR0")]


async def test_duplicate_username_is_a_typed_conflict_and_nothing_is_created(
    moodle: MoodleClient, unique: str
) -> None:
    await moodle.create_users([new_user(1, unique)])
    fresh = new_user(2, unique)
    duplicate = new_user(1, unique).model_copy(update={"email": f"other-{unique}@school.example"})
    with pytest.raises(Conflict) as caught:
        await moodle.create_users([fresh, duplicate])
    assert "Username already exists" in caught.value.message
    # Moodle's batch is one transaction: the fresh user was rolled back too.
    assert [u async for u in moodle.users_by_field("username", [fresh.username])] == []


async def test_invalid_parameter_is_invalid_request(moodle: MoodleClient, unique: str) -> None:
    # a raw call: NewUser would refuse the missing name before Moodle
    with pytest.raises(InvalidRequest) as caught, unlisted():
        await moodle._call("core_user_create_users", {"users": [{"username": f"x{unique}"}]})
    assert "Missing required key in single structure: firstname" in caught.value.message


async def test_update_users_changes_fields_and_reports_unknown_ids(
    moodle: MoodleClient, unique: str
) -> None:
    [created] = await moodle.create_users([new_user(1, unique)])
    warnings = await moodle.update_users(
        [
            UserUpdate(id=created.id, firstname="Renamed", suspended=True),
            UserUpdate(id=987654321, firstname="Ghost"),
        ]
    )
    assert [(w.itemid, w.warningcode) for w in warnings] == [(987654321, "invaliduserid")]
    [user] = [u async for u in moodle.users_by_field("id", [created.id])]
    assert (user.firstname, user.suspended) == ("Renamed", True)


async def test_users_by_field_pages_through_values(moodle: MoodleClient, unique: str) -> None:
    created = await moodle.create_users([new_user(n, unique) for n in range(7)])
    moodle.batch_size = 3
    ids = [c.id for c in created] + [999999]  # an unknown id is simply absent
    found = [u.id async for u in moodle.users_by_field("id", ids)]
    assert found == [c.id for c in created]


async def test_ensure_user_finds_by_idnumber_or_creates(moodle: MoodleClient, unique: str) -> None:
    new = new_user(7, unique)
    first = await moodle.ensure_user(new)
    assert first.created
    again = await moodle.ensure_user(new)
    assert (again.id, again.created) == (first.id, False)
    with pytest.raises(InvalidRequest):
        await moodle.ensure_user(new.model_copy(update={"idnumber": ""}))
