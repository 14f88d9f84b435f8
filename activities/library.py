"""Library (Koha) activities: read the SIS roster a page at a time, provision patrons, and place or
lift the borrowing restriction a financial hold needs. Every write looks before it writes, so a
retried activity converges on the same patrons instead of duplicating them."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.privacy_tombstones import refuse_erased
from activities.runtime import Runtime, heartbeat
from activities.sync.package_roster import PackageRoster
from atrium.credentials import Credentials
from atrium.privacy.store import tombstoned
from atrium.privacy.subjects import number_subject, subject_of
from connectors.errors import Conflict, InvalidRequest, NotFound
from connectors.koha import KohaClient, Patron, PatronWrite, RestrictionCreate
from connectors.oneroster.client import OneRosterClient
from connectors.oneroster.models import User

HOLD_COMMENT = "atrium:financial-hold:"  # marks the restrictions Atrium placed, to lift only those
Role = Literal["student", "teacher"]


class SisPerson(BaseModel):
    sourced_id: str
    identifier: str  # the school's person number: the patron's cardnumber
    username: str | None = None
    given_name: str | None = None
    family_name: str
    email: str | None = None
    role: Role
    active: bool


class SisPageInput(BaseModel):
    sis: str
    role: Role
    school: str | None = None
    offset: int = 0
    limit: int = Field(100, ge=1, le=500)


class SisPage(BaseModel):
    people: list[SisPerson]
    skipped: list[str]  # sourcedIds without an identifier or a family name
    next_offset: int | None


class ProvisionInput(BaseModel):
    library: str
    people: list[SisPerson]
    library_id: str
    categories: dict[str, str]  # role -> Koha category_id
    expiry: date  # the end of the last term
    today: date


class ProvisionOutcome(BaseModel):
    created: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    expired: list[str] = Field(default_factory=list)
    erased: list[str] = Field(default_factory=list)  # tombstoned: not written (atrium/privacy)
    failed: dict[str, str] = Field(default_factory=dict)  # cardnumber -> why (permanent)


class RestrictionInput(BaseModel):
    library: str
    cardnumber: str
    hold_key: str  # the hold's business key: one restriction per hold
    comment: str = ""


class RestrictionResult(BaseModel):
    cardnumber: str
    patron_id: int | None
    restriction_id: int | None = None
    changed: bool


class PatronInput(BaseModel):
    library: str
    person: SisPerson
    library_id: str
    category_id: str
    expiry: date


class PatronRef(BaseModel):
    library: str
    patron_id: int
    created: bool  # False: it existed before, compensation leaves it alone


def _person(user: User, role: Role) -> SisPerson | None:
    if not user.identifier or not user.family_name:
        return None
    active = user.status != "tobedeleted" and user.enabled_user is not False
    return SisPerson(
        sourced_id=user.sourced_id,
        identifier=user.identifier,
        username=user.username,
        given_name=user.given_name,
        family_name=user.family_name,
        email=user.email,
        role=role,
        active=active,
    )


class LibraryActivities:
    def __init__(
        self,
        engine: Engine,
        credentials: Credentials,
        *,
        concurrency: int = 8,
        runtime: Runtime | None = None,
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)
        self.engine = engine
        self.concurrency = concurrency

    async def _sis(self, name: str) -> OneRosterClient | PackageRoster:
        """The SIS's roster: its REST API (the runtime's kept client), or the newest staged
        CSV package when the SIS sends packages (options ``{"source": "csv"}``)."""
        row = await self.runtime.aconnection(name, "oneroster")
        if (row.options or {}).get("source") == "csv":
            return PackageRoster(self.engine, name)
        return self.runtime.client(row, OneRosterClient)

    async def _koha(self, name: str) -> KohaClient:
        return self.runtime.client(await self.runtime.aconnection(name, "koha"), KohaClient)

    @activity.defn(name="sis_last_term_end")
    async def last_term_end(self, sis: str) -> date:
        client = await self._sis(sis)
        with self.runtime.translate(sis):
            ends = [
                t.end_date
                async for t in client.iter_terms()
                if t.end_date and t.status != "tobedeleted"
            ]
        if not ends:
            raise ApplicationError(
                f"{sis}: the SIS lists no terms with an end date",
                type="InvalidRequest",
                non_retryable=True,
            )
        return max(ends)

    @activity.defn(name="sis_people_page")
    async def people_page(self, input: SisPageInput) -> SisPage:
        collection = "students" if input.role == "student" else "teachers"
        parent = ("schools", input.school) if input.school else None
        client = await self._sis(input.sis)
        with self.runtime.translate(input.sis):
            page = await client.page(
                collection, offset=input.offset, limit=input.limit, parent=parent
            )
        people, skipped = [], [m.sourced_id or f"#{m.index}" for m in page.malformed]
        for user in page.records:
            person = _person(user, input.role)
            if person is None:
                skipped.append(user.sourced_id)
            else:
                people.append(person)
        return SisPage(people=people, skipped=skipped, next_offset=page.next_offset)

    @activity.defn(name="provision_patrons")
    async def provision(self, input: ProvisionInput) -> ProvisionOutcome:
        outcome, gate = ProvisionOutcome(), asyncio.Semaphore(self.concurrency)
        people = await asyncio.to_thread(self._not_erased, input.people, outcome)
        if not people:
            return outcome
        koha = await self._koha(input.library)

        async def one(person: SisPerson) -> None:
            async with gate:
                try:
                    await self._provision_one(koha, person, input, outcome)
                except (InvalidRequest, Conflict) as exc:  # this person's data: report, go on
                    outcome.failed[person.identifier] = str(exc)[:300]
                heartbeat(person.identifier)

        with self.runtime.translate(input.library):
            await asyncio.gather(*(one(p) for p in people))
        return outcome

    def _not_erased(self, people: list[SisPerson], outcome: ProvisionOutcome) -> list[SisPerson]:
        """People erased on request are neither created again nor touched (an anonymised patron
        stays as the erasure left it): set aside by their sourcedId or their cardnumber."""
        keys = {
            p.identifier: (subject_of(p.sourced_id), number_subject(p.identifier)) for p in people
        }
        buried = tombstoned(self.engine, [k for pair in keys.values() for k in pair])
        if not buried:
            return people
        outcome.erased = [p.identifier for p in people if set(keys[p.identifier]) & buried]
        return [p for p in people if not set(keys[p.identifier]) & buried]

    async def _find(self, koha: KohaClient, person: SisPerson) -> Patron | None:
        found = await koha.find_patron_by_cardnumber(person.identifier)
        if found is None and person.username:
            async for patron in koha.list_patrons({"userid": person.username}, per_page=2):
                return patron
        return found

    async def _provision_one(
        self, koha: KohaClient, person: SisPerson, input: ProvisionInput, outcome: ProvisionOutcome
    ) -> None:
        patron = await self._find(koha, person)
        if not person.active:  # a leaver keeps their record (loans, fines), it just expires
            if patron is not None and (
                patron.expiry_date is None or patron.expiry_date > input.today
            ):
                await koha.update_patron(
                    patron.patron_id,
                    PatronWrite(
                        surname=patron.surname or person.family_name,
                        library_id=patron.library_id,
                        category_id=patron.category_id,
                        expiry_date=input.today,
                    ),
                )
                outcome.expired.append(person.identifier)
            else:
                outcome.unchanged.append(person.identifier)
            return
        category = input.categories[person.role]
        wanted = PatronWrite(
            surname=person.family_name,
            firstname=person.given_name,
            email=person.email,
            cardnumber=person.identifier,
            userid=person.username,
            library_id=input.library_id,
            category_id=category,
            expiry_date=input.expiry,
        )
        if patron is None:
            try:
                await koha.create_patron(wanted)
                outcome.created.append(person.identifier)
                return
            except Conflict:  # created by an earlier attempt, or by staff: update it instead
                patron = await self._find(koha, person)
                if patron is None:
                    raise
        current = (
            patron.category_id,
            patron.expiry_date,
            patron.surname,
            patron.firstname,
            patron.email,
        )
        if current == (category, input.expiry, wanted.surname, wanted.firstname, wanted.email):
            outcome.unchanged.append(person.identifier)
            return
        wanted.library_id = patron.library_id  # a patron's home library is the library's business
        await koha.update_patron(patron.patron_id, wanted)
        outcome.updated.append(person.identifier)

    # --- borrowing restrictions (financial holds) ------------------------------------------

    @activity.defn(name="restrict_borrowing")
    async def restrict(self, input: RestrictionInput) -> RestrictionResult:
        marker = f"{HOLD_COMMENT}{input.hold_key}"
        koha = await self._koha(input.library)
        with self.runtime.translate(input.library):
            patron = await koha.find_patron_by_cardnumber(input.cardnumber)
            if patron is None:
                return RestrictionResult(cardnumber=input.cardnumber, patron_id=None, changed=False)
            for existing in await koha.list_restrictions(patron.patron_id):
                if (existing.comment or "").startswith(marker):
                    return RestrictionResult(
                        cardnumber=input.cardnumber,
                        patron_id=patron.patron_id,
                        restriction_id=existing.restriction_id,
                        changed=False,
                    )
            created = await koha.add_restriction(
                patron.patron_id,
                RestrictionCreate(type="MANUAL", comment=f"{marker} {input.comment}".strip()),
            )
        return RestrictionResult(
            cardnumber=input.cardnumber,
            patron_id=patron.patron_id,
            restriction_id=created.restriction_id,
            changed=True,
        )

    @activity.defn(name="unrestrict_borrowing")
    async def unrestrict(self, input: RestrictionInput) -> RestrictionResult:
        marker = f"{HOLD_COMMENT}{input.hold_key}"
        koha = await self._koha(input.library)
        with self.runtime.translate(input.library):
            patron = await koha.find_patron_by_cardnumber(input.cardnumber)
            if patron is None:
                return RestrictionResult(cardnumber=input.cardnumber, patron_id=None, changed=False)
            ours = [
                r
                for r in await koha.list_restrictions(patron.patron_id)
                if (r.comment or "").startswith(marker)
            ]
            for restriction in ours:
                await koha.lift_restriction(patron.patron_id, restriction.restriction_id)
        return RestrictionResult(
            cardnumber=input.cardnumber, patron_id=patron.patron_id, changed=bool(ours)
        )

    # --- one patron (onboarding) -----------------------------------------------------------

    @activity.defn(name="ensure_patron")
    async def ensure_patron(self, input: PatronInput) -> PatronRef:
        await refuse_erased(
            self.engine,
            "library patron",
            sourced_id=input.person.sourced_id,
            number=input.person.identifier,
        )
        koha = await self._koha(input.library)
        with self.runtime.translate(input.library):
            found = await self._find(koha, input.person)
            if found is not None:
                return PatronRef(library=input.library, patron_id=found.patron_id, created=False)
            try:
                patron = await koha.create_patron(
                    PatronWrite(
                        surname=input.person.family_name,
                        firstname=input.person.given_name,
                        email=input.person.email,
                        cardnumber=input.person.identifier,
                        userid=input.person.username,
                        library_id=input.library_id,
                        category_id=input.category_id,
                        expiry_date=input.expiry,
                    )
                )
            except Conflict:  # our earlier attempt created it: it is ours to compensate
                again = await self._find(koha, input.person)
                if again is None:
                    raise
                return PatronRef(library=input.library, patron_id=again.patron_id, created=True)
        return PatronRef(library=input.library, patron_id=patron.patron_id, created=True)

    @activity.defn(name="remove_patron")
    async def remove_patron(self, ref: PatronRef) -> None:
        """Compensation of ``ensure_patron``: only a patron this run created is removed."""
        if not ref.created:
            return
        koha = await self._koha(ref.library)
        with self.runtime.translate(ref.library), suppress(NotFound):  # already gone
            await koha.delete_patron(ref.patron_id)
