"""A TCP proxy on loopback in front of the test PostgreSQL server, which a test can cut.

While it is cut, every connection through it is dropped and new ones are closed as soon as
they open, as when the database goes away. `cut_when(b"INSERT INTO feedback")` cuts it at the
moment the bot sends a statement holding those bytes (before the server sees it): an outage in
the middle of a turn, at a chosen step.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url


class DatabaseProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._trigger: bytes | None = None
        self.cut_happened = asyncio.Event()
        self.is_cut = False
        self.port = 0

    def url_for(self, database_url: str) -> str:
        """The same database, reached through this proxy."""
        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(
            hide_password=False)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def cut(self) -> None:
        """The database goes away: live connections drop, new ones are closed at once."""
        self.is_cut = True
        self._trigger = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        self.cut_happened.set()

    def cut_when(self, statement: bytes) -> None:
        """Cut as the bot sends the first message to the server that contains `statement`."""
        self._trigger = statement

    def restore(self) -> None:
        """The database is back: new connections go through again."""
        self.is_cut = False
        self.cut_happened.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.is_cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await asyncio.gather(self._pipe(reader, up_writer, watch=True),
                                 self._pipe(up_reader, writer, watch=False))
        finally:
            self._tasks.discard(task)
            for end in (writer, up_writer):
                self._writers.discard(end)
                end.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    *, watch: bool) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                if watch and self._trigger is not None and self._trigger in data:
                    self.cut()
                    return
                if self.is_cut:
                    return
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


@asynccontextmanager
async def database_proxy(database_url: str) -> AsyncIterator[tuple[DatabaseProxy, str]]:
    """`async with database_proxy(url) as (proxy, proxied_url):` for a PostgreSQL URL."""
    url = make_url(database_url)
    proxy = DatabaseProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    try:
        yield proxy, proxy.url_for(database_url)
    finally:
        await proxy.close()
