from __future__ import annotations

import re
from urllib.parse import quote
from uuid import UUID

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from onex_operator.errors import Sanitizer
from onex_operator.errors.sanitizer import ANYWHERE_MIN_LENGTH, REDACTED

pytestmark = pytest.mark.unit

# Secrets as people make them: letters, digits and punctuation, long enough to matter.
secrets = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="*"),
    min_size=8,
    max_size=40,
)
# Secrets that can stand unquoted in `key=value` text and in a DSN once URL-encoded.
bare_secrets = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="*'\"{}()[],;&=:@/?#%\\"),
    min_size=8,
    max_size=40,
)
# Values of any length, down to one character: "1", "b", "p@", "hunter2".
any_secrets = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="*"),
    min_size=1,
    max_size=40,
)
short_words = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=ANYWHERE_MIN_LENGTH - 1
)
# Characters that end a token: whatever stands between them and a value, the value stands alone.
delimiters = st.sampled_from([" ", "=", ": ", '"', "'", "@", "/", "(", ")", ",", ";", "\n", "\t", "-", "."])
prose = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
safe_words = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
ports = st.integers(min_value=1, max_value=65535)

KEYS = [
    "password",
    "PGPASSWORD",
    "sasl.password",
    "client_secret",
    "X-Vault-Token",
    "api_key",
    "access_token",
    "apiKey",
    "clientSecret",
    "refresh_token",
    "secret",
    "token",
]
SEPARATORS = ["=", ": ", " = ", '": "']


@given(secret=secrets, before=prose, after=prose)
def test_a_registered_secret_never_survives(secret: str, before: str, after: str) -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret(secret)
    assert secret not in sanitizer.sanitize(f"{before}{secret}{after}{secret}")


@given(first=secrets, second=secrets, text=prose)
def test_two_registered_secrets_never_survive_in_any_arrangement(first: str, second: str, text: str) -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret(first)
    sanitizer.register_secret(second)
    cleaned = sanitizer.sanitize(f"{first}{second}{text}{second[:3]}{first}")
    assert first not in cleaned
    assert second not in cleaned


@given(
    secret=bare_secrets,
    user=safe_words,
    host=safe_words,
    port=ports,
    scheme=st.sampled_from(["postgresql", "postgres", "redis", "amqp", "mongodb", "http", "https", "kafka"]),
)
def test_credentialed_dsns_lose_the_password_but_keep_user_host_and_port(
    secret: str, user: str, host: str, port: int, scheme: str
) -> None:
    dsn = f"{scheme}://{user}:{quote(secret, safe='')}@{host}:{port}/db"
    cleaned = Sanitizer().sanitize(f"connect to {dsn} failed")
    assert quote(secret, safe="") not in cleaned
    assert cleaned == f"connect to {scheme}://{user}:{REDACTED}@{host}:{port}/db failed"


@given(secret=bare_secrets, key=st.sampled_from(KEYS), sep=st.sampled_from(SEPARATORS), before=safe_words)
def test_secret_keys_lose_their_values(secret: str, key: str, sep: str, before: str) -> None:
    cleaned = Sanitizer().sanitize(f"{before} {key}{sep}{secret} done")
    assert secret not in cleaned
    assert cleaned.startswith(f"{before} {key}")
    assert cleaned.endswith(" done")


@given(secret=bare_secrets, scheme=st.sampled_from(["Bearer", "Basic", "bearer"]))
def test_authorization_credentials_are_removed(secret: str, scheme: str) -> None:
    prefix = f"Authorization: {scheme} "
    assume(secret not in prefix)  # a "secret" such as "Authoriz" is part of the header's own name
    cleaned = Sanitizer().sanitize(f"{prefix}{secret}")
    assert cleaned == f"{prefix}{REDACTED}"


@given(
    service=safe_words,
    operation=st.sampled_from(["create_topics", "register_service", "write_secret", "apply_migration"]),
    port=ports,
    correlation_id=st.uuids(version=4),
)
def test_safe_context_is_never_touched(service: str, operation: str, port: int, correlation_id: UUID) -> None:
    text = f"{operation} failed for {service} at {service}.svc:{port} correlation_id={correlation_id}"
    assert Sanitizer().sanitize(text) == text


@given(text=prose, secret=any_secrets)
def test_sanitizing_twice_changes_nothing_more(text: str, secret: str) -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret(secret)
    once = sanitizer.sanitize(f"{text} password={secret} {text} {secret} {text}{secret}")
    assert sanitizer.sanitize(once) == once


@given(secret=secrets, text=prose)
def test_unregistered_text_without_secret_shapes_is_unchanged(secret: str, text: str) -> None:
    assume(secret not in text)
    sanitizer = Sanitizer()
    sanitizer.register_secret(secret)
    plain = "".join(ch for ch in text if ch.isalnum() or ch == " ")
    assume(quote(secret, safe="") not in plain)
    assert sanitizer.sanitize(plain) == plain


def _is_word(char: str) -> bool:
    return re.fullmatch(r"\w", char) is not None


def token_occurrences(text: str, value: str) -> list[int]:
    """Every start where `value` occurs and splits no run of word characters (the test's oracle)."""
    found = []
    for start in range(len(text) - len(value) + 1):
        end = start + len(value)
        if text[start:end] != value:
            continue
        left_split = start > 0 and _is_word(text[start - 1]) and _is_word(text[start])
        right_split = end < len(text) and _is_word(text[end - 1]) and _is_word(text[end])
        if not (left_split or right_split):
            found.append(start)
    return found


@given(secret=any_secrets, before=prose, after=prose, left=delimiters, right=delimiters)
def test_a_registered_value_of_any_length_never_survives_as_a_token(
    secret: str, before: str, after: str, left: str, right: str
) -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret(secret)
    text = f"{before}{left}{secret}{right}{after}{left}{secret}"
    assert token_occurrences(text, secret), "the generated text holds the value as a token"
    cleaned = sanitizer.sanitize(text)
    assert token_occurrences(cleaned, secret) == []
    assert token_occurrences(cleaned, quote(secret, safe="")) == []
    if len(secret) >= ANYWHERE_MIN_LENGTH:
        assert secret not in cleaned


@given(first=any_secrets, second=any_secrets, text=prose, left=delimiters)
def test_two_registered_values_of_any_length_never_survive_as_tokens(
    first: str, second: str, text: str, left: str
) -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret(first)
    sanitizer.register_secret(second)
    cleaned = sanitizer.sanitize(f"{first}{left}{second}{text}{second}{first}{left}{first}")
    assert token_occurrences(cleaned, first) == []
    assert token_occurrences(cleaned, second) == []


@given(secret=short_words, prefix=short_words, suffix=short_words, words=st.lists(safe_words, max_size=5))
def test_a_short_value_inside_a_word_is_kept(secret: str, prefix: str, suffix: str, words: list[str]) -> None:
    assume(token_occurrences(" ".join(words), secret) == [])
    sanitizer = Sanitizer()
    sanitizer.register_secret(secret)
    text = " ".join([f"{prefix}{secret}{suffix}", f"{prefix}{secret}", f"{secret}{suffix}", *words])
    assert sanitizer.sanitize(text) == text


@given(
    verb=st.sampled_from(
        ["write", "read", "delete", "read_namespaced", "sync_target", "rotate", "get", "renew"]
    ),
    noun=st.sampled_from(["secret", "token", "password", "credentials", "Secret", "Token"]),
    sep=st.sampled_from(["_", "-", "."]),
    sep_value=st.sampled_from([": ", "=", " = "]),
    word=safe_words,
)
def test_the_word_after_an_operation_name_is_kept(
    verb: str, noun: str, sep: str, sep_value: str, word: str
) -> None:
    text = f"vault {verb}{sep}{noun}{sep_value}{word} failed"
    assert Sanitizer().sanitize(text) == text
