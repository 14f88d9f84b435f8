"""The emulator's SQLite tables: one per OneRoster entity.

Most rows store the wire JSON as served (a page is then a string join, not a re-serialisation)
next to the columns queries need: ``status`` and ``dateLastModified`` (indexed for incremental
sync) and the references nested routes follow (``class.sourcedId`` -> ``class_id`` ...). Filters
and sorts on any other field go through ``json_extract``.

Enrollments and results are the million-row tables and hold nothing but identifiers, enums and
dates, so they are stored as plain columns and SQLite builds their JSON with ``json_object`` while
reading (a third of the disk, a fraction of the load time). Their ``extra`` column keeps whatever
a gradebook client PUT that has no column of its own.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

ROSTERING = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
RESOURCES = "/ims/oneroster/resources/v1p2"


@dataclass(frozen=True)
class Table:
    name: str  # also the collection wrapper: {"users": [...]}
    singular: str  # single-record wrapper: {"user": {...}}
    fields: frozenset[str]  # top-level fields of the record, for filter/sort/fields checks
    columns: dict[str, str] = field(default_factory=dict)  # column -> field it mirrors
    # SQL building the record's JSON from columns ({roster}/{gradebook} are href prefixes);
    # None means the record is stored whole in a ``json`` column.
    json_sql: str | None = None

    @property
    def stored_as_json(self) -> bool:
        return self.json_sql is None

    def column_for(self, field_name: str) -> str | None:
        if field_name in ("sourcedId", "status", "dateLastModified"):
            return field_name
        for column, mirrored in self.columns.items():
            if mirrored == field_name:
                return column
        return None

    def knows(self, field_name: str) -> bool:
        return field_name in self.fields or self.column_for(field_name) is not None

    def json_expression(self, roster: str, gradebook: str) -> str:
        if self.json_sql is None:
            return "json"
        return self.json_sql.format(roster=roster.replace("'", "''"), gradebook=gradebook)


def _ref_sql(base: str, collection: str, column: str, kind: str) -> str:
    return (
        f"json_object('href', '{{{base}}}/{collection}/' || {column}, "
        f"'sourcedId', {column}, 'type', '{kind}')"
    )


ENROLLMENT_JSON = (
    "json_object('sourcedId', sourcedId, 'status', status, 'dateLastModified', dateLastModified, "
    f"'user', {_ref_sql('roster', 'users', 'user_id', 'user')}, "
    f"'class', {_ref_sql('roster', 'classes', 'class_id', 'class')}, "
    f"'school', {_ref_sql('roster', 'orgs', 'school_id', 'org')}, "
    "'role', role, 'primary', is_primary, 'beginDate', begin_date, 'endDate', end_date)"
)

# json_patch drops the members a patch sets to null: an absent score or comment is left out
# rather than answered as null, which the schema (type: number / string) refuses.
RESULT_JSON = (
    "json_patch(json_patch(json_object('sourcedId', sourcedId, 'status', status, "
    "'dateLastModified', dateLastModified, "
    f"'lineItem', {_ref_sql('gradebook', 'lineItems', 'line_item_id', 'lineItem')}, "
    f"'student', {_ref_sql('roster', 'users', 'student_id', 'user')}, "
    f"'class', {_ref_sql('roster', 'classes', 'class_id', 'class')}, "
    "'scoreStatus', score_status, 'scoreDate', score_date), "
    "json_object('score', score, 'comment', comment)), coalesce(extra, '{{}}'))"
)


def _fields(names: str) -> frozenset[str]:
    return frozenset(("sourcedId status dateLastModified metadata " + names).split())


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "orgs",
            "org",
            _fields("name type identifier parent children"),
            {"type": "type", "parent_id": "parent.sourcedId"},
        ),
        Table(
            "academicSessions",
            "academicSession",
            _fields("title startDate endDate type parent children schoolYear"),
            # The district owning a session: the 1.2 JSON has no such member, the CSV and the
            # nested /schools/{id}/terms route need it.
            {"type": "type", "parent_id": "parent.sourcedId", "org_id": ""},
        ),
        Table(
            "courses",
            "course",
            _fields("title schoolYear courseCode grades subjects org subjectCodes resources"),
            {"org_id": "org.sourcedId", "school_year_id": "schoolYear.sourcedId"},
        ),
        Table(
            "classes",
            "class",
            _fields(
                "title classCode classType location grades subjects course school terms "
                "subjectCodes periods resources"
            ),
            {"course_id": "course.sourcedId", "school_id": "school.sourcedId"},
        ),
        Table(
            "users",
            "user",
            _fields(
                "userMasterIdentifier username userIds enabledUser givenName familyName "
                "middleName preferredFirstName preferredMiddleName preferredLastName pronouns "
                "roles userProfiles primaryOrg identifier email sms phone agents grades password "
                "resources"
            ),
            # ``role`` is the primary role; 1.2 moved it into ``roles`` but filtering on it
            # (role='student') is what every consumer does, so the column answers it.
            {"role": "role", "org_id": "primaryOrg.sourcedId"},
        ),
        Table(
            "enrollments",
            "enrollment",
            _fields("user class school role primary beginDate endDate"),
            {
                "user_id": "user.sourcedId",
                "class_id": "class.sourcedId",
                "school_id": "school.sourcedId",
                "role": "role",
                "is_primary": "primary",
                "begin_date": "beginDate",
                "end_date": "endDate",
            },
            ENROLLMENT_JSON,
        ),
        Table(
            "demographics",
            "demographics",
            _fields(
                "birthDate sex americanIndianOrAlaskaNative asian blackOrAfricanAmerican "
                "nativeHawaiianOrOtherPacificIslander white demographicRaceTwoOrMoreRaces "
                "hispanicOrLatinoEthnicity countryOfBirthCode stateOfBirthAbbreviation "
                "cityOfBirth publicSchoolResidenceStatus"
            ),
        ),
        Table(
            "lineItems",
            "lineItem",
            _fields(
                "title description assignDate dueDate class school category gradingPeriod "
                "academicSession scoreScale resultValueMin resultValueMax learningObjectiveSet"
            ),
            {
                "class_id": "class.sourcedId",
                "school_id": "school.sourcedId",
                "category_id": "category.sourcedId",
            },
        ),
        Table(
            "results",
            "result",
            _fields(
                "lineItem student class scoreScale scoreStatus score textScore scoreDate comment "
                "learningObjectiveSet inProgress incomplete late missing"
            ),
            {
                "line_item_id": "lineItem.sourcedId",
                "student_id": "student.sourcedId",
                "class_id": "class.sourcedId",
                "score_status": "scoreStatus",
                "score": "score",
                "score_date": "scoreDate",
                "comment": "comment",
                "extra": "",
            },
            RESULT_JSON,
        ),
        Table("categories", "category", _fields("title weight")),
        Table(
            "scoreScales",
            "scoreScale",
            _fields("title type course class scoreScaleValue"),
            {"class_id": "class.sourcedId", "course_id": "course.sourcedId"},
        ),
        Table(
            "assessmentLineItems",
            "assessmentLineItem",
            _fields(
                "title class parentAssessmentLineItem scoreScale resultValueMin resultValueMax "
                "learningObjectiveSet"
            ),
            {"class_id": "class.sourcedId"},
        ),
        Table(
            "assessmentResults",
            "assessmentResult",
            _fields(
                "assessmentLineItem student score textScore scoreDate scoreScale scorePercentile "
                "scoreStatus comment learningObjectiveSet inProgress incomplete late missing"
            ),
            {"line_item_id": "assessmentLineItem.sourcedId", "student_id": "student.sourcedId"},
        ),
        Table(
            "resources",
            "resource",
            _fields("title roles importance vendorResourceId vendorId applicationId"),
        ),
    )
}


def create_tables(conn: sqlite3.Connection) -> None:
    for table in TABLES.values():
        extra = "".join(f", {c} {'REAL' if c == 'score' else 'TEXT'}" for c in table.columns)
        body = ", json TEXT NOT NULL" if table.stored_as_json else ""
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table.name} (sourcedId TEXT PRIMARY KEY, "
            f"status TEXT NOT NULL, dateLastModified TEXT NOT NULL{extra}{body})"
        )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS class_terms (class_id TEXT NOT NULL, term_id TEXT NOT NULL, "
        "PRIMARY KEY (term_id, class_id)) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS course_resources (course_id TEXT NOT NULL, "
        "resource_id TEXT NOT NULL, PRIMARY KEY (course_id, resource_id)) WITHOUT ROWID"
    )
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, client_id TEXT NOT NULL, "
        "secret_hash TEXT NOT NULL, scopes TEXT NOT NULL, expires_at REAL NOT NULL)"
    )


# Columns worth an index: references that nested routes follow (``/classes/{id}/students`` ...).
# Low-selectivity ones (enrollments.school_id, enrollments.role: 50 schools, 2 roles) are left
# out; they cost seconds at load time and the sourcedId-ordered scan answers them as fast.
INDEXED = (
    *("type", "parent_id", "org_id", "course_id", "school_id", "user_id", "class_id"),
    *("line_item_id", "student_id", "role", "category_id"),
)
NOT_INDEXED = {
    ("enrollments", "school_id"),
    ("enrollments", "role"),
    ("results", "status"),  # gradebook results are read by class / lineItem, never by status
    ("results", "student_id"),  # always asked for together with class_id, which is indexed
}


def create_indexes(conn: sqlite3.Connection) -> None:
    """Built after the bulk load: one sorted build is much faster than 1M incremental inserts."""
    for table in TABLES.values():
        for column in ("status", "dateLastModified", *table.columns):
            wanted = column in ("status", "dateLastModified") or column in INDEXED
            if wanted and (table.name, column) not in NOT_INDEXED:
                conn.execute(
                    f"CREATE INDEX IF NOT EXISTS ix_{table.name}_{column} ON {table.name}({column})"
                )
