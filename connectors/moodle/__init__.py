"""Moodle LMS connector (web services, REST protocol)."""

from connectors.moodle.client import MoodleClient
from connectors.moodle.probe import moodle_probe

__all__ = ["MoodleClient", "moodle_probe"]
