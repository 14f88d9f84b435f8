"""The process designer's engine: the definition language (``definition``), its expressions
(``expressions``: JMESPath, the language of the sync engine's mappings), static validation
(``validation``) and the per-step diff of two versions (``diff``). The interpreter that runs a
definition is workflows/designed_process.py; the store is atrium/models/process_definition.py."""
