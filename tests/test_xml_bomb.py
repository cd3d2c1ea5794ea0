"""XML bombs in .docx/.xlsx (issue 12): entity expansion ("billion laughs"), external entities,
deep nesting and huge parts are refused with a Chinese message before any reader builds a tree."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from jixiao.io import guards
from jixiao.io.canonical import PackageError
from jixiao.io.readers import read_any

LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
          + b']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;'
          b"</w:t></w:r></w:p></w:body></w:document>")
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>')


def _docx(tmp: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("部门整体支出绩效自评报告")
    p = tmp / "real.docx"
    d.save(str(p))
    return p


def _xlsx(tmp: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "预算编码"
    wb.active["A2"] = "301001"
    p = tmp / "real.xlsx"
    wb.save(str(p))
    return p


def _replace(src: Path, member: str, data: bytes, out: Path) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for m in zin.infolist():
            zout.writestr(m.filename, data if m.filename == member else zin.read(m.filename))
        if member not in zin.namelist():
            zout.writestr(member, data)
    return out


def _refusal(path: Path) -> str:
    with pytest.raises(PackageError) as exc:
        read_any(path)
    return "；".join(exc.value.problems)


def test_real_files_pass(tmp_path):
    assert guards.check_zip(_docx(tmp_path), required=("word/document.xml",))
    assert guards.check_zip(_xlsx(tmp_path), required=("xl/workbook.xml",))


def test_billion_laughs_in_a_docx_is_refused(tmp_path):
    bomb = _replace(_docx(tmp_path), "word/document.xml", LAUGHS, tmp_path / "laughs.docx")
    text = _refusal(bomb)
    assert "word/document.xml" in text and "文档类型定义（DTD）" in text and "XML 炸弹" in text


def test_an_external_entity_in_a_workbook_is_refused(tmp_path):
    bomb = _replace(_xlsx(tmp_path), "xl/sharedStrings.xml", EXTERNAL, tmp_path / "xxe.xlsx")
    text = _refusal(bomb)
    assert "xl/sharedStrings.xml" in text and "XML 炸弹" in text


def test_an_entity_hidden_in_a_relationship_part_is_refused(tmp_path):
    rels = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><Relationships xmlns="x"/>'
    bomb = _replace(_docx(tmp_path), "_rels/.rels", rels, tmp_path / "rels.docx")
    assert "_rels/.rels" in _refusal(bomb)


def test_utf16_does_not_hide_a_dtd(tmp_path):
    data = LAUGHS.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>').decode("ascii").encode("utf-16")
    bomb = _replace(_docx(tmp_path), "word/document.xml", data, tmp_path / "utf16.docx")
    assert "文档类型定义" in _refusal(bomb)


def test_deep_nesting_is_refused(tmp_path):
    depth = 2000
    xml = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + b"<w:p>" * depth + b"</w:p>" * depth + b"</w:body></w:document>")
    bomb = _replace(_docx(tmp_path), "word/document.xml", xml, tmp_path / "deep.docx")
    assert f"嵌套超过 {guards.MAX_XML_DEPTH} 层" in _refusal(bomb)


def test_a_huge_xml_part_is_refused(tmp_path, monkeypatch):
    # Varied text (incompressible enough to pass the zip-bomb ratio) in a part over the XML limit;
    # the limit is lowered for the test so that the file stays small.
    import random

    rnd = random.Random(1)
    body = "".join(f"<w:p><w:r><w:t>{rnd.random()}</w:t></w:r></w:p>" for _ in range(4000)).encode()
    xml = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + b"</w:body></w:document>"
    monkeypatch.setattr(guards, "MAX_XML_PART", 64 * 1024)
    bomb = _replace(_docx(tmp_path), "word/document.xml", xml, tmp_path / "huge.docx")
    assert "超过 XML 部件的上限" in _refusal(bomb)


def test_bytes_in_memory_get_the_same_checks(tmp_path):
    bomb = _replace(_xlsx(tmp_path), "xl/sharedStrings.xml", EXTERNAL, tmp_path / "xxe.xlsx")
    with pytest.raises(PackageError) as exc:
        guards.check_zip_bytes(bomb.read_bytes(), "名单.xlsx")
    assert "XML 炸弹" in exc.value.problems[0]
    assert guards.check_zip_bytes(_xlsx(tmp_path).read_bytes(), "名单.xlsx")


def test_openpyxl_parses_through_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML  # a second line: openpyxl itself refuses entities when defusedxml is installed


def test_a_malformed_part_is_left_to_the_reader(tmp_path):
    broken = _replace(_docx(tmp_path), "word/document.xml", b"<w:document><unclosed>", tmp_path / "broken.docx")
    with pytest.raises(PackageError) as exc:
        read_any(broken)
    assert "XML 炸弹" not in "；".join(exc.value.problems)
