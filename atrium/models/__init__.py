"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""

from atrium.models.alerts import Alert, AlertDelivery, AlertRule
from atrium.models.api_key import ApiKey, ApiKeyNetwork
from atrium.models.audit import AuditEvent
from atrium.models.campus import NotificationPreference, ProctoredExamLink, SentNotification
from atrium.models.capacity import CapacityUsage
from atrium.models.conflict import SyncConflict
from atrium.models.health import HealthCheck
from atrium.models.intake import IntakeEvent
from atrium.models.integration import Integration
from atrium.models.mapping import Mapping
from atrium.models.privacy import (  # noqa: F401
    AuditCheckpoint,
    PrivacyErasure,
    PrivacyErasureStep,
    PrivacyExport,
    PrivacyExportPart,
    PrivacyLegalHold,
    PrivacyRule,
    PrivacyTombstone,
    RetentionPolicy,
)
from atrium.models.process_definition import ProcessDefinitionRow, ProcessVersion  # noqa: F401
from atrium.models.quarantine import QuarantinedRecord
from atrium.models.report import ReportDelivery, ReportSent
from atrium.models.roster_package import RosterPackage, RosterPackageBlob, RosterPackageRecord
from atrium.models.security_event import SecurityEvent
from atrium.models.slas import Sla, SlaPerson, SlaSample
from atrium.models.subscription import DeadLetter, Subscription
from atrium.models.sync_state import IdempotencyKey, SyncCursor, SyncRecord
from atrium.models.trigger import ProcessTrigger
from atrium.models.user import User
from atrium.models.webhook import WebhookDelivery, WebhookRule, WebhookSource

__all__ = [
    "Alert",
    "AlertDelivery",
    "AlertRule",
    "ApiKey",
    "ApiKeyNetwork",
    "AuditEvent",
    "CapacityUsage",
    "DeadLetter",
    "HealthCheck",
    "IdempotencyKey",
    "IntakeEvent",
    "Integration",
    "Mapping",
    "NotificationPreference",
    "ProcessTrigger",
    "ProctoredExamLink",
    "QuarantinedRecord",
    "ReportDelivery",
    "ReportSent",
    "RosterPackage",
    "RosterPackageBlob",
    "RosterPackageRecord",
    "SecurityEvent",
    "SentNotification",
    "Sla",
    "SlaPerson",
    "SlaSample",
    "Subscription",
    "SyncConflict",
    "SyncCursor",
    "SyncRecord",
    "User",
    "WebhookDelivery",
    "WebhookRule",
    "WebhookSource",
]
