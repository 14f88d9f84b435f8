"""THE role x permission matrix. Every route names one permission; this table says who has it.

Students and professors additionally see only what concerns them (their person id, their
classes): routes that list or read runs apply ``subject_filter`` on top of the permission.
"""

from __future__ import annotations

from atrium.roles import Role

__all__ = ["MATRIX", "PERMISSIONS", "SELF_SCOPED", "Role", "allowed"]


# Every permission a route may require, with what it lets a caller do.
PERMISSIONS: dict[str, str] = {
    "profile:read": "read one's own account (GET /auth/me)",
    "processes:read": "list the processes and their input schemas",
    "runs:read": "list and read runs (students/professors: only their own)",
    "runs:start": "start a process or an on-demand health check",
    "runs:cancel": "cancel a running run",
    "runs:signal": "send a signal to a running run",
    "integrations:read": "read the integration inventory and health history",
    "integrations:write": "create, change and delete integrations",
    "secrets:read": "read a secret's metadata (version, field names; never the value)",
    "secrets:write": "set, rotate and delete connection secrets",
    "users:manage": "create, change, disable and delete user accounts",
    "api_keys:manage": "create, list and revoke API keys",
    "audit:read": "read and verify the audit log",
    "metrics:read": "scrape Prometheus metrics",
    "payloads:decode": "read run payloads whole in the Temporal Web UI (personal data; audited)",
    "webhooks:manage": "manage inbound webhook sources and routing rules",
    "subscriptions:manage": "manage outbound event subscriptions and redeliveries",
    "events:read": "read events and follow the live event stream",
    "conflicts:read": "read sync conflicts",
    "conflicts:resolve": "resolve sync conflicts",
    "mappings:read": "read identity and field mappings",
    "mappings:write": "change identity and field mappings",
    "quarantine:read": "read quarantined records",
    "quarantine:retry": "retry or discard quarantined records",
    "security:read": "read the deployment's security assessment (atrium security check)",
    "security:manage": "acknowledge security events (threat detection)",
    "alerts:read": "read alert rules, alerts and their history",
    "alerts:manage": "change alert rules; acknowledge and resolve alerts",
    "designs:read": "read designed processes, their versions and diffs",
    "designs:write": "edit drafts of designed processes, publish and roll back versions",
    "designs:approve": "approve publishing a version with a destructive action (not one's own)",
    "schedules:read": "read the schedules that start processes",
    "schedules:manage": "create, change, pause, trigger, backfill and delete schedules",
    "privacy:export": "export everything the systems hold about one person (download audited)",
    "privacy:erase": "request, follow and cancel the erasure of a person across the systems",
    "privacy:manage": "place legal holds; set erasure rules and the retention of Atrium's data",
}

_READ_ONLY = frozenset(p for p in PERMISSIONS if p.endswith(":read"))

MATRIX: dict[Role, frozenset[str]] = {
    Role.administrator: frozenset(PERMISSIONS),
    Role.process_designer: frozenset(
        {
            "profile:read",
            "processes:read",
            "runs:read",
            "runs:start",
            "runs:cancel",
            "runs:signal",
            "integrations:read",
            "integrations:write",
            "secrets:read",
            "webhooks:manage",
            "subscriptions:manage",
            "events:read",
            "conflicts:read",
            "mappings:read",
            "mappings:write",
            "quarantine:read",
            "quarantine:retry",
            "alerts:read",
            "alerts:manage",
            "designs:read",
            "designs:write",
            "schedules:read",
            "schedules:manage",
        }
    ),  # fmt: skip
    Role.secretary: frozenset(
        {
            "profile:read",
            "processes:read",
            "runs:read",
            "runs:start",
            "runs:signal",
            "integrations:read",
            "events:read",
            "conflicts:read",
            "conflicts:resolve",
            "mappings:read",
            "quarantine:read",
            "quarantine:retry",
        }
    ),  # fmt: skip
    Role.leader: frozenset(
        {
            "profile:read",
            "processes:read",
            "runs:read",
            "integrations:read",
            "events:read",
            "conflicts:read",
            "mappings:read",
            "quarantine:read",
            "audit:read",
            "alerts:read",
            "schedules:read",
        }
    ),  # fmt: skip
    Role.professor: frozenset({"profile:read", "processes:read", "runs:read"}),
    Role.student: frozenset({"profile:read", "runs:read"}),
    # Read-only across the board (secret metadata included, secret values never exist in the API).
    Role.auditor: _READ_ONLY,
}

# Roles whose reads are narrowed to runs and records about themselves or their classes.
SELF_SCOPED = frozenset({Role.student, Role.professor})


def allowed(role: str, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}: add it to api/auth/rbac.py")
    try:
        return permission in MATRIX[Role(role)]
    except ValueError:
        return False  # a role this version does not know has no rights


def permissions_of(role: str) -> frozenset[str]:
    try:
        return MATRIX[Role(role)]
    except ValueError:
        return frozenset()
