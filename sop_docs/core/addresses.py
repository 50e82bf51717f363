"""Where a message goes: an e-mail address or an apprise URL, and the secrets a URL must not hold.

sop.toml is readable by staff, so a password or token is named there as `${NAME}` and read by the
service from its environment or its secrets file at the moment of sending.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

SECRET_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)
_SECRET_PARAMS = {"pass", "password", "pwd", "token", "key", "apikey", "api_key", "secret",
                  "access_token", "webhook", "auth"}


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def is_address(text: str) -> bool:
    """An e-mail address, or a URL (apprise says later whether it knows the scheme)."""
    return bool(_EMAIL.match(text) or _URL.match(text))


def secret_in_clear(url: str) -> str | None:
    """Why `url` holds a secret written in clear (None when it does not): a password in the URL,
    a password/token parameter, or a long token in the path, none of them given as ${NAME}."""
    if "://" not in url:
        return None
    parts = urlsplit(SECRET_REF.sub("", url))
    netloc = parts.netloc.rsplit("@", 1)
    if len(netloc) == 2 and ":" in netloc[0] and netloc[0].split(":", 1)[1]:
        return "a password in the address (user:password@)"
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if k.lower() in _SECRET_PARAMS and v:
            return f"the parameter {k}= written in clear"
    host = parts.netloc.rsplit("@", 1)[-1]
    for piece in [host, *parts.path.split("/")]:
        if len(piece) >= 20 and re.search(r"\d", piece) and re.search(r"[A-Za-z]", piece) \
                and "." not in piece:
            return "a token in the address"
    return None
