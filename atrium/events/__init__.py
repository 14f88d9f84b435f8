"""Outbound events, a domain of their own: what a subscriber receives (``envelope``), who wants
what (``subscribers``), how one event reaches one subscriber (``delivery``: the delivery
workflow's input, its retry settings, ``publish``), and the events Atrium derives from its own
records (``health``).

The API (subscriptions, webhooks, the live stream) and the activities (delivery, publishing from
a run) both import this package; it imports neither.
"""
