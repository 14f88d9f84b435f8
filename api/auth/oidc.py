"""Access tokens of an external OpenID Connect issuer (setting ``api.oidc``), verified against
the keys it publishes (its JWKS, through pyjwt's ``PyJWKClient``) and mapped to an Atrium role.

A token goes here when its (unverified) ``iss`` is the configured issuer; from then on it must
verify here: it never falls back to Atrium's own tokens. The answers:

- 401 when the token cannot be trusted (signature, key, ``exp``/``nbf``, ``iss``, ``aud``, an
  algorithm outside ``api.oidc.algorithms``), naming the reason, like Atrium's own tokens;
- 403 when it is valid but none of its roles/groups is in ``api.oidc.role_map``, or when several
  are and no one of them holds every permission of the others (see ``pick_role``);
- 503 when the issuer's discovery document or JWKS cannot be fetched: nobody can be checked.

Both are fetched only where the egress guard (atrium/egress.py) allows: the issuer's and the
configured ``jwks_url``'s host and port, and anything ``egress.*`` allows.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
from jwt import PyJWK, PyJWKClient

from api.auth.principal import Principal
from api.auth.rbac import MATRIX, SELF_SCOPED, Role
from api.auth.tokens import TokenInvalid
from atrium.egress import EgressPolicy, EgressRefused, HostNotFound, guarded_client
from atrium.models.user import IDENTIFIER
from atrium.settings import EgressSettings, OidcSettings, https_or_loopback

KIND = "oidc"
MAX_SUB = 95  # "oidc:" + sub must fit the audit log's actor column (100 characters)
# PyJWKClient fetches with urllib, blocking: threads of its own, so a slow issuer cannot starve
# the default pool that local logins, API keys and Vault reads use.
_JWKS_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="oidc-jwks")


class IssuerUnavailable(Exception):
    """The issuer's discovery document or keys cannot be fetched (503)."""


class Refused(Exception):
    """A valid token that gives no usable Atrium role (403); the message says why."""


def issuer_of(token: str) -> str | None:
    """The issuer a token claims, unverified: only to choose which verification applies."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def pick_role(roles: set[Role]) -> Role:
    """The one mapped role whose permissions include every other mapped role's (administrator over
    anything, auditor over leader, professor over student). When none does (say secretary and
    auditor: each may do something the other may not), granting either would be a guess, and
    granting both is not what a role is: refused, so the school fixes its groups or its map."""
    for role in Role:  # the matrix's order: deterministic
        if role in roles and all(_covers(role, other) for other in roles):
            return role
    names = ", ".join(sorted(roles))
    raise Refused(f"oidc: the token maps to several roles ({names}) and none includes the others")


def _covers(role: Role, other: Role) -> bool:
    """``role`` may do all ``other`` may, and sees at least as much (a self-scoped role never
    covers one that sees every run)."""
    return MATRIX[other] <= MATRIX[role] and (role not in SELF_SCOPED or other in SELF_SCOPED)


def _claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by its name (namespaced names may hold dots), else by a dotted path."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


class GuardedJWKClient(PyJWKClient):
    """PyJWKClient whose fetches go only where the egress guard allows. pyjwt fetches with
    urllib, which takes no network backend: the URL and every address its host resolves to are
    vetted just before each fetch (redirects are never followed), and urllib then resolves the
    name again. A DNS answer changed between the two (rebinding, within milliseconds) is the
    limit of this check; discovery, which uses httpx, has no such gap."""

    def __init__(self, uri: str, policy: EgressPolicy, **kwargs: Any) -> None:
        super().__init__(uri, **kwargs)
        self.policy = policy

    def fetch_data(self) -> Any:
        try:
            asyncio.run(self.policy.check(self.uri))  # a thread of its own: no loop running here
        except (EgressRefused, HostNotFound) as exc:
            raise jwt.PyJWKClientConnectionError(f"refused by the egress guard: {exc}") from None
        return super().fetch_data()


def issuer_policy(settings: OidcSettings, egress: EgressPolicy) -> EgressPolicy:
    """``egress`` plus the issuer's and the configured JWKS URL's own host and port: an operator
    named them. A ``jwks_uri`` that discovery returns elsewhere must pass ``egress`` itself."""
    policy = egress
    for url in (settings.issuer, settings.jwks_url):
        if url:  # validated by the settings: https, or http to a loopback host
            parsed = httpx.URL(url)
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            policy = policy.allowing(parsed.raw_host.decode("ascii"), port)
    return policy


class OidcVerifier:
    def __init__(self, settings: OidcSettings, egress: EgressPolicy | None = None) -> None:
        self.settings = settings
        # Default: public https only (plus the issuer itself); the API passes its egress.* policy
        self.policy = issuer_policy(settings, egress or EgressPolicy.from_egress(EgressSettings()))
        self._jwks: PyJWKClient | None = None
        self._lock = asyncio.Lock()

    def issued(self, token: str) -> bool:
        return issuer_of(token) == self.settings.issuer

    async def principal(self, token: str) -> Principal:
        jwks = await self._client()
        loop = asyncio.get_running_loop()
        claims = await loop.run_in_executor(_JWKS_THREADS, self._verify, jwks, token)
        return self.map_claims(claims)

    async def _client(self) -> PyJWKClient:
        if self._jwks is None:
            async with self._lock:
                if self._jwks is None:
                    url = self.settings.jwks_url or await self._discover()
                    self._jwks = GuardedJWKClient(
                        url,
                        self.policy,
                        lifespan=self.settings.jwks_cache_seconds,
                        timeout=self.settings.jwks_timeout_seconds,
                    )
        return self._jwks

    async def _discover(self) -> str:
        """The ``jwks_uri`` of the issuer's OpenID Connect discovery document."""
        url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            async with guarded_client(self.policy) as http:
                answer = await http.get(url, timeout=self.settings.jwks_timeout_seconds)
            answer.raise_for_status()
            document = answer.json()
        except (httpx.HTTPError, ValueError, EgressRefused) as exc:
            raise IssuerUnavailable(f"discovery {url}: {type(exc).__name__}") from None
        if not isinstance(document, dict) or document.get("issuer") != self.settings.issuer:
            raise IssuerUnavailable(f"discovery {url}: names another issuer")
        try:
            return https_or_loopback(str(document.get("jwks_uri", "")))
        except ValueError as exc:
            raise IssuerUnavailable(f"discovery {url}: jwks_uri {exc}") from None

    def _verify(self, jwks: PyJWKClient, token: str) -> dict[str, Any]:
        """Runs in a thread: fetching keys blocks."""
        settings = self.settings
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError as exc:
            raise TokenInvalid(f"token invalid: {type(exc).__name__}") from None
        if algorithm not in settings.algorithms:  # before any fetch: "none", HS256, ...
            raise TokenInvalid(f"token invalid: algorithm {str(algorithm)[:10]!r} not accepted")
        key = self._signing_key(jwks, token)
        try:
            return jwt.decode(
                token,
                key,  # a PyJWK: verified with the key's own algorithm, never the header's alone
                algorithms=settings.algorithms,
                audience=settings.audience,
                issuer=settings.issuer,
                leeway=settings.leeway_seconds,
                options={
                    "require": ["exp", "iss", "aud", "sub"],
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.ExpiredSignatureError:
            raise TokenInvalid("token expired") from None
        except jwt.InvalidAudienceError:
            raise TokenInvalid("token invalid: not issued for this API (aud)") from None
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"token invalid: {type(exc).__name__}") from None

    @staticmethod
    def _signing_key(jwks: PyJWKClient, token: str) -> PyJWK:
        # The key set first: failing to get it is the issuer's problem (503), not the token's.
        try:
            jwks.get_signing_keys()  # cached for jwks_cache_seconds
        except (jwt.PyJWKClientError, jwt.PyJWKSetError, OSError, ValueError) as exc:
            raise IssuerUnavailable(f"keys at {jwks.uri}: {_reason(exc)}") from None
        try:
            return jwks.get_signing_key_from_jwt(token)  # refetches once for an unknown kid
        except jwt.PyJWKClientConnectionError as exc:
            raise IssuerUnavailable(f"keys at {jwks.uri}: {_reason(exc)}") from None
        except jwt.PyJWKClientError:
            raise TokenInvalid(
                "token invalid: signed with a key the issuer does not publish"
            ) from None
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"token invalid: {type(exc).__name__}") from None

    def map_claims(self, claims: dict[str, Any]) -> Principal:
        settings = self.settings
        sub = claims.get("sub")
        if not isinstance(sub, str) or not 0 < len(sub) <= MAX_SUB:
            raise TokenInvalid(f"token invalid: sub must be text of 1 to {MAX_SUB} characters")
        values = _strings(_claim(claims, settings.roles_claim))
        mapped = {Role(settings.role_map[v]) for v in values if v in settings.role_map}
        if not mapped:
            raise Refused(
                f"oidc: no value of the token's {settings.roles_claim!r} claim is mapped to an "
                "Atrium role (api.oidc.role_map)"
            )
        role = pick_role(mapped)
        person_id = next(iter(_strings(_claim(claims, settings.person_id_claim))), None)
        class_ids = []
        if settings.class_ids_claim:
            class_ids = _strings(_claim(claims, settings.class_ids_claim))
        # These end up in Temporal visibility queries: safe characters only (as for local users).
        if person_id is not None and not re.match(IDENTIFIER, person_id):
            if role == Role.student:
                raise Refused(f"oidc: claim {settings.person_id_claim!r} is not a usable person id")
            person_id = None  # only students are scoped by it
        if not all(re.match(IDENTIFIER, c) for c in class_ids):
            if role == Role.professor:
                raise Refused(f"oidc: claim {settings.class_ids_claim!r} holds unusable class ids")
            class_ids = []
        return Principal(
            subject=f"{KIND}:{sub}", kind=KIND, role=role.value,
            person_id=person_id, class_ids=class_ids,
        )  # fmt: skip


def _reason(exc: Exception) -> str:
    if isinstance(exc, jwt.PyJWKClientConnectionError):
        return "unreachable"
    return type(exc).__name__
