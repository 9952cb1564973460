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


# Regression: a short registered value ("1", "b") was removed inside every word and number.
def test_a_short_registered_value_is_kept_inside_words_and_numbers() -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret("1")
    sanitizer.register_secret("b")
    text = "db orders-db at 10.0.0.12:5432 v1alpha1 generation 21 kb"
    assert sanitizer.sanitize(text) == text


def test_a_short_registered_value_is_removed_where_it_stands_as_a_token() -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret("1")
    sanitizer.register_secret("b")
    cleaned = sanitizer.sanitize('value 1; key=b "b" user:b@db (1) b')
    assert (
        cleaned == f'value {REDACTED}; key={REDACTED} "{REDACTED}" user:{REDACTED}@db ({REDACTED}) {REDACTED}'
    )


@pytest.mark.parametrize("form", FORMS)
def test_a_short_value_is_removed_from_every_claimed_form(form: str) -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret("q7")
    cleaned = sanitizer.sanitize(form.replace(SECRET, "q7"))
    assert "q7" not in cleaned


def test_a_long_registered_value_is_removed_inside_a_word() -> None:
    sanitizer = Sanitizer()
    sanitizer.register_secret("Zq81vLk0")
    assert sanitizer.sanitize("prefixZq81vLk0suffix") == f"prefix{REDACTED}suffix"


def test_a_short_value_left_standing_by_a_removal_is_removed_too() -> None:
    # "ab" continues the word "abcdefghijkl" until the long value after it is removed.
    sanitizer = Sanitizer()
    sanitizer.register_secret("ab")
    sanitizer.register_secret("cdefghijkl")
    assert sanitizer.sanitize("x abcdefghijkl y") == f"x {REDACTED}{REDACTED} y"


# Regression: the word after an operation name ending in secret or token was taken for a value.
@pytest.mark.parametrize(
    "text",
    [
        "write_secret: the path is outside the prefix",
        "read_secret: the secret does not exist",
        "delete_secret= the metadata",
        "read_namespaced_secret: not found",
        "generate_credentials: done",
        "renew_token: lease expired",
        "readSecret: forbidden",
        "vault write_secret: permission denied on secret/data/app",
    ],
)
def test_operation_names_keep_the_word_after_them(text: str) -> None:
    assert Sanitizer().sanitize(text) == text


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "token",
        "secret",
        "apiKey",
        "clientSecret",
        "refresh_token",
        "session-token",
        "x-auth-token",
    ],
)
def test_whole_credential_keys_lose_their_value(key: str) -> None:
    assert Sanitizer().sanitize(f"{key}: {SECRET} done") == f"{key}: {REDACTED} done"


def test_a_credential_inside_the_value_of_an_operation_name_is_still_removed() -> None:
    cleaned = Sanitizer().sanitize(f"write_secret: password={SECRET}")
    assert cleaned == f"write_secret: password={REDACTED}"


def test_many_registered_values_are_all_removed() -> None:
    sanitizer = Sanitizer()
    values = [f"generated-{index:05d}-value" for index in range(5000)]
    for value in values:
        sanitizer.register_secret(value)
    text = " ".join(values[::997])
    assert sanitizer.sanitize(text) == " ".join([REDACTED] * len(values[::997]))
