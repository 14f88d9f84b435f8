"""``GenericApiConfig``: everything the generic REST connector needs, as data.

Secrets are not part of the config: the ``CredentialSource`` supplies them by auth scheme —
``bearer``: ``token``; ``basic``: ``username``, ``password``; ``api_key_header``: ``api_key``;
``oauth2_client_credentials``: ``client_id``, ``client_secret``.

Example (Koha patrons)::

    {"name": "koha", "base_url": "https://library.example.edu",
     "auth": {"scheme": "oauth2_client_credentials", "token_url": "/api/v1/oauth/token"},
     "endpoints": {"patrons": {"path": "/api/v1/patrons", "record_path": "@",
        "pagination": {"style": "link_header", "size_param": "_per_page", "page_size": 50},
        "fields": {"source_id": "to_string(patron_id)", "family_name": "surname"}}}}
"""

from __future__ import annotations

from string import Formatter
from typing import Literal

import httpx
import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator


def _check_expression(expression: str) -> str:
    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        raise ValueError(f"invalid JMESPath {expression!r}: {exc}") from exc
    return expression


class AuthConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: Literal["none", "bearer", "basic", "api_key_header", "oauth2_client_credentials"] = (
        "none"
    )
    header_name: str = "X-API-Key"  # api_key_header
    token_url: str | None = None  # oauth2: absolute, or relative to base_url
    scope: str | None = None

    @model_validator(mode="after")
    def _token_url_for_oauth2(self) -> AuthConfig:
        if self.scheme == "oauth2_client_credentials" and not self.token_url:
            raise ValueError("oauth2_client_credentials needs token_url")
        return self


class PaginationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    style: Literal["none", "page_number", "offset_limit", "link_header", "cursor"] = "none"
    page_size: int = Field(50, gt=0, le=10_000)
    page_param: str = "page"
    first_page: int = 1
    size_param: str | None = "per_page"  # page_number / link_header page size parameter
    offset_param: str = "offset"
    limit_param: str = "limit"
    cursor_param: str = "cursor"
    cursor_path: str | None = None  # JMESPath to the next cursor in the body

    @field_validator("cursor_path")
    @classmethod
    def _valid_cursor_path(cls, value: str | None) -> str | None:
        return None if value is None else _check_expression(value)

    @model_validator(mode="after")
    def _cursor_needs_path(self) -> PaginationConfig:
        if self.style == "cursor" and not self.cursor_path:
            raise ValueError("cursor pagination needs cursor_path")
        return self


class EndpointConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    path: str = Field(pattern=r"^/([^/]|$)")  # "/api/v1/patrons/{patron_id}"; never "//host/.."
    query: dict[str, str] = Field(default_factory=dict)
    record_path: str = "@"  # JMESPath to the list of records in a page
    pagination: PaginationConfig = Field(default_factory=PaginationConfig)
    fields: dict[str, str] = Field(default_factory=dict)  # target field -> JMESPath; empty = as is

    @field_validator("record_path")
    @classmethod
    def _valid_record_path(cls, value: str) -> str:
        return _check_expression(value)

    @field_validator("fields")
    @classmethod
    def _valid_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for expression in value.values():
            _check_expression(expression)
        return value

    def path_parameters(self) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(self.path) if name}


class GenericApiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[a-z0-9_-]+$")
    base_url: HttpUrl
    auth: AuthConfig = Field(default_factory=AuthConfig)
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(30.0, gt=0)
    endpoints: dict[str, EndpointConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _token_url_on_this_origin(self) -> GenericApiConfig:
        # The secret is bound to base_url's origin (atrium/credentials.py): an absolute token_url
        # elsewhere would hand the client id and secret to another server.
        token_url = self.auth.token_url or "/"
        absolute = token_url.startswith("//") or not token_url.startswith("/")
        if absolute and _origin(token_url) != _origin(str(self.base_url)):
            raise ValueError("auth.token_url must be a path or on base_url's origin")
        return self


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return None
    return parsed.scheme, parsed.host, parsed.port or {"http": 80, "https": 443}.get(parsed.scheme)
