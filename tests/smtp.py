"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd, in-process), collecting what it receives.

`SmtpServer` listens on a free port chosen at start and keeps it across `stop()`/`start()`, so a
test can take the office's mail server down and bring it back. With `user`/`password` it demands
AUTH LOGIN/PLAIN (over plain text, as a test needs) and refuses any other password. With `delay`
it keeps a message, then waits that long before its "250 OK" (a client killed meanwhile does not
know the server has it: the case of an interrupted send).

Use the fixture: `from tests.smtp import smtp_server  # noqa: F401`, then `def test_x(smtp_server)`.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

KEY_HEADER = "X-SOP-Docs-Kunci"


@dataclass(frozen=True)
class Mail:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]

    @property
    def key(self) -> str | None:
        return self.message[KEY_HEADER]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def attachments(self) -> dict[str, bytes]:
        return {p.get_filename(): p.get_payload(decode=True)
                for p in self.message.iter_attachments()}


class _Mailbox:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.server._received(Mail(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.content))
        if self.server.delay:            # kept already: a client killed now never hears the 250
            await asyncio.sleep(self.server.delay)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """aiosmtpd on 127.0.0.1:`port`; `mails` is everything received, in order."""

    def __init__(self, user: str | None = None, password: str | None = None,
                 delay: float = 0.0) -> None:
        self.port = free_port()
        self.user, self.password, self.delay = user, password, delay
        self.mails: list[Mail] = []
        self.logins: list[tuple[str, bool]] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def _received(self, mail: Mail) -> None:
        with self._lock:
            self.mails.append(mail)

    def _auth(self, _server: Any, _session: Any, _envelope: Any, _mechanism: str,
              data: Any) -> AuthResult:
        login = data.login.decode() if isinstance(data.login, bytes) else str(data.login)
        given = data.password.decode() if isinstance(data.password, bytes) else str(data.password)
        ok = login == self.user and given == self.password
        self.logins.append((login, ok))
        return AuthResult(success=ok)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpServer:
        kwargs: dict[str, Any] = {}
        if self.password is not None:
            kwargs = {"authenticator": self._auth, "auth_require_tls": False,
                      "auth_required": True}
        self._controller = Controller(_Mailbox(self), hostname="127.0.0.1", port=self.port,
                                      **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def url(self, userinfo: str = "") -> str:
        """The apprise URL of this server (plain SMTP), e.g. userinfo "ppid:${SMTP_PASSWORD}"."""
        at = f"{userinfo}@" if userinfo else ""
        return f"mailto://{at}127.0.0.1:{self.port}"

    def keys(self) -> Counter[str | None]:
        with self._lock:
            return Counter(m.key for m in self.mails)

    def wait(self, count: int, timeout: float = 30.0) -> list[Mail]:
        """The mails once at least `count` arrived; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.mails) >= count:
                    return list(self.mails)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.mails)} mail(s) arrived within {timeout} s, "
                             f"{count} expected")


class BlackHole:
    """A port that accepts connections (the kernel's backlog) and never says a word: every send
    waits for the whole timeout, the worst a mail server can do."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(128)

    def close(self) -> None:
        self.sock.close()


def notify_toml(server: str, *, people: list[tuple[str, str, list[str]]] | None = None,
                sender: str = "PPID Uji <ppid@kantor.go.id>", **options: object) -> str:
    """sop.toml text with [notify] sending through `server` (options: retries, retry_seconds,
    timeout_seconds, secrets_file, admin …) and [[people]] as (nama, role, addresses)."""
    import json

    lines = ["[notify]", f"server = {json.dumps(server)}", f"from = {json.dumps(sender)}"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in options.items()]
    for nama, role, alamat in people or []:
        lines += ["", "[[people]]", f"nama = {json.dumps(nama)}", f"roles = [{json.dumps(role)}]",
                  f"alamat = {json.dumps(alamat)}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A started SMTP server on 127.0.0.1 (no authentication), stopped after the test."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def main() -> None:
    """`python -m tests.smtp PORT`: a server in a process of its own (as a real one is, so the
    benchmark does not charge its CPU to the watcher); one line `MAIL <key>` per message."""
    import sys

    server = SmtpServer()
    server.port = int(sys.argv[1])
    printed = 0
    server.start()
    print("READY", flush=True)
    try:
        while True:
            time.sleep(0.002)
            with server._lock:
                new = server.mails[printed:]
            for mail in new:
                print(f"MAIL {mail.key}", flush=True)
            printed += len(new)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
