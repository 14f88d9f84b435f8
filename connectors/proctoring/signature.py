"""How the proctoring platform signs its webhooks (the vendor's format, which the sandbox's
emulator follows: ``sandbox/proctoring/webhooks.py``).

Header ``X-Proctor-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is HMAC-SHA256 of
``f"{t}." + raw body`` keyed with the endpoint secret; several ``v1`` values may be present while
a secret is being rolled. It is the ``pairs`` layout of ``atrium.signatures``, whose one verifier
checks it (``api.webhooks.vendors`` declares the format); nothing here verifies anything.
"""

SIGNATURE_HEADER = "X-Proctor-Signature"
