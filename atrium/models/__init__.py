"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""

from atrium.models.alerts import Alert, AlertDelivery, AlertRule
from atrium.models.api_key import ApiKey
from atrium.models.audit import AuditEvent
from atrium.models.campus import NotificationPreference, ProctoredExamLink, SentNotification
from atrium.models.conflict import SyncConflict
from atrium.models.health import HealthCheck
from atrium.models.intake import IntakeEvent
from atrium.models.integration import Integration
from atrium.models.mapping import Mapping
from atrium.models.quarantine import QuarantinedRecord
from atrium.models.roster_package import RosterPackage, RosterPackageBlob, RosterPackageRecord
from atrium.models.subscription import DeadLetter, Subscription
from atrium.models.sync_state import IdempotencyKey, SyncCursor, SyncRecord
from atrium.models.user import User
from atrium.models.webhook import WebhookDelivery, WebhookRule, WebhookSource

__all__ = [
    "Alert",
    "AlertDelivery",
    "AlertRule",
    "ApiKey",
    "AuditEvent",
    "DeadLetter",
    "HealthCheck",
    "IdempotencyKey",
    "IntakeEvent",
    "Integration",
    "Mapping",
    "NotificationPreference",
    "ProctoredExamLink",
    "QuarantinedRecord",
    "RosterPackage",
    "RosterPackageBlob",
    "RosterPackageRecord",
    "SentNotification",
    "Subscription",
    "SyncConflict",
    "SyncCursor",
    "SyncRecord",
    "User",
    "WebhookDelivery",
    "WebhookRule",
    "WebhookSource",
]
