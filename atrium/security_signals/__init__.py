"""Threat detection's further signals (issue 16): an API key used from a new network, an unusual
volume of personal data read by one caller, a connection moved to another origin. Each becomes
a security event with its severity, once per subject and window, and the response configured
for its kind (ATRIUM_SECURITY__*_RESPONSE, opt-in) is applied in the event's transaction.

The counting and the windows are those of atrium/security_events.py (``ThreatMonitor``), which
``SignalMonitor`` extends: the API keeps one, as ``app.state.threats``."""

from atrium.security_signals.monitor import Actor, SignalMonitor
from atrium.security_signals.networks import network_of

__all__ = ["Actor", "SignalMonitor", "network_of"]
