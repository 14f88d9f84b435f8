"""Alerting: what each rule kind looks at in the store (``conditions``) and how conditions become
alerts, one per outage and group (``state``)."""
