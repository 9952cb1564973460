"""The one sanitizer every exit uses: status, Events, logs, metrics labels and exception messages.

Two layers: values registered at run time (everything read from a Secret or from Vault, and every
generated value) are removed, and well-known secret shapes (credentialed DSNs, `password=...`,
authorization headers, Vault tokens, JWTs) are removed even when nobody registered them.

Where a registered value is removed depends on its length. A value of `ANYWHERE_MIN_LENGTH`
characters or more is removed wherever it occurs, even inside a longer word: random strings that
long do not occur by chance. A shorter value ("1", "b", "true") is removed where it stands as a
token, that is where it does not continue a word on either side: `x=1`, `"b"`, `user:b@host`,
`port 1` lose it, while `10`, `db` and `v1alpha1` keep their letters. Removing a short value inside
words would turn every message into noise without protecting anything: "b" inside "db" tells
nobody that a secret is "b".

The key:value rule removes the value after a key that names a credential (`password`,
`client_secret`, `X-Vault-Token`, `apiKey`, ...). A key made of an operation verb and a credential
word (`write_secret`, `read_namespaced_secret`, `generate_credentials`) names an operation, not a
credential, so the word after it is kept.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

REDACTED = "***"

# Long registered values are found through an index of `_WINDOW`-character windows taken at
# `_STRIDE` offsets: any occurrence of a value at least `_WINDOW + _STRIDE - 1` characters long covers
# a window that starts at a multiple of `_STRIDE` in the text, so one lookup per `_STRIDE` characters
# of text finds every candidate, however many values are registered.
_WINDOW = 4
_STRIDE = 5
# Registered values at least this long are removed anywhere; shorter ones only as whole tokens.
ANYWHERE_MIN_LENGTH = _WINDOW + _STRIDE - 1
# Sanitizing is repeated until the text no longer changes (a removal can make a neighbouring
# value stand as a token); a text that has not settled after this many passes is withheld whole.
_MAX_PASSES = 4

# A key that ends with a credential word, in `key=value`, `key: value`, `"key": "value"` and libpq
# forms, loses its value: `client_secret=...`, `X-Vault-Token: ...` and `PGPASSWORD=...` lose it,
# while `passwordSecretRef: db-creds` (a reference, not a secret) keeps it. The key is the whole
# run of name characters before the separator; `_names_credential` rejects operation names.
_KEY_VALUE = re.compile(
    r"""(?x)
    (?P<key>(?<![\w.-])[\w.-]+)
    (?P<sep>["']?\s*[:=]\s*)
    (?P<value>"[^"]*"|'[^']*'|["']?[^\s,;&'"})\]]+)
    """
)
_CREDENTIAL_WORD = re.compile(
    r"(?i)(?:password|passwd|pwd|secret|secret[_-]?id|token|api[_-]?key|apikey|"
    r"credentials?|private[_-]?key|access[_-]?key)\Z"
)
# Verbs that make a key an operation name (`write_secret`, `readSecret`, `sync_target_secret`).
# Nouns that qualify a credential (`client`, `access`, `refresh`, `session`, `root`) are not here.
_OPERATION_VERBS = frozenset(
    {
        "apply",
        "check",
        "create",
        "decode",
        "delete",
        "encode",
        "ensure",
        "fetch",
        "find",
        "forget",
        "generate",
        "get",
        "list",
        "load",
        "lookup",
        "patch",
        "plan",
        "put",
        "read",
        "register",
        "remove",
        "renew",
        "replace",
        "resolve",
        "reveal",
        "revoke",
        "rotate",
        "save",
        "store",
        "sync",
        "unregister",
        "update",
        "validate",
        "verify",
        "watch",
        "write",
    }
)
_KEY_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# `Authorization: Bearer abc`: the scheme word is kept, the credential after it is not.
_AUTH_HEADER = re.compile(
    r"""(?i)(?P<key>\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?P<scheme>bearer|basic|token|negotiate)\s+)?(?P<value>[^\s"',;]+)"""
)
_BEARER = re.compile(r"(?i)\b(?P<scheme>bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})")
# scheme://user:password@host and scheme://token@host: the userinfo part of any URL or DSN.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^\s/@?#]+)@")
_VAULT_TOKEN = re.compile(r"\b(?:hv[sbr]\.[A-Za-z0-9_-]{20,}|s\.[A-Za-z0-9]{24})\b")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def _names_credential(key: str) -> bool:
    """True when a key ends with a credential word and names a credential, not an operation."""
    if _CREDENTIAL_WORD.search(key) is None:
        return False
    parts = [part.lower() for part in _KEY_PARTS.findall(key)]
    return not any(part in _OPERATION_VERBS for part in parts[:-1])


def _redact_userinfo(match: re.Match[str]) -> str:
    user, colon, _ = match.group("userinfo").partition(":")
    # With a colon the part before it is a user name (safe context); without one the whole
    # userinfo may be a token (https://TOKEN@host), so all of it goes.
    kept = f"{user}:{REDACTED}" if colon else REDACTED
    return f"{match.group('scheme')}{kept}@"


def _redact_key_values(text: str) -> str:
    if ":" not in text and "=" not in text:
        return text
    pieces: list[str] = []
    kept_up_to = 0
    search_from = 0
    while (match := _KEY_VALUE.search(text, search_from)) is not None:
        if not _names_credential(match.group("key")):
            # Not a credential (or an operation name): keep the value, and look inside it.
            search_from = match.end("key")
            continue
        value = match.group("value")
        opening = value[0] if value[0] in {'"', "'"} else ""
        closing = opening if len(value) > 1 and value.endswith(opening) else ""
        pieces += [text[kept_up_to : match.start()], match.group("key"), match.group("sep")]
        pieces += [opening, REDACTED, closing]
        kept_up_to = search_from = match.end()
    pieces.append(text[kept_up_to:])
    return "".join(pieces)


def _redact_auth_header(match: re.Match[str]) -> str:
    scheme = match.group("scheme")
    return f"{match.group('key')}{scheme + ' ' if scheme else ''}{REDACTED}"


def redact_patterns(text: str) -> str:
    """Remove every secret that can be recognised by its shape alone."""
    text = _URL_USERINFO.sub(_redact_userinfo, text)
    text = _AUTH_HEADER.sub(_redact_auth_header, text)
    text = _BEARER.sub(lambda m: f"{m.group('scheme')} {REDACTED}", text)
    text = _redact_key_values(text)
    text = _VAULT_TOKEN.sub(REDACTED, text)
    return _JWT.sub(REDACTED, text)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def stands_as_token(text: str, start: int, end: int) -> bool:
    """True when text[start:end] continues no word: neither edge splits a run of word characters."""
    splits_left = start > 0 and _is_word(text[start - 1]) and _is_word(text[start])
    splits_right = end < len(text) and _is_word(text[end - 1]) and _is_word(text[end])
    return not (splits_left or splits_right)


def _occurrences(text: str, value: str) -> list[int]:
    starts: list[int] = []
    start = text.find(value)
    while start != -1:
        starts.append(start)
        start = text.find(value, start + 1)
    return starts


_WORD_RUN = re.compile(r"\w+")


class _Registry:
    """Registered values, indexed so that a lookup costs the length of the text, not their number.

    A long value is indexed under its windows at offsets 0.._STRIDE-1. A short value made of word
    characters can only stand as a token as a whole run of word characters, so the text's runs are
    looked up in a set; the few short values with other characters are searched one by one.
    """

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.by_window: dict[str, list[tuple[str, int]]] = {}
        self.short_words: set[str] = set()
        self.short_others: set[str] = set()

    def add(self, value: str) -> None:
        if value in self.values:
            return
        self.values.add(value)
        if len(value) >= ANYWHERE_MIN_LENGTH:
            for offset in range(_STRIDE):
                window = value[offset : offset + _WINDOW]
                self.by_window.setdefault(window, []).append((value, offset))
        elif _WORD_RUN.fullmatch(value):
            self.short_words.add(value)
        else:
            self.short_others.add(value)

    def spans(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        if self.by_window:
            for position in range(0, len(text) - _WINDOW + 1, _STRIDE):
                for value, offset in self.by_window.get(text[position : position + _WINDOW], ()):
                    start = position - offset
                    if start >= 0 and text.startswith(value, start):
                        spans.append((start, start + len(value)))
        if self.short_words:
            for value in self.short_words.intersection(_WORD_RUN.findall(text)):
                spans += [
                    (start, start + len(value))
                    for start in _occurrences(text, value)
                    if stands_as_token(text, start, start + len(value))
                ]
        for value in self.short_others:
            spans += [
                (start, start + len(value))
                for start in _occurrences(text, value)
                if stands_as_token(text, start, start + len(value))
            ]
        return spans


def _cover(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace the union of the spans: overlapping occurrences of two secrets leave no tail."""
    if not spans:
        return text
    spans.sort()
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
        self._registry = _Registry()
        self._lock = threading.Lock()

    def register_secret(self, value: str) -> None:
        """Redact `value` from now on, also in its URL-encoded form (as it appears inside DSNs)."""
        if not value:
            return
        with self._lock:
            self._registry.add(value)
            self._registry.add(quote(value, safe=""))

    def redact_values(self, text: str) -> str:
        """Remove registered values: long ones anywhere, short ones where they stand as a token."""
        with self._lock:
            spans = self._registry.spans(text)
        return _cover(text, spans)

    def sanitize(self, text: str) -> str:
        # A removal changes what stands next to the text around it (`ab` + a removed long value
        # that followed it now stands as a token), so repeat until nothing more is removed.
        for _ in range(_MAX_PASSES):
            cleaned = redact_patterns(self.redact_values(text))
            if cleaned == text:
                return cleaned
            text = cleaned
        return REDACTED


# Secrets read anywhere in the process must be hidden at every exit, so there is one registry.
PROCESS_SANITIZER = Sanitizer()


def register_secret(value: str) -> None:
    PROCESS_SANITIZER.register_secret(value)


def sanitize(text: str) -> str:
    return PROCESS_SANITIZER.sanitize(text)
