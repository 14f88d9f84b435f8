"""The bursar's SFTP server (asyncssh): the nightly holds batch folder.

Layout under ``<data_dir>/finance-sftp`` (the SFTP root, chrooted):

- ``outbox/holds-YYYYMMDD.csv`` written by the bursar each night, header
  ``student_id,hold_type,action,reason,effective_at`` (action ``place`` or ``lift``);
- ``inbox/`` where Atrium drops acknowledgement files;
- ``processed/`` where Atrium moves a batch once acknowledged.

Logins check the *current* ``ctx.credentials``: ``sftp_username`` with ``sftp_password``, or with
the OpenSSH public key in ``sftp_authorized_key`` when that field is set. The host key is made
once and kept in the data folder, so clients can pin it (``host_public_key``).

``atrium sandbox`` should run it next to the HTTP server, in the same event loop and with the same
``SystemContext`` the app got (``app.state.systems["finance"]``) so rotation through
``PUT /_control/credentials/finance`` applies to SFTP logins too::

    server = await start_sftp_server(app.state.systems["finance"], "127.0.0.1", 2222)
    ...
    server.close(); await server.wait_closed()
"""

from __future__ import annotations

import hmac
from pathlib import Path

import asyncssh

from sandbox.context import SystemContext
from sandbox.finance.store import sftp_root


def _host_key(ctx: SystemContext) -> asyncssh.SSHKey:
    path = ctx.data_dir / "finance-sftp-host-key"
    if not path.exists():
        ctx.data_dir.mkdir(parents=True, exist_ok=True)
        asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(path))
        path.chmod(0o600)
    return asyncssh.read_private_key(str(path))


def host_public_key(ctx: SystemContext) -> str:
    """The server's public host key in OpenSSH format, for clients to pin."""
    return _host_key(ctx).export_public_key("openssh").decode().strip()


class _BursarSshServer(asyncssh.SSHServer):
    def __init__(self, ctx: SystemContext) -> None:
        self.ctx = ctx

    def begin_auth(self, username: str) -> bool:
        return True  # every login must authenticate

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        creds = self.ctx.credentials
        return hmac.compare_digest(
            username, creds.get("sftp_username", "")
        ) and hmac.compare_digest(password, creds.get("sftp_password", ""))

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        creds = self.ctx.credentials
        authorized = creds.get("sftp_authorized_key")
        if not authorized or username != creds.get("sftp_username"):
            return False
        return bool(asyncssh.import_public_key(authorized).public_data == key.public_data)


async def start_sftp_server(
    ctx: SystemContext, host: str, port: int, *, root: Path | None = None
) -> asyncssh.SSHAcceptor:
    """Listen for SFTP on ``host:port`` (port 0 picks a free one; see ``get_port()``). ``root``
    serves another system's folder with that system's logins (the SIS drop, sandbox/sis_drop.py);
    the default is the bursar's."""
    root = root or sftp_root(ctx)

    def sftp_session(chan: asyncssh.SSHServerChannel) -> asyncssh.SFTPServer:
        return asyncssh.SFTPServer(chan, chroot=str(root).encode())

    return await asyncssh.create_server(
        lambda: _BursarSshServer(ctx),
        host,
        port,
        server_host_keys=[_host_key(ctx)],
        sftp_factory=sftp_session,
        allow_scp=False,
    )
