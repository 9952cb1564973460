from __future__ import annotations

from uuid import uuid4

import pytest

from onex_operator.errors import Sanitizer
from onex_operator.errors.sanitizer import REDACTED

pytestmark = pytest.mark.unit

SECRET = "Sup3r-S3cret-Value"

# Every secret form the sanitizer claims to remove, each holding SECRET.
FORMS = [
    f"postgresql://app:{SECRET}@db.example:5432/orders",
    f"redis://:{SECRET}@cache:6379/0",
    f"https://{SECRET}@git.example/repo.git",
    f"host=db port=5432 user=app password={SECRET} dbname=orders",
    f"password='{SECRET}'",
    f'{{"password": "{SECRET}"}}',
    f"PGPASSWORD={SECRET}",
    f"sasl.password={SECRET}",
    f'org.apache.kafka.common.security.plain.PlainLoginModule required username="app" password="{SECRET}";',
    f"client_secret={SECRET}&grant_type=client_credentials",
    f"Authorization: Bearer {SECRET}",
    f"authorization=Basic {SECRET}",
    f"X-Vault-Token: {SECRET}",
    f"X-Consul-Token: {SECRET}",
    f"api_key: {SECRET}",
    f"secret_id={SECRET}",
    f"access_token={SECRET}",
]


@pytest.mark.parametrize("text", FORMS)
def test_every_claimed_form_loses_its_secret(text: str) -> None:
    cleaned = Sanitizer().sanitize(f"operation failed: {text} (retrying)")
    assert SECRET not in cleaned
    assert REDACTED in cleaned
    assert cleaned.startswith("operation failed: ")
    assert cleaned.endswith(" (retrying)")


@pytest.mark.parametrize(
    "token",
    [
        "hvs.CAESIJ1Tx8kXGq0uVQkBbzWJmvWxXrWm2xqf0M3ZB2lJd2MK",
        "s.Zr8fXUw2hKQ4dTpN7vLm3JbA",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcGVyYXRvciJ9.c2lnbmF0dXJlLXZhbHVl",
    ],
)
def test_vault_tokens_and_jwts_are_recognised_by_shape(token: str) -> None:
    assert token not in Sanitizer().sanitize(f"login returned {token} for role app")


def test_registered_values_are_removed_anywhere() -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret("plain-value-from-a-secret")
    cleaned = sanitizer.sanitize("value plain-value-from-a-secret in the middle of prose")
    assert cleaned == f"value {REDACTED} in the middle of prose"


def test_registered_values_are_removed_url_encoded() -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret("p@ss/word")
    assert "p%40ss%2Fword" not in sanitizer.sanitize("dsn postgresql://app:p%40ss%2Fword@db/orders")


def test_overlapping_registered_values_leave_no_tail() -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret("abcd1234")
    sanitizer.register_secret("1234wxyz")
    assert sanitizer.sanitize("xx abcd1234wxyz yy") == f"xx {REDACTED} yy"


def test_empty_values_are_not_registered() -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret("")
    assert sanitizer.sanitize("nothing to hide") == "nothing to hide"


def test_safe_context_is_left_intact() -> None:
    correlation_id = str(uuid4())
    text = (
        f"InfraConnectionError: create_topics on topic orders via kafka-0.kafka:9092 failed "
        f"[transport=kafka operation=create_topics target=orders correlation_id={correlation_id}] "
        "consul service payments port 8080; vault path secret/data/app; "
        "passwordSecretRef: db-credentials; tokenSecretRef=consul-token; "
        "postgresql://db.example:5432/orders; user=app dbname=orders"
    )
    assert Sanitizer().sanitize(text) == text


def test_user_names_in_dsns_are_kept() -> None:
    cleaned = Sanitizer().sanitize("postgresql://app:secretpw@db:5432/orders")
    assert cleaned == f"postgresql://app:{REDACTED}@db:5432/orders"
