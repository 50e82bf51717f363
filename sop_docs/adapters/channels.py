"""Sending one message to one address through apprise: e-mail via the office's server, or any URL.

An outbox row's `address` is a plain e-mail address (sent through `[notify] server`, a mailto:// or
mailtos:// URL, with `to=` that address and `from=` the configured sender) or an apprise URL
(tgram://, matrix://, …) used as it is. `${NAME}` in a URL is resolved only here, at the moment
of sending, from the environment or else from `secrets_file` (NAME=value lines), which must be
readable by the service alone: sop.toml, which staff read, never holds the secret itself.

An e-mail carries the notification's idempotency key in the header `X-SOP-Docs-Kunci` (apprise
sets its own Message-ID), so a message sent twice after a crash mid-send is recognisable as the
same one. Nothing with a secret in it reaches a log or an error: apprise's own logger is kept out
of the application's log (its lines are only read here, scrubbed, to say why a send failed), and a
target is named in our lines by `redact(address)`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import apprise

from sop_docs.core.addresses import SECRET_REF, is_email
from sop_docs.core.notify_settings import NotifySettings
from sop_docs.errors import NotSent

log = logging.getLogger("sop_docs")

KEY_HEADER = "X-SOP-Docs-Kunci"
_SECRET_PARAM = re.compile(r"(pass|password|pwd|token|key|apikey|api_key|secret|access_token|"
                           r"webhook|auth)$", re.I)


# --- apprise's logger: captured per thread, never propagated ------------------------------------

class _Capture(logging.Handler):
    """Keeps apprise's lines for the send in progress (to say why it failed), drops the rest: they
    may hold a URL with its secret. A context variable, not the thread: apprise may run the
    plugin on a worker thread of its own, with the caller's context."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.current: contextvars.ContextVar[list[tuple[int, str]] | None] = \
            contextvars.ContextVar("sop_docs_apprise_lines", default=None)

    def emit(self, record: logging.LogRecord) -> None:
        lines = self.current.get()
        if lines is not None:
            with contextlib.suppress(Exception):   # a line that cannot be formatted says nothing
                lines.append((record.levelno, record.getMessage()))

    @contextmanager
    def lines(self) -> Iterator[list[tuple[int, str]]]:
        out: list[tuple[int, str]] = []
        token = self.current.set(out)
        try:
            yield out
        finally:
            self.current.reset(token)


_APPRISE_LOG = logging.getLogger(apprise.logger.name if hasattr(apprise, "logger") else "apprise")
_CAPTURE = _Capture()
_APPRISE_LOG.handlers[:] = [_CAPTURE]    # never the root's handlers (nor Python's last resort)
_APPRISE_LOG.propagate = False
_APPRISE_LOG.setLevel(logging.DEBUG)


# --- secrets --------------------------------------------------------------------------------------

class Secrets:
    """`${NAME}` values: the environment first, then the secrets file (read at each send, so a
    changed password needs no restart). A file others may read is refused, once in the log."""

    def __init__(self, file: Path | None, env: Mapping[str, str] | None = None) -> None:
        self.file, self.env = file, os.environ if env is None else env
        self._refused: tuple[int, int] | None = None

    def _from_file(self) -> dict[str, str]:
        if self.file is None:
            return {}
        try:
            st = os.stat(self.file)
            if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                if self._refused != (st.st_ino, st.st_mtime_ns):
                    self._refused = (st.st_ino, st.st_mtime_ns)
                    log.error("secrets file %s is readable by group or others (mode %o): not "
                              "used; make it readable by the service only (chmod 600 %s)",
                              self.file, stat.S_IMODE(st.st_mode), self.file)
                return {}
            text = self.file.read_text("utf-8")
        except OSError as e:
            log.error("secrets file %s cannot be read: %s", self.file, e.strerror or type(e).__name__)
            return {}
        out: dict[str, str] = {}
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                value = value.strip()
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                    value = value[1:-1]
                out[name.strip()] = value
        return out

    def resolve(self, text: str) -> tuple[str, list[str]]:
        """`text` with each ${NAME} replaced by its value percent-quoted for a URL, and the values
        used (to scrub from any message); NotSent naming the missing NAME."""
        names = SECRET_REF.findall(text)
        if not names:
            return text, []
        found = {n: self.env[n] for n in names if self.env.get(n)}
        if len(found) < len(set(names)):
            found = {**self._from_file(), **found}
        missing = sorted({n for n in names if not found.get(n)})
        if missing:
            raise NotSent(f"secret {', '.join(missing)} is not set (the service's environment or "
                          "[notify] secrets_file)")
        values = [found[n] for n in names]
        return SECRET_REF.sub(lambda m: quote(found[m.group(1)], safe=""), text), values


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every secret value (raw and URL-quoted) replaced by ***."""
    for value in sorted(set(secrets), key=len, reverse=True):
        if value:
            for form in {value, quote(value, safe="")}:
                text = text.replace(form, "***")
    return text


def redact(address: str) -> str:
    """How a target is named in a log line or an error: an e-mail address as it is; a URL with
    any password, token parameter or long path piece replaced by *** (a ${NAME} stays named)."""
    if "://" not in address or is_email(address):
        return address
    parts = urlsplit(address)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            user, pw = userinfo.split(":", 1)
            userinfo = f"{user}:{pw if SECRET_REF.fullmatch(pw) else '***'}"
        netloc = f"{userinfo}@{host}"
    host = netloc.rsplit("@", 1)[-1]
    if _looks_secret(host):
        netloc = netloc[: len(netloc) - len(host)] + "***"
    path = "/".join("***" if _looks_secret(p) else p for p in parts.path.split("/"))
    query = "&".join(f"{k}={'***' if _SECRET_PARAM.match(k) and not SECRET_REF.fullmatch(v) else v}"
                     for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def _looks_secret(piece: str) -> bool:
    if SECRET_REF.fullmatch(piece):
        return False
    return len(piece) >= 20 and bool(re.search(r"\d", piece)) and bool(re.search(r"[A-Za-z]", piece))


# --- sending --------------------------------------------------------------------------------------

def can_send(notify: NotifySettings, addresses: list[str]) -> bool:
    """Anything could leave at all: a mail server is set, or some address is a URL of its own."""
    return bool(notify.server) or any(not is_email(a) for a in addresses)


def unknown_kinds(addresses: list[str]) -> list[str]:
    """The URL addresses whose scheme apprise does not know (a typo such as `tgrm://`), as
    written up to the scheme: checked at start, before a message could fail on it."""
    from apprise.manager_plugins import NotificationManager

    known = set(NotificationManager().schemas())
    return [a.split("://", 1)[0] + "://" for a in addresses
            if not is_email(a) and a.split("://", 1)[0].lower() not in known]


def _with_params(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k not in params] + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path,
                       urlencode(query, quote_via=quote, safe=""), parts.fragment))


class Channels:
    """Sends through apprise with the office's settings; `send` raises NotSent (already scrubbed)."""

    def __init__(self, notify: NotifySettings, root: Path, env: Mapping[str, str] | None = None) -> None:
        self.notify = notify
        file = Path(notify.secrets_file) if notify.secrets_file else None
        if file is not None and not file.is_absolute():
            file = root / file
        self.secrets = Secrets(file, env)

    def url_for(self, address: str, key: str | None) -> str:
        """The apprise URL for `address`, still holding its ${NAME} references."""
        if is_email(address):
            if not self.notify.server:
                raise NotSent(f"no mail server ([notify] server) to send to {address}")
            params = {"to": address, "format": "text"}
            if self.notify.sender:
                params["from"] = self.notify.sender
            if key:
                params[f"+{KEY_HEADER}"] = key
            return _with_params(self.notify.server, params)
        return address

    def send(self, address: str, subject: str, body: str, *, key: str | None = None,
             attachment: tuple[str, bytes] | None = None) -> None:
        """Hand one message to its channel, within `timeout_seconds` a connection."""
        url, secrets = self.secrets.resolve(self.url_for(address, key))
        try:
            self._send(url, subject, body, attachment, redact(address), secrets)
        except NotSent as e:
            raise NotSent(scrub(str(e), secrets)) from None

    def _send(self, url: str, subject: str, body: str, attachment: tuple[str, bytes] | None,
              named: str, secrets: list[str]) -> None:
        asset = apprise.AppriseAsset(async_mode=False)
        with _CAPTURE.lines() as lines:
            try:
                plugin = apprise.Apprise.instantiate(url, asset=asset, suppress_exceptions=False)
            except Exception as e:
                raise NotSent(f"{named}: apprise cannot use this address ({type(e).__name__}: "
                              f"{scrub(str(e), secrets)})") from None
            if plugin is None:
                raise NotSent(f"{named}: apprise does not know this kind of address")
            timeout = float(self.notify.timeout_seconds)
            for attr in ("socket_connect_timeout", "socket_read_timeout"):
                if hasattr(plugin, attr):
                    setattr(plugin, attr, timeout)
            if hasattr(plugin, "request_rate_per_sec"):
                plugin.request_rate_per_sec = 0          # our back-off paces retries, not apprise
            sender = apprise.Apprise(asset=asset)
            sender.add(plugin)
            with tempfile.TemporaryDirectory(prefix="sop-docs-lampiran-") as tmp:
                attach = None
                if attachment is not None:
                    name, data = attachment
                    path = Path(tmp) / (Path(name).name or "lampiran")
                    path.write_bytes(data)
                    attach = apprise.AppriseAttachment()
                    attach.add(str(path))
                try:
                    ok = sender.notify(body=body, title=subject, attach=attach,
                                       body_format=apprise.NotifyFormat.TEXT)
                except Exception as e:                   # a plugin's own bug: still a failed send
                    raise NotSent(f"{named}: {type(e).__name__}: {scrub(str(e), secrets)}") from None
        if not ok:
            raise NotSent(f"{named}: {scrub(_why(lines), secrets)}")


def _why(lines: list[tuple[int, str]]) -> str:
    """The reason apprise gave, in its own words: the socket's error, else its last warning."""
    for _level, text in reversed(lines):
        if "Exception:" in text:
            return text.split("Exception:", 1)[1].strip() or "send failed"
    warnings = [text for level, text in lines if level >= logging.WARNING]
    return warnings[-1] if warnings else "send failed"
