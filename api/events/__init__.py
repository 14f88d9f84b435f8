"""The API side of events: the live-stream broadcaster and the hub that feeds it and subscribers."""
