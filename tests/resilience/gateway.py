"""A client that spreads requests over several API replicas, as the compose file's gateway does
(round robin), and counts what each replica answered."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import httpx


class RoundRobin:
    def __init__(self, urls: list[str], token: str | None = None) -> None:
        self.urls = urls
        self._next = itertools.cycle(urls)
        self.served: Counter[str] = Counter()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.AsyncClient(timeout=30, headers=headers)

    def authenticate(self, token: str) -> None:
        self.http.headers["Authorization"] = f"Bearer {token}"

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = next(self._next)
        answer = await self.http.request(method, f"{url}{path}", **kwargs)
        if answer.status_code < 500:
            self.served[url] += 1
        return answer

    async def aclose(self) -> None:
        await self.http.aclose()
