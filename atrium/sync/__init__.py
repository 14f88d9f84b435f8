"""The sync engine's pure logic: mappings, change detection, conflict policies and the
sync-state store. Nothing here talks to Temporal or to a school's system."""
