"""Plain async clients for the systems a school owns. They know nothing of Temporal."""
