from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from onex_operator.errors import Sanitizer
from onex_operator.errors.sanitizer import REDACTED

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
    assert secret not in Sanitizer().sanitize(f"Authorization: {scheme} {secret}")


@given(
    service=safe_words,
    operation=st.sampled_from(["create_topics", "register_service", "write_secret", "apply_migration"]),
    port=ports,
    correlation_id=st.uuids(version=4),
)
def test_safe_context_is_never_touched(service: str, operation: str, port: int, correlation_id: UUID) -> None:
    text = f"{operation} failed for {service} at {service}.svc:{port} correlation_id={correlation_id}"
    assert Sanitizer().sanitize(text) == text


@given(text=prose, secret=secrets)
def test_sanitizing_twice_changes_nothing_more(text: str, secret: str) -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret(secret)
    once = sanitizer.sanitize(f"{text} password={secret} {text}")
    assert sanitizer.sanitize(once) == once


@given(secret=secrets, text=prose)
def test_unregistered_text_without_secret_shapes_is_unchanged(secret: str, text: str) -> None:
    assume(secret not in text)
    sanitizer = Sanitizer()
    sanitizer.register_secret(secret)
    plain = "".join(ch for ch in text if ch.isalnum() or ch == " ")
    assume(quote(secret, safe="") not in plain)
    assert sanitizer.sanitize(plain) == plain
