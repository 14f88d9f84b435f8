"""The catalog: every action Atrium can perform on a school's systems, collected from the
connectors that declare them (``@action`` in connectors/actions.py). The API serves it as the
designer's palette; activities run its entries; nothing else writes to a school's systems."""

from __future__ import annotations

from functools import cache

from connectors.actions import Action, actions_of
from connectors.canvas import CanvasClient
from connectors.comms import EmailSender, SlackWebhook, TeamsWebhook
from connectors.finance.batch import BursarBatchClient
from connectors.finance.client import BursarClient
from connectors.koha import KohaClient
from connectors.moodle import MoodleClient
from connectors.oneroster import OneRosterClient
from connectors.proctoring import ProctoringClient
from connectors.sftp.drop import DropClient

# Each connection system (atrium/models/integration.py SYSTEM_TYPES) and the clients that speak
# to it: the REST client first, then file drops and messaging channels.
CLIENTS: dict[str, tuple[type, ...]] = {
    "oneroster": (OneRosterClient, DropClient),
    "canvas": (CanvasClient,),
    "moodle": (MoodleClient,),
    "koha": (KohaClient,),
    "finance": (BursarClient, BursarBatchClient),
    "proctoring": (ProctoringClient,),
    "comms": (EmailSender, SlackWebhook, TeamsWebhook),
}


@cache
def catalog() -> dict[str, Action]:
    """Action name -> action, for every system; a name declared twice is a programming error."""
    found: dict[str, Action] = {}
    for system, clients in CLIENTS.items():
        for client in clients:
            for entry in actions_of(client, system):
                if entry.name in found and found[entry.name].method != entry.method:
                    raise ValueError(f"action {entry.name!r} is declared twice")
                found.setdefault(entry.name, entry)
    return dict(sorted(found.items()))
