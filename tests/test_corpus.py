"""Published self-evaluations (tests/corpus, manifest.yaml): what a careful reviewer found by hand
is what the audit reports.

For every document: it is read without error, the forms, year and template family are the ones
the reviewer saw; every hand-found error is reported as an error (its rule, and a word of the
message that says which figure); no other error-level finding is raised (the hand review says
nothing else is wrong); hand-found warnings are reported. One of the documents is also read from
a PDF made of it, as units publish them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jixiao.audit.service import audit_path
from jixiao.io.readers import read_any

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))["documents"]
DOCS = {d["id"]: d for d in MANIFEST}


def test_the_corpus_is_broad_enough():
    provinces = {d["province"] for d in MANIFEST} - {"未注明"}
    kinds = {d["kind"] for d in MANIFEST}
    years = {d["year"] for d in MANIFEST if d["year"]}
    assert len(MANIFEST) >= 20 and len(provinces) >= 6 and {"overall", "project"} <= kinds and len(years) >= 5
    assert all(d["url"].startswith("http") and (CORPUS / d["file"]).exists() for d in MANIFEST)
    assert {d["published_as"] for d in MANIFEST} >= {"pdf", "html"}


@pytest.fixture(scope="module")
def audited():
    return {d["id"]: audit_path(CORPUS / d["file"]) for d in MANIFEST}


@pytest.mark.parametrize("doc_id", list(DOCS))
def test_read_as_the_reviewer_saw_it(doc_id):
    doc = DOCS[doc_id]
    pkg = read_any(CORPUS / doc["file"])
    assert pkg.forms_found == doc["forms"]
    if doc["year"] and doc.get("year_in_copy", True):
        assert pkg.year == doc["year"]
    if doc["family"]:
        assert doc["family"] in pkg.families
    assert len(pkg.score_sheets) == doc.get("sheets", 0)


@pytest.mark.parametrize("doc_id", list(DOCS))
def test_findings_match_the_hand_review(audited, doc_id):
    doc, result = DOCS[doc_id], audited[doc_id]
    assert not result.error, result.error
    errors = [f for f in result.findings if f.severity == "error"]
    for expected in doc.get("errors") or []:
        assert any(f.rule == expected["rule"] and expected["says"] in f.message for f in errors), \
            f"hand-found error not reported: {expected}"
    for f in errors:
        assert any(f.rule == e["rule"] and e["says"] in f.message for e in doc.get("errors") or []), \
            f"error the hand review disproves: {f.rule}: {f.message}"
    for expected in doc.get("warnings") or []:
        assert any(f.severity == "warning" and f.rule == expected["rule"] and expected["says"] in f.message
                   for f in result.findings), f"hand-found warning not reported: {expected}"


def test_a_total_row_its_parts_contradict_gets_no_low_execution_warning(audited):
    """棠溪镇: 年度资金总额 0/0/0 over 本年财政拨款 90/89.974/89.974 — the row is wrong (reported), and the
    stated 执行率 0 of that row is not taken for low execution."""
    rules = {f.rule for f in audited["anhui-chizhou-tangxi-2022"].findings}
    assert "funds.identity" in rules and "reason.execution_below_threshold" not in rules


def test_the_audit_header_shows_the_documents_own_title(audited):
    assert audited["hunan-yueyangxian-ronghuanhu-2016"].title == "岳阳县2016年度部门(单位)整体支出绩效评价自评报告"
    assert audited["sichuan-qingshen-fgj-2023"].title == "部门预算项目支出绩效自评表(2023年度)"


def test_partial_packages_get_at_most_one_completeness_finding(audited):
    for doc_id, result in audited.items():
        missing = [f for f in result.findings if f.rule == "forms.missing"]
        assert len(missing) <= 1, doc_id
        if DOCS[doc_id]["family"] in ("", "sichuan-project", "national-project-2020", "overall-indicator-sheet"):
            assert not missing, doc_id  # a project table is complete as such; other templates have no rule here


def test_the_pdf_a_unit_publishes_reads_like_its_text(tmp_path):
    """The 棠溪镇 form, laid out as a .docx and printed to PDF by LibreOffice, gives the same findings."""
    from test_readers import blocks_to_docx

    from jixiao.io import convert
    from jixiao.io.textdump import parse_blocks

    if convert.find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    import subprocess

    source = CORPUS / DOCS["anhui-chizhou-tangxi-2022"]["file"]
    docx = tmp_path / "tangxi.docx"
    blocks_to_docx(parse_blocks(source.read_text(encoding="utf-8")), docx)
    import docx as python_docx

    document = python_docx.Document(str(docx))
    for table in document.tables:
        table.style = "Table Grid"  # ruled, as printed forms are: the PDF reader finds tables by their lines
    document.save(str(docx))
    profile = tmp_path / "profile"
    subprocess.run([convert.find_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True,
                   timeout=180)

    def key(path):
        return sorted((f.rule, f.severity, f.message) for f in audit_path(path).findings)

    assert key(tmp_path / "tangxi.pdf") == key(docx)
    assert any(r == "funds.identity" for r, _, _ in key(tmp_path / "tangxi.pdf"))
