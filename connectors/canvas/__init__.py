"""Canvas LMS connector: REST API v1 and SIS Imports."""

from connectors.canvas.client import CanvasClient
from connectors.canvas.requester import sis

__all__ = ["CanvasClient", "sis"]
