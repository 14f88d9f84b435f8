"""core_user_create_users, _update_users and _get_users_by_field (user/externallib.php)."""

from __future__ import annotations

from typing import Any

from sandbox.moodle import store
from sandbox.moodle.errors import CodingError, InvalidParameter
from sandbox.moodle.functions.base import ExternalFunction, Site, placeholders
from sandbox.moodle.functions.user_details import load_extras, user_details
from sandbox.moodle.params import DEFAULT, OPTIONAL, Multiple, Single, Value, clean, valid_email

AUTH_PLUGINS = {"manual", "nologin", "email", "ldap", "oauth2", "db", "shibboleth", "cas", "lti"}
LANGS = {"en"}
# Columns of mdl_user that the create/update functions write directly.
USER_COLUMNS = (
    "username", "auth", "password", "firstname", "lastname", "email", "city", "country",
    "timezone", "description", "middlename", "alternatename", "idnumber", "institution",
    "department", "phone1", "phone2", "address", "lang", "calendartype", "theme", "mailformat",
)  # fmt: skip


_CREATE_DEFAULTS: dict[str, Any] = {"timezone": "99", "mailformat": 1}


def _user_fields(create: bool) -> dict[str, Value | Single | Multiple]:
    need = OPTIONAL
    fields: dict[str, Value | Single | Multiple] = {
        "createpassword": Value("bool", OPTIONAL),
        "username": Value("username") if create else Value("username", OPTIONAL),
        "auth": Value("auth", DEFAULT, "manual") if create else Value("auth", OPTIONAL),
        "password": Value("raw", OPTIONAL),
        "firstname": Value("notags") if create else Value("notags", OPTIONAL),
        "lastname": Value("notags") if create else Value("notags", OPTIONAL),
        "email": Value("email") if create else Value("email", OPTIONAL),
        "maildisplay": Value("int", need),
        "city": Value("notags", need),
        "country": Value("alpha", need),
        "timezone": Value("timezone", need),
        "description": Value("raw", need),
        "firstnamephonetic": Value("notags", need),
        "lastnamephonetic": Value("notags", need),
        "middlename": Value("notags", need),
        "alternatename": Value("notags", need),
        "interests": Value("text", need),
        "idnumber": Value("raw", DEFAULT, "") if create else Value("raw", OPTIONAL),
        "institution": Value("text", need),
        "department": Value("text", need),
        "phone1": Value("notags", need),
        "phone2": Value("notags", need),
        "address": Value("text", need),
        "lang": Value("safedir", DEFAULT, "en") if create else Value("safedir", OPTIONAL),
        "calendartype": Value("plugin", DEFAULT, "gregorian")
        if create
        else Value("plugin", OPTIONAL),
        "theme": Value("plugin", need),
        "mailformat": Value("int", need),
        "customfields": Multiple(
            Single({"type": Value("alphanumext"), "value": Value("raw")}), need
        ),
        "preferences": Multiple(Single({"type": Value("raw"), "value": Value("raw")}), need),
    }
    if not create:
        del fields["createpassword"]
        fields = {"id": Value("int"), **fields, "suspended": Value("bool", OPTIONAL)}
        fields["userpicture"] = Value("int", OPTIONAL)
    return fields


def create_users(site: Site, params: dict[str, Any]) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = params["users"]
    conn = site.conn
    names = [u["username"] for u in users]
    emails = [u["email"].lower() for u in users]
    taken_names: set[str] = set()
    taken_emails: set[str] = set()
    for part in store.chunks(names):
        taken_names |= {
            r[0]
            for r in conn.execute(
                f"SELECT username FROM user WHERE username IN ({placeholders(part)})",  # noqa: S608
                part,
            )
        }
    for part in store.chunks(emails):
        taken_emails |= {
            r[0].lower()
            for r in conn.execute(
                f"SELECT email FROM user WHERE email COLLATE NOCASE IN ({placeholders(part)})",  # noqa: S608
                part,
            )
        }
    # Same checks in the same order as Moodle; one failure rolls the whole batch back.
    for user in users:
        for field in ("username", "firstname", "lastname"):
            if user[field].strip() == "":
                raise InvalidParameter(f"The field {field} cannot be blank")
        if user["username"] in taken_names:
            raise InvalidParameter(f"Username already exists: {user['username']}")
        if user["auth"] not in AUTH_PLUGINS:
            raise InvalidParameter(f"Invalid authentication type: {user['auth']}")
        if user["lang"] not in LANGS:
            raise InvalidParameter(f"Invalid language code: {user['lang']}")
        internal = user["auth"] in ("manual", "email")
        if internal and not user.get("password") and not user.get("createpassword"):
            raise InvalidParameter(
                "Invalid password: you must provide a password, or set createpassword."
            )
        if not valid_email(user["email"]):
            raise InvalidParameter(f"Email address is invalid: {user['email']}")
        if user["email"].lower() in taken_emails:
            raise InvalidParameter(f"Email address already exists: {user['email']}")
        taken_names.add(user["username"])
        taken_emails.add(user["email"].lower())
    t = store.now()
    with store.transaction(conn):
        first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM user").fetchone()[0]
        rows, custom, prefs = [], [], []
        for offset, user in enumerate(users):
            uid = first + offset
            user["id"] = uid
            values = [user.get(c, _CREATE_DEFAULTS.get(c, "")) for c in USER_COLUMNS]
            values[USER_COLUMNS.index("password")] = "hashed" if user.get("password") else ""
            rows.append((uid, *values, t, t))
            custom += [(uid, f["type"], f["value"]) for f in user.get("customfields") or []]
            prefs += [(uid, p["type"], p["value"]) for p in user.get("preferences") or []]
        cols = ",".join(USER_COLUMNS)
        marks = placeholders([0] * (len(USER_COLUMNS) + 3))
        conn.executemany(
            f"INSERT INTO user (id,{cols},timecreated,timemodified) VALUES ({marks})",  # noqa: S608
            rows,
        )
        conn.executemany("INSERT OR REPLACE INTO user_info_data VALUES (?, ?, ?)", custom)
        conn.executemany("INSERT OR REPLACE INTO user_preferences VALUES (?, ?, ?)", prefs)
    return [{"id": u["id"], "username": u["username"]} for u in users]


def _warning(userid: int, code: str, message: str) -> dict[str, Any]:
    return {"item": "user", "itemid": userid, "warningcode": code, "message": message}


def update_users(site: Site, params: dict[str, Any]) -> dict[str, Any]:
    """Since Moodle 4.0 each user is updated on its own and problems come back as warnings."""
    conn = site.conn
    warnings: list[dict[str, Any]] = []
    t = store.now()
    with store.transaction(conn):
        for user in params["users"]:
            uid = user["id"]
            existing = conn.execute("SELECT * FROM user WHERE id = ?", (uid,)).fetchone()
            if existing is None:
                warnings.append(_warning(uid, "invaliduserid", "Invalid user id"))
                continue
            if existing["deleted"]:
                warnings.append(_warning(uid, "usernotupdateddeleted", "User is a deleted user"))
                continue
            if uid == store.GUEST_ID:
                warnings.append(_warning(uid, "usernotupdatedguest", "Cannot update guest account"))
                continue
            email = user.get("email")
            if email is not None and email != existing["email"]:
                if not valid_email(email):
                    warnings.append(_warning(uid, "useremailinvalid", "Invalid email address"))
                    continue
                clash = conn.execute(
                    "SELECT 1 FROM user WHERE email = ? COLLATE NOCASE AND id <> ?", (email, uid)
                ).fetchone()
                if clash:
                    warnings.append(_warning(uid, "useremailduplicate", "Duplicate address"))
                    continue
            changes = {c: user[c] for c in USER_COLUMNS if c in user and c != "password"}
            if "suspended" in user:
                changes["suspended"] = int(user["suspended"])
            if user.get("password"):
                changes["password"] = "hashed"
            if "username" in changes:
                owner = conn.execute(
                    "SELECT id FROM user WHERE username = ?", (changes["username"],)
                ).fetchone()
                if owner and owner[0] != uid:
                    warnings.append(
                        _warning(uid, "invalidparameter", "Invalid parameter value detected")
                    )
                    continue
            if changes:
                sets = ",".join(f"{c} = ?" for c in changes)
                conn.execute(
                    f"UPDATE user SET {sets}, timemodified = ? WHERE id = ?",  # noqa: S608
                    (*changes.values(), t, uid),
                )
            for f in user.get("customfields") or []:
                conn.execute(
                    "INSERT OR REPLACE INTO user_info_data VALUES (?, ?, ?)",
                    (uid, f["type"], f["value"]),
                )
            for p in user.get("preferences") or []:
                conn.execute(
                    "INSERT OR REPLACE INTO user_preferences VALUES (?, ?, ?)",
                    (uid, p["type"], p["value"]),
                )
    return {"warnings": warnings}


_FIELD_TYPES = {"id": "int", "idnumber": "raw", "username": "username", "email": "raw"}


def get_users_by_field(site: Site, params: dict[str, Any]) -> list[dict[str, Any]]:
    field = params["field"]
    if field not in _FIELD_TYPES:
        raise CodingError(
            "invalid field parameter",
            f"The search field '{field}' is not supported, look at the web service documentation",
        )
    values: list[Any] = []
    for value in params["values"]:
        cleaned = clean(value, _FIELD_TYPES[field])
        if str(value) != str(cleaned):
            raise InvalidParameter(
                f"The field '{field}' value is invalid: {value}(cleaned value: {cleaned})"
            )
        values.append(cleaned)
    rows = []
    for part in store.chunks(values):
        rows += site.conn.execute(
            f"SELECT * FROM user WHERE {field} IN ({placeholders(part)}) AND deleted = 0",  # noqa: S608
            part,
        ).fetchall()
    # Users whose searched field is empty are not returned (user_get_user_details leaves it out).
    rows = sorted((r for r in rows if r[field]), key=lambda r: r["id"])
    custom, prefs = load_extras(site.conn, [r["id"] for r in rows])
    return [user_details(r, site.wwwroot, custom.get(r["id"]), prefs.get(r["id"])) for r in rows]


FUNCTIONS = [
    ExternalFunction(
        "core_user_create_users",
        Single({"users": Multiple(Single(_user_fields(create=True)))}),
        create_users,
    ),
    ExternalFunction(
        "core_user_update_users",
        Single({"users": Multiple(Single(_user_fields(create=False)))}),
        update_users,
    ),
    ExternalFunction(
        "core_user_get_users_by_field",
        Single({"field": Value("alpha"), "values": Multiple(Value("raw"))}),
        get_users_by_field,
    ),
]
