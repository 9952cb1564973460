"""The one sanitizer every exit uses: status, Events, logs, metrics labels and exception messages.

Two layers: values registered at run time (everything read from a Secret or from Vault) are removed
wherever they occur, and well-known secret shapes (credentialed DSNs, `password=...`, authorization
headers, Vault tokens, JWTs) are removed even when nobody registered them.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

REDACTED = "***"

# Keys whose value is a secret, in `key=value`, `key: value`, `"key": "value"` and libpq forms.
# The key must *end* with the secret word, so `passwordSecretRef: db-creds` (a reference, not a
# secret) keeps its value while `client_secret=...`, `X-Vault-Token: ...` and `PGPASSWORD=...` lose it.
_SECRET_KEY = (
    r"[\w.-]*?(?:password|passwd|pwd|secret|secret[_-]?id|token|api[_-]?key|apikey|"
    r"credentials?|private[_-]?key|access[_-]?key)"
)
_KEY_VALUE = re.compile(
    rf"""(?ix)
    (?P<key>\b{_SECRET_KEY})
    (?P<sep>["']?\s*[:=]\s*)
    (?P<value>"[^"]*"|'[^']*'|["']?[^\s,;&'"}})\]]+)
    """
)
# `Authorization: Bearer abc`: the scheme word is kept, the credential after it is not.
_AUTH_HEADER = re.compile(
    r"""(?i)(?P<key>\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?P<scheme>bearer|basic|token|negotiate)\s+)?(?P<value>[^\s"',;]+)"""
)
_BEARER = re.compile(r"(?i)\b(?P<scheme>bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})")
# scheme://user:password@host and scheme://token@host: the userinfo part of any URL or DSN.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^\s/@?#]+)@")
_VAULT_TOKEN = re.compile(r"\b(?:hv[sbr]\.[A-Za-z0-9_-]{20,}|s\.[A-Za-z0-9]{24})\b")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def _redact_userinfo(match: re.Match[str]) -> str:
    user, colon, _ = match.group("userinfo").partition(":")
    # With a colon the part before it is a user name (safe context); without one the whole
    # userinfo may be a token (https://TOKEN@host), so all of it goes.
    kept = f"{user}:{REDACTED}" if colon else REDACTED
    return f"{match.group('scheme')}{kept}@"


def _redact_key_value(match: re.Match[str]) -> str:
    value = match.group("value")
    opening = value[0] if value[0] in {'"', "'"} else ""
    closing = opening if len(value) > 1 and value.endswith(opening) else ""
    return f"{match.group('key')}{match.group('sep')}{opening}{REDACTED}{closing}"


def _redact_auth_header(match: re.Match[str]) -> str:
    scheme = match.group("scheme")
    return f"{match.group('key')}{scheme + ' ' if scheme else ''}{REDACTED}"


def redact_patterns(text: str) -> str:
    """Remove every secret that can be recognised by its shape alone."""
    text = _URL_USERINFO.sub(_redact_userinfo, text)
    text = _AUTH_HEADER.sub(_redact_auth_header, text)
    text = _BEARER.sub(lambda m: f"{m.group('scheme')} {REDACTED}", text)
    text = _KEY_VALUE.sub(_redact_key_value, text)
    text = _VAULT_TOKEN.sub(REDACTED, text)
    return _JWT.sub(REDACTED, text)


def _covered_spans(text: str, needles: frozenset[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for needle in needles:
        start = text.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = text.find(needle, start + 1)
    return spans


def redact_values(text: str, values: frozenset[str]) -> str:
    """Replace every character covered by an occurrence of any value.

    Occurrences may overlap (two secrets sharing characters): covering their union rather than
    replacing one after another never leaves a tail of the second secret behind.
    """
    spans = sorted(_covered_spans(text, values))
    if not spans:
        return text
    pieces: list[str] = []
    cursor = 0
    run_start, run_end = spans[0]
    for start, end in spans[1:]:
        if start <= run_end:
            run_end = max(run_end, end)
            continue
        pieces += [text[cursor:run_start], REDACTED]
        cursor = run_end
        run_start, run_end = start, end
    pieces += [text[cursor:run_start], REDACTED, text[run_end:]]
    return "".join(pieces)


class Sanitizer:
    """Removes registered secret values and recognisable secret shapes from text."""

    def __init__(self) -> None:
        self._values: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def register_secret(self, value: str) -> None:
        """Redact `value` from now on, also in its URL-encoded form (as it appears inside DSNs)."""
        if not value:
            return
        with self._lock:
            self._values = self._values | {value, quote(value, safe="")}

    def sanitize(self, text: str) -> str:
        return redact_patterns(redact_values(text, self._values))


# Secrets read anywhere in the process must be hidden at every exit, so there is one registry.
PROCESS_SANITIZER = Sanitizer()


def register_secret(value: str) -> None:
    PROCESS_SANITIZER.register_secret(value)


def sanitize(text: str) -> str:
    return PROCESS_SANITIZER.sanitize(text)
