"""The Koha connector against the Koha emulator over real HTTP: patrons and restrictions."""

from __future__ import annotations

import httpx
import pytest

from connectors.errors import Conflict, InvalidRequest, NotFound
from connectors.koha import KohaClient, PatronWrite, RestrictionCreate


async def test_lists_every_patron_across_pages_in_order(sandbox_url: str, koha: KohaClient) -> None:
    async with httpx.AsyncClient() as http:
        total = (await http.get(f"{sandbox_url}/koha/_control/patrons/count")).json()["count"]
    ids = [p.patron_id async for p in koha.list_patrons(per_page=7)]
    assert len(ids) == total > 7 * 3
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


async def test_q_filters_with_like_and_or(koha: KohaClient) -> None:
    query = {"-or": [{"surname": {"-like": "Ka%"}}, {"category_id": "S"}]}
    matches = [p async for p in koha.list_patrons(query, per_page=5)]
    assert matches
    assert all(p.surname and p.surname.startswith("Ka") or p.category_id == "S" for p in matches)
    staff = [p async for p in koha.list_patrons({"category_id": "S"}, per_page=50)]
    assert {p.category_id for p in staff} == {"S"} and len(staff) < len(matches) + 1


async def test_create_find_update_delete_and_duplicate(koha: KohaClient) -> None:
    new = PatronWrite(
        surname="Quist",
        firstname="Noor",
        library_id="CPL",
        category_id="ST",
        cardnumber="T-CRUD-1",
        userid="noor.quist.crud",
        email="noor@example.edu",
    )
    created = await koha.create_patron(new)
    try:
        assert created.expiry_date is not None and created.expiry_date > created.date_enrolled  # type: ignore[operator]
        found = await koha.find_patron_by_cardnumber("T-CRUD-1")
        assert found is not None and found.patron_id == created.patron_id
        with pytest.raises(Conflict) as duplicate:
            await koha.create_patron(new.model_copy(update={"userid": "someone.else"}))
        assert duplicate.value.status == 409 and "cardnumber" in duplicate.value.message
        updated = await koha.update_patron(
            created.patron_id, new.model_copy(update={"firstname": "Nura"})
        )
        assert updated.firstname == "Nura" and updated.cardnumber == "T-CRUD-1"
    finally:
        await koha.delete_patron(created.patron_id)
    with pytest.raises(NotFound):
        await koha.get_patron(created.patron_id)
    assert await koha.find_patron_by_cardnumber("T-CRUD-1") is None


async def test_unknown_library_is_rejected(koha: KohaClient) -> None:
    with pytest.raises(InvalidRequest) as bad:
        await koha.create_patron(PatronWrite(surname="X", library_id="NOPE", category_id="ST"))
    assert bad.value.status == 400 and "library_id does not exist" in bad.value.message


async def test_restriction_blocks_then_lifts(koha: KohaClient) -> None:
    patron = await koha.create_patron(
        PatronWrite(surname="Hold", library_id="MPL", category_id="ST", cardnumber="T-HOLD-1")
    )
    try:
        restriction = await koha.add_restriction(
            patron.patron_id, RestrictionCreate(comment="Bursar hold: unpaid tuition")
        )
        assert (await koha.get_patron(patron.patron_id)).restricted is True
        restricted = [p.patron_id async for p in koha.list_patrons(filters={"restricted": "true"})]
        assert patron.patron_id in restricted
        assert [r.restriction_id for r in await koha.list_restrictions(patron.patron_id)] == [
            restriction.restriction_id
        ]
        await koha.lift_restriction(patron.patron_id, restriction.restriction_id)
        assert (await koha.get_patron(patron.patron_id)).restricted is False
        with pytest.raises(NotFound):
            await koha.lift_restriction(patron.patron_id, restriction.restriction_id)
    finally:
        await koha.delete_patron(patron.patron_id)
