"""The settings themselves: what production should not run with."""

from __future__ import annotations

import ipaddress

from atrium.security_check.finding import Context, Finding, Severity, plain_http_to_remote
from atrium.settings import LOCAL, Settings


def _finding(severity: Severity, kind: str, setting: str, detail: str, fix: str) -> Finding:
    return Finding(severity=severity, kind=kind, subject=setting, detail=detail, fix=fix)


def _vault(s: Settings) -> list[Finding]:
    found = []
    if plain_http_to_remote(s.vault.address):
        found.append(_finding(
            "high", "settings.vault_plain_http", "ATRIUM_VAULT__ADDRESS",
            f"{s.vault.address} is plain http to another host: every secret and token crosses "
            "the network unencrypted",
            "serve Vault over TLS and set an https:// address",
        ))  # fmt: skip
    if not s.vault.verify:
        found.append(_finding(
            "high", "settings.vault_tls_unverified", "ATRIUM_VAULT__VERIFY",
            "Vault's certificate is not verified: anyone on the path can pose as Vault",
            "set ATRIUM_VAULT__VERIFY=true and give Vault's CA in ATRIUM_VAULT__CA_PATH",
        ))  # fmt: skip
    if s.env == "production" and s.vault.auth == "token":
        found.append(_finding(
            "medium", "settings.vault_token_auth", "ATRIUM_VAULT__AUTH",
            "production authenticates to Vault with a static token, which never rotates",
            "use AppRole: ATRIUM_VAULT__AUTH=approle with ATRIUM_VAULT__ROLE_ID and "
            "ATRIUM_VAULT__SECRET_ID",
        ))  # fmt: skip
    return found


def _api(s: Settings) -> list[Finding]:
    found = []
    if s.api.workers > 1 and s.api.rate_limit_storage.startswith("memory://"):
        found.append(_finding(
            "medium", "settings.rate_limits_per_process", "ATRIUM_API__RATE_LIMIT_STORAGE",
            f"rate limits are kept in memory by each of {s.api.workers} API processes, so a "
            f"caller gets {s.api.workers} times the login and request limits",
            "share them: ATRIUM_API__RATE_LIMIT_STORAGE=redis://...",
        ))  # fmt: skip
    everyone = [p for p in s.api.trusted_proxies if ipaddress.ip_network(p).prefixlen == 0]
    if everyone:
        found.append(_finding(
            "high", "settings.proxies_trust_everyone", "ATRIUM_API__TRUSTED_PROXIES",
            f"{', '.join(everyone)} trusts X-Forwarded-For from anyone: a caller picks its own "
            "address, past the per-address login limits and into the audit log",
            "list only the reverse proxies' addresses",
        ))  # fmt: skip
    if s.env == "production" and s.api.public_url and plain_http_to_remote(s.api.public_url):
        found.append(_finding(
            "medium", "settings.api_plain_http", "ATRIUM_API__PUBLIC_URL",
            f"the API is published as {s.api.public_url}: passwords and tokens in clear text",
            "serve it over https (a TLS-terminating proxy) and set an https:// public URL",
        ))  # fmt: skip
    return found


def _production(s: Settings) -> list[Finding]:
    if s.env != "production":
        return []
    found = []
    host = s.temporal.address.rpartition(":")[0].strip("[]")
    if not s.temporal.tls and host not in (LOCAL, "localhost", "::1"):
        found.append(_finding(
            "medium", "settings.temporal_plain", "ATRIUM_TEMPORAL__TLS",
            f"Temporal at {s.temporal.address} is reached without TLS",
            "enable ATRIUM_TEMPORAL__TLS with a client certificate (mTLS)",
        ))  # fmt: skip
    if s.events.subscriber_allow_private:
        found.append(_finding(
            "medium", "settings.subscribers_private", "ATRIUM_EVENTS__SUBSCRIBER_ALLOW_PRIVATE",
            "subscribers may be any private address: an administrator's account reaches "
            "every internal service",
            "set it to false and list the few internal receivers in "
            "ATRIUM_EVENTS__SUBSCRIBER_ALLOWED_HOSTS",
        ))  # fmt: skip
    if not s.events.subscriber_require_https:
        found.append(_finding(
            "medium", "settings.subscribers_plain_http", "ATRIUM_EVENTS__SUBSCRIBER_REQUIRE_HTTPS",
            "events (students' records) may be delivered over plain http",
            "set it to true",
        ))  # fmt: skip
    return found


async def check(ctx: Context) -> list[Finding]:
    return _vault(ctx.settings) + _api(ctx.settings) + _production(ctx.settings)
