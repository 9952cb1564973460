"""A keyed hash of a secret's managed data, for status: detects drift without storing a value.

HMAC-SHA256 over a canonical encoding: keys sorted, every key and value UTF-8 encoded and prefixed
by its length, so no two different maps encode alike (`{"a": "bc"}` vs `{"ab": "c"}`). The key is
the operator's own; without it the hash says nothing about the values.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

HASH_PREFIX = "hmac-sha256:"
_DIGEST_HEX_CHARS = 32  # 128 bits: ample for telling two contents apart
_ENCODING_VERSION = b"onex-vault-data/v1\n"


def canonical_encoding(data: Mapping[str, str]) -> bytes:
    parts = [_ENCODING_VERSION, len(data).to_bytes(8, "big")]
    for key in sorted(data):
        for item in (key, data[key]):
            encoded = item.encode()
            parts += [len(encoded).to_bytes(8, "big"), encoded]
    return b"".join(parts)


def data_hash(key: bytes, data: Mapping[str, str]) -> str:
    if not key:
        raise ValueError("the hash key must not be empty")
    digest = hmac.new(key, canonical_encoding(data), hashlib.sha256).hexdigest()
    return f"{HASH_PREFIX}{digest[:_DIGEST_HEX_CHARS]}"
