"""Inbound webhooks: signature checks, routing rules, input mapping and the delivery log."""
