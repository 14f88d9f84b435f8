"""Tokens of an external OpenID Connect issuer (``api.oidc``), against a real issuer on 127.0.0.1
that publishes its discovery document and JWKS over HTTP, and a second API app configured for it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from api.auth.oidc import IssuerUnavailable, OidcVerifier, Refused, pick_role
from api.auth.rbac import Role
from api.auth.tokens import TokenInvalid
from api.main import create_app
from atrium.settings import OidcSettings, Settings
from tests.api.test_self_scoped_runs import runs_about_two_subjects
from tests.support.auth import bearer
from tests.support.servers import free_port, serve

AUDIENCE = "atrium-test"
KID = "school-idp-1"
ISSUER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ROLE_MAP = {
    "admins": "administrator",
    "secretaries": "secretary",
    "staff-leaders": "leader",
    "auditors": "auditor",
    "teachers": "professor",
    "pupils": "student",
}
Mint = Callable[..., str]


def _jwks() -> dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(ISSUER_KEY.public_key(), as_dict=True)
    return {"keys": [jwk | {"kid": KID, "use": "sig", "alg": "RS256"}]}


def _issuer_app(issuer: str) -> Starlette:
    async def discovery(_: Request) -> Response:
        return JSONResponse({"issuer": issuer, "jwks_uri": f"{issuer}/jwks"})

    async def keys(_: Request) -> Response:
        return JSONResponse(_jwks())

    async def maintenance(_: Request) -> Response:
        return PlainTextResponse("<html>down for maintenance</html>")

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks", keys),
            Route("/maintenance", maintenance),
        ]
    )


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    port = free_port()
    with serve(_issuer_app(f"http://127.0.0.1:{port}"), port=port) as url:
        yield url


def _oidc(issuer: str, **changes: Any) -> OidcSettings:
    return OidcSettings(
        issuer=issuer, audience=AUDIENCE, roles_claim="groups", role_map=ROLE_MAP,
        person_id_claim="person_id", class_ids_claim="classes", **changes,
    )  # fmt: skip


def _serve_api(settings: Settings, oidc: OidcSettings) -> Any:
    api = settings.api.model_copy(update={"port": free_port(), "oidc": oidc})
    return serve(create_app(settings.model_copy(update={"api": api})), port=api.port)


@pytest.fixture(scope="module")
def oidc_url(settings: Settings, engine: Engine, issuer: str) -> Iterator[str]:
    """The API, also accepting the issuer's tokens (keys found through discovery)."""
    with _serve_api(settings, _oidc(issuer)) as url:
        yield url


@pytest.fixture(scope="module")
def mint(issuer: str) -> Mint:
    """``mint(groups=[...], exp=..., ...)``: a token of the issuer; a claim set to None is left
    out. ``key``, ``kid`` and ``algorithm`` choose the signature."""

    def make(key: Any = ISSUER_KEY, kid: str = KID, algorithm: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": issuer, "aud": AUDIENCE, "sub": f"u-{uuid.uuid4().hex[:8]}",
            "iat": now, "exp": now + 300, "groups": ["staff-leaders"],
        } | claims  # fmt: skip
        body = {name: value for name, value in body.items() if value is not None}
        return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})

    return make


def _unsigned(algorithm: str, secret: bytes | None, claims: dict[str, Any]) -> str:
    """A token pyjwt refuses to make: HS256 keyed with a public key, or no signature at all."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": algorithm, "typ": "JWT", "kid": KID}).encode())
    signing_input = f"{head}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest() if secret else b""
    return f"{signing_input}.{b64(signature)}"


def _claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


PUBLIC_PEM = ISSUER_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


async def _get(base_url: str, token: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return await client.get(path, headers=bearer(token))


async def test_a_mapped_role_gets_its_rights_and_no_more(oidc_url: str, mint: Mint) -> None:
    token = mint(sub="leader-7", groups=["staff-leaders", "some-unmapped-group"])
    me = await _get(oidc_url, token, "/api/v1/auth/me")
    assert me.status_code == 200, me.text
    body = me.json()
    assert (body["subject"], body["kind"], body["role"]) == ("oidc:leader-7", "oidc", "leader")
    assert (await _get(oidc_url, token, "/api/v1/audit")).status_code == 200  # audit:read
    refused = await _get(oidc_url, token, "/api/v1/users")
    assert refused.status_code == 403 and "users:manage" in refused.json()["error"]


async def test_atrium_tokens_keep_working_next_to_the_issuer(
    oidc_url: str, admin_token: str
) -> None:
    me = await _get(oidc_url, admin_token, "/api/v1/auth/me")
    assert me.status_code == 200, me.text
    assert (me.json()["kind"], me.json()["role"]) == ("user", "administrator")


def _bad_tokens() -> list[Any]:
    return [  # times taken when the test runs, not when it is collected
        pytest.param(lambda m: m(exp=int(time.time()) - 120), "token expired", id="expired"),
        pytest.param(lambda m: m(aud="another-api"), "not issued for this API", id="audience"),
        pytest.param(
            lambda m: m(nbf=int(time.time()) + 600), "ImmatureSignature", id="not-yet-valid"
        ),
        pytest.param(lambda m: m(exp=None), "MissingRequiredClaim", id="no-exp"),
        pytest.param(lambda m: m(sub="x" * 96), "sub must be text", id="sub-too-long"),
        pytest.param(lambda m: m(key=OTHER_KEY), "InvalidSignature", id="other-key-same-kid"),
        pytest.param(lambda m: m(kid="rotated-away"), "does not publish", id="unknown-kid"),
        pytest.param(  # Atrium's own verification refuses it: RS256 is not its algorithm
            lambda m: m(iss="https://idp.elsewhere.example"), "token invalid", id="other-issuer"
        ),
        pytest.param(  # algorithm confusion: HMAC keyed with the public key anyone can read
            lambda m: _unsigned("HS256", PUBLIC_PEM, _claims_of(m(groups=["admins"]))),
            "algorithm 'HS256' not accepted",
            id="hs256-with-public-key",
        ),
        pytest.param(
            lambda m: _unsigned("none", None, _claims_of(m(groups=["admins"]))),
            "algorithm 'none' not accepted",
            id="alg-none",
        ),
    ]


@pytest.mark.parametrize(("make", "reason"), _bad_tokens())
async def test_untrustworthy_tokens_get_401_naming_why(
    oidc_url: str, mint: Mint, make: Callable[[Mint], str], reason: str
) -> None:
    answer = await _get(oidc_url, make(mint), "/api/v1/auth/me")
    assert answer.status_code == 401, answer.text
    assert reason in answer.json()["error"]
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("groups", "reason"),
    [
        (["library-staff"], "is mapped to an Atrium role"),
        (None, "is mapped to an Atrium role"),
        (["secretaries", "auditors"], "several roles (auditor, secretary)"),
    ],
)
async def test_a_valid_token_without_one_clear_role_gets_403(
    oidc_url: str, mint: Mint, groups: list[str] | None, reason: str
) -> None:
    answer = await _get(oidc_url, mint(groups=groups), "/api/v1/auth/me")
    assert answer.status_code == 403, answer.text
    assert reason in answer.json()["error"]


@pytest.mark.parametrize(
    ("roles", "chosen"),
    [
        ({Role.administrator, Role.student}, Role.administrator),
        ({Role.leader, Role.auditor}, Role.auditor),
        ({Role.leader, Role.professor}, Role.leader),
        ({Role.professor, Role.student}, Role.professor),
        ({Role.secretary, Role.auditor}, None),
        ({Role.process_designer, Role.leader}, None),  # leader reads the audit log, designer not
    ],
)
def test_several_roles_give_the_one_that_includes_the_others_or_none(
    roles: set[Role], chosen: Role | None
) -> None:
    if chosen is None:
        with pytest.raises(Refused):
            pick_role(roles)
    else:
        assert pick_role(roles) == chosen


async def test_an_administrator_of_the_issuer_cannot_own_api_keys(
    oidc_url: str, mint: Mint
) -> None:
    async with httpx.AsyncClient(base_url=oidc_url, timeout=30) as client:
        answer = await client.post(
            "/api/v1/api-keys",
            json={"name": "ci", "scopes": ["runs:read"]},
            headers=bearer(mint(groups=["admins"])),
        )
    assert answer.status_code == 403, answer.text
    assert "no local account" in answer.json()["error"]


async def test_students_and_professors_of_the_issuer_see_only_their_own_runs(
    oidc_url: str, mint: Mint, api: httpx.AsyncClient, engine: Engine
) -> None:
    mine, theirs, runs = await runs_about_two_subjects(api, engine)
    student = mint(groups=["pupils"], person_id=mine)
    professor = mint(groups=["teachers"], classes=[theirs, "c-other"])
    unsafe = mint(groups=["pupils"], person_id="p' OR 'x'='x")
    query = "/api/v1/runs?process=integration-health-check&page_size=200"
    for _ in range(50):  # visibility is eventually consistent
        seen = {r["workflow_id"] for r in (await api.get(query)).json()["items"]}
        if set(runs.values()) <= seen:
            break
        await asyncio.sleep(0.1)
    student_sees = (await _get(oidc_url, student, query)).json()["items"]
    assert {r["workflow_id"] for r in student_sees} == {runs[mine]}
    professor_sees = (await _get(oidc_url, professor, query)).json()["items"]
    assert {r["workflow_id"] for r in professor_sees} == {runs[theirs]}
    assert (await _get(oidc_url, student, f"/api/v1/runs/{runs[theirs]}")).status_code == 404
    refused = await _get(oidc_url, unsafe, query)
    assert refused.status_code == 403 and "not a usable person id" in refused.json()["error"]


async def test_an_unreachable_jwks_gives_503_and_local_logins_still_work(
    settings: Settings, engine: Engine, issuer: str, mint: Mint, admin_token: str
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/jwks"  # nothing listens there
    with _serve_api(settings, _oidc(issuer, jwks_url=dead)) as url:
        answer = await _get(url, mint(), "/api/v1/auth/me")
        assert answer.status_code == 503, answer.text
        assert "oidc issuer unavailable" in answer.json()["error"]
        assert (await _get(url, admin_token, "/api/v1/auth/me")).status_code == 200


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("discovery", "discovery"),  # an issuer nobody answers for
        ("maintenance", "keys at"),  # a JWKS URL that answers HTML
    ],
)
async def test_an_issuer_without_usable_keys_is_unavailable_not_an_error(
    issuer: str, mint: Mint, where: str, reason: str
) -> None:
    if where == "discovery":
        oidc = _oidc(f"http://127.0.0.1:{free_port()}")
        token = mint(iss=oidc.issuer)
    else:
        oidc, token = _oidc(issuer, jwks_url=f"{issuer}/maintenance"), mint()
    with pytest.raises(IssuerUnavailable, match=reason):
        await OidcVerifier(oidc).principal(token)


async def test_the_verifier_alone_accepts_the_issuer_token_and_checks_the_audience(
    issuer: str, mint: Mint
) -> None:
    verifier = OidcVerifier(_oidc(issuer, jwks_url=f"{issuer}/jwks"))
    principal = await verifier.principal(mint(sub="s-1", groups="pupils", person_id="p-1"))
    assert principal.subject == "oidc:s-1"
    assert (principal.kind, principal.role, principal.person_id) == ("oidc", "student", "p-1")
    with pytest.raises(TokenInvalid, match="aud"):
        await verifier.principal(mint(aud=[AUDIENCE + "-not"]))
