"""Random values for `generate` keys, drawn with `secrets`; each is registered for redaction at once."""

from __future__ import annotations

import secrets
import string
from types import MappingProxyType

from onex_operator.errors import register_secret
from onex_operator.models.enum_generated_charset import EnumGeneratedCharset
from onex_operator.models.model_generated_value import ModelGeneratedValue

# ascii-printable: the 94 visible ASCII characters (no space, no control characters)
CHARSETS = MappingProxyType(
    {
        EnumGeneratedCharset.ALPHANUMERIC: string.ascii_letters + string.digits,
        EnumGeneratedCharset.ASCII_PRINTABLE: "".join(chr(code) for code in range(0x21, 0x7F)),
        EnumGeneratedCharset.HEX: "0123456789abcdef",
    }
)


def generate_value(spec: ModelGeneratedValue) -> str:
    alphabet = CHARSETS[spec.charset]
    # one read of the system's randomness per value (secrets.choice makes one per character, a
    # system call each); bytes at or above the largest multiple of the alphabet's size are
    # rejected, so every character stays equally likely
    limit = 256 - 256 % len(alphabet)
    characters: list[str] = []
    while len(characters) < spec.length:
        characters += [
            alphabet[byte % len(alphabet)] for byte in secrets.token_bytes(spec.length * 2) if byte < limit
        ]
    value = "".join(characters[: spec.length])
    register_secret(value)
    return value
