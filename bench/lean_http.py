"""A small keep-alive HTTP/1.1 client for load generation: POST, read status and body.

httpx costs the benchmark process about as much CPU per request as the API's own ingest path
does, on the same two cores, so a load generator built on it measures itself. This one only
writes a request and reads a ``Content-Length`` answer (what uvicorn sends for JSON), over a few
reused connections; anything else is an error.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class LeanHttpError(Exception):
    pass


class LeanClient:
    def __init__(self, base_url: str, connections: int) -> None:
        url = urlsplit(base_url)
        if url.scheme != "http" or url.hostname is None or url.port is None:
            raise ValueError("base_url must be http://host:port")
        self.host, self.port = url.hostname, url.port
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self._slots = asyncio.Semaphore(connections)
        self._open: list[asyncio.StreamWriter] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        async with self._slots:
            if self._idle.empty():
                reader, writer = await asyncio.open_connection(self.host, self.port)
                self._open.append(writer)
            else:
                reader, writer = self._idle.get_nowait()
            head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            head += f"Content-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            status, answer, keep = await self._answer(reader)
            if keep:
                self._idle.put_nowait((reader, writer))
            else:
                writer.close()
            return status, answer

    @staticmethod
    async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        fields = {k.strip().lower(): v.strip() for k, v in fields.items()}
        if "content-length" not in fields:
            raise LeanHttpError(f"HTTP {status}: answer without Content-Length")
        body = await reader.readexactly(int(fields["content-length"]))
        return status, body, fields.get("connection", "").lower() != "close"

    async def aclose(self) -> None:
        for writer in self._open:
            writer.close()
