"""Generated values: the charset and length asked for, unpredictable, registered for redaction."""

from __future__ import annotations

import string

import pytest

from onex_operator.errors import sanitize
from onex_operator.models.enum_generated_charset import EnumGeneratedCharset
from onex_operator.models.model_generated_value import ModelGeneratedValue
from onex_operator.nodes.vault_adapter.generate import CHARSETS, generate_value

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("charset", list(EnumGeneratedCharset))
@pytest.mark.parametrize("length", [8, 32, 256])
def test_length_and_alphabet(charset: EnumGeneratedCharset, length: int) -> None:
    value = generate_value(ModelGeneratedValue(length=length, charset=charset))
    assert len(value) == length
    assert set(value) <= set(CHARSETS[charset])


def test_alphabets() -> None:
    assert set(CHARSETS[EnumGeneratedCharset.HEX]) == set("0123456789abcdef")
    assert set(CHARSETS[EnumGeneratedCharset.ALPHANUMERIC]) == set(string.ascii_letters + string.digits)
    printable = CHARSETS[EnumGeneratedCharset.ASCII_PRINTABLE]
    assert len(printable) == 94
    assert not any(character.isspace() for character in printable)


def test_values_differ_and_are_registered() -> None:
    values = {generate_value(ModelGeneratedValue(length=32)) for _ in range(50)}
    assert len(values) == 50
    for value in values:
        assert value not in sanitize(f"the password is {value} here")


@pytest.mark.parametrize("charset", list(EnumGeneratedCharset))
def test_every_character_is_equally_likely(charset: EnumGeneratedCharset) -> None:
    """No modulo bias: over many draws each character's share is near 1/len(alphabet)."""
    alphabet = CHARSETS[charset]
    draws = "".join(generate_value(ModelGeneratedValue(length=256, charset=charset)) for _ in range(400))
    expected = len(draws) / len(alphabet)
    counts = [draws.count(character) for character in alphabet]
    # a biased draw (byte % 62 without rejection) gives the first 8 characters 25% more
    assert max(counts) < expected * 1.15 and min(counts) > expected * 0.85, (
        min(counts),
        max(counts),
        expected,
    )
