"""The durable webhook intake: events committed before their 202, dispatched after."""
