"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""

from atrium.models.health import HealthCheck
from atrium.models.integration import Integration

__all__ = ["HealthCheck", "Integration"]
from atrium.models.conflict import SyncConflict  # noqa: E402
from atrium.models.mapping import Mapping  # noqa: E402
from atrium.models.quarantine import QuarantinedRecord  # noqa: E402
from atrium.models.sync_state import IdempotencyKey, SyncCursor, SyncRecord  # noqa: E402
