"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""

from atrium.models.health import HealthCheck
from atrium.models.integration import Integration

__all__ = ["HealthCheck", "Integration"]
from atrium.models.api_key import ApiKey  # noqa: E402
from atrium.models.audit import AuditEvent  # noqa: E402
from atrium.models.conflict import SyncConflict as SyncConflict  # noqa: E402
from atrium.models.mapping import Mapping as Mapping  # noqa: E402
from atrium.models.quarantine import QuarantinedRecord as QuarantinedRecord  # noqa: E402
from atrium.models.subscription import DeadLetter as DeadLetter  # noqa: E402
from atrium.models.subscription import Subscription as Subscription  # noqa: E402
from atrium.models.sync_state import IdempotencyKey as IdempotencyKey  # noqa: E402
from atrium.models.sync_state import SyncCursor as SyncCursor  # noqa: E402
from atrium.models.sync_state import SyncRecord as SyncRecord  # noqa: E402
from atrium.models.user import User  # noqa: E402
from atrium.models.webhook import WebhookDelivery as WebhookDelivery  # noqa: E402
from atrium.models.webhook import WebhookRule as WebhookRule  # noqa: E402
from atrium.models.webhook import WebhookSource as WebhookSource  # noqa: E402
from atrium.models.campus import NotificationPreference as NotificationPreference  # noqa: E402
from atrium.models.campus import ProctoredExamLink as ProctoredExamLink  # noqa: E402
from atrium.models.campus import SentNotification as SentNotification  # noqa: E402
