"""A REST/HTTP connector configured by data (``GenericApiConfig``)."""

from connectors.generic.client import GenericApiClient
from connectors.generic.config import AuthConfig, EndpointConfig, GenericApiConfig, PaginationConfig

__all__ = [
    "AuthConfig",
    "EndpointConfig",
    "GenericApiClient",
    "GenericApiConfig",
    "PaginationConfig",
]
