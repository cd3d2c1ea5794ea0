"""The text of a .csv file as the systems units and bureaus use export it: UTF-8 (with or without
the byte order mark Excel writes) or GB18030 (Excel and the 一体化 system on Chinese Windows).

One decoder for every .csv the project reads (the 一体化 execution figures, the approved targets, a
task's unit list), so each accepts the same files and refuses the others with the same words.
"""

from __future__ import annotations

ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 first: a UTF-8 text is rarely also valid GB18030 by chance
UNKNOWN_ENCODING = "无法识别 .csv 文件的编码（请用 UTF-8 或 GB18030）"


class CsvEncodingError(ValueError):
    """A .csv in none of the encodings; its message is the Chinese one the user sees."""

    def __init__(self, message: str = UNKNOWN_ENCODING):
        super().__init__(message)
        self.message = message


def decode_csv(data: bytes) -> str:
    """The file's text (a UTF-8 byte order mark dropped); CsvEncodingError when no encoding reads it."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvEncodingError()
