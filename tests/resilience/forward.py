"""A TCP forwarder: ``python -m tests.resilience.forward BIND_IP PORT [PORT ...]`` accepts on
BIND_IP:PORT and relays each connection to 127.0.0.1:PORT. It makes the servers the tests run on
loopback (Temporal, OpenBao, PostgreSQL, the sandbox) reachable from network namespaces through
the bridge address, as if they ran on a host of their own. It prints "ready" once listening."""

from __future__ import annotations

import asyncio
import contextlib
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def _relay(port: int):  # type: ignore[no-untyped-def]
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    return handle


async def main(bind: str, ports: list[int]) -> None:
    servers = [await asyncio.start_server(_relay(p), bind, p, reuse_address=True) for p in ports]
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], [int(p) for p in sys.argv[2:]]))
