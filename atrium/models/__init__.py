"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""

from atrium.models.health import HealthCheck
from atrium.models.integration import Integration

__all__ = ["HealthCheck", "Integration"]
