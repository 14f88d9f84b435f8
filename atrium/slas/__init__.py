"""SLAs: measuring a connection's runs and sync state against its targets (``connections``) and
each new person's arrival in every target system (``people``)."""
