"""Atrium core: settings, Temporal/Vault/database wiring, logging and the `atrium` command."""
