"""SM3 (GB/T 32905-2016) digests for content hashes and the audit chain, without Django.

`cryptography` exposes SM3 when its OpenSSL build has it (the wheels on PyPI do); everything that
needs a digest for integrity goes through here, so there is one place that says which algorithm.
"""

from __future__ import annotations

import hmac as _hmac
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _chmac

ALGORITHM = "SM3"


def sm3(data: bytes) -> str:
    """The SM3 digest of `data`, 64 lowercase hex digits."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def sm3_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashes.Hash(hashes.SM3())
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.finalize().hex()


def hmac_sm3(key: bytes, data: bytes) -> str:
    """HMAC-SM3: a digest only the key holder can make (the audit chain's seal)."""
    h = _chmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return _hmac.compare_digest(a.lower(), b.lower())


def canonical_json(value) -> bytes:
    """The serialisation that is hashed: sorted keys, no spaces, UTF-8 (the web's content hash too)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def is_hex_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text)
