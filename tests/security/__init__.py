"""Attack tests: each performs a security review finding against the real stack over HTTP and
fails while the hole is open (issue 11)."""
