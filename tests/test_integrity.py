"""SM3 as GB/T 32905-2016 defines it (its two worked examples), and the hashed serialisation."""

from jixiao import integrity


def test_sm3_matches_the_standards_examples():
    assert integrity.sm3(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert integrity.sm3(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_file_digest_equals_bytes_digest(tmp_path):
    f = tmp_path / "报告.bin"
    data = bytes(range(256)) * 5000  # more than one read block
    f.write_bytes(data)
    assert integrity.sm3_file(f, chunk=4096) == integrity.sm3(data)


def test_hmac_depends_on_the_key():
    assert integrity.hmac_sm3(b"k1", b"x") != integrity.hmac_sm3(b"k2", b"x")
    assert integrity.hmac_sm3(b"k1", b"x") == integrity.hmac_sm3(b"k1", b"x")


def test_canonical_json_ignores_key_order_and_spacing():
    assert integrity.canonical_json({"b": 1, "a": "财政"}) == integrity.canonical_json({"a": "财政", "b": 1})
    assert integrity.canonical_json({"a": [1, 2]}) == b'{"a":[1,2]}'
