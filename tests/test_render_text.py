"""The report's text as a unit's accountant proofreads it: a figure reference the editor could not
resolve is a finding with its place and prints as a Chinese marker (never raw braces), and a label
that already carries its number is not numbered a second time."""

from __future__ import annotations

import dataclasses

import pytest
from test_render import EXAMPLE, docx_text

from jixiao import services
from jixiao.audit.registry import run_checks
from jixiao.cli import main
from jixiao.core import references
from jixiao.io.canonical import write_package
from jixiao.io.readers import read_any
from jixiao.render.api import render_package
from jixiao.render.docx_writer import after_heading, unnumbered


def _package(**narrative):
    pkg = read_any(EXAMPLE)
    pkg.narrative = dataclasses.replace(pkg.narrative, **narrative)
    return pkg


def test_an_unknown_reference_is_a_finding_with_its_place():
    pkg = _package(problems="年中追加{{项目乙·执行率}}，执行偏慢。")
    found = [f for f in run_checks(pkg) if f.rule == "text.reference"]
    assert len(found) == 1
    f = found[0]
    assert f.severity == "error"
    assert f.message.startswith("未知的引用 {{项目乙·执行率}}") and "【未知的引用：项目乙·执行率】" in f.message
    assert f.location.form == "绩效评价报告" and "存在的问题" in f.location.describe()
    assert not [f for f in run_checks(read_any(EXAMPLE)) if f.rule == "text.reference"]


def test_the_document_prints_a_marker_not_the_braces(tmp_path):
    pkg = _package(problems="年中追加{{项目乙·执行率}}，执行偏慢。", achievements="完成{{ }}项。")
    result = services.render(package=pkg, outdir=tmp_path, charts=False)
    text = docx_text(result.docx)
    assert "{{" not in text and "}}" not in text
    assert "年中追加【未知的引用：项目乙·执行率】，执行偏慢。" in text
    assert "完成【未知的引用：（空）】项。" in text
    notes = [n for n in result.notes if n.startswith("未知的引用")]
    assert len(notes) == 2 and any("{{项目乙·执行率}}（绩效评价报告 / 八、存在的问题）" in n for n in notes)


def test_render_cli_tells_the_unknown_reference(tmp_path, capsys):
    src = tmp_path / "带引用.yaml"
    write_package(_package(suggestions="建议提高{{已删除的项目·总分}}。"), src)
    assert main(["render", str(src), "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "未知的引用 {{已删除的项目·总分}}" in err and "【未知的引用：已删除的项目·总分】" in err
    assert main(["audit", str(src), "--format", "text"]) == 1
    assert "未知的引用 {{已删除的项目·总分}}" in capsys.readouterr().out


@pytest.mark.parametrize("text, bare", [
    ("1、投入", "投入"), ("一、投入", "投入"), ("（一）目标设定", "目标设定"), ("(2) 预算配置", "预算配置"),
    ("2.产出", "产出"), ("①绩效目标合理性", "绩效目标合理性"), ("八、（一）主要经验做法", "（一）主要经验做法"),
    ("投入", "投入"), ("2.5万元以上项目", "2.5万元以上项目"), ("100%完成", "100%完成"), ("1、", "1、"),
])
def test_an_existing_number_is_recognised(text, bare):
    assert unnumbered(text) == bare


def test_labels_with_numbers_are_not_numbered_twice(tmp_path):
    pkg = read_any(EXAMPLE)
    framework = [dataclasses.replace(item, level1=f"{'一二三四'[['投入', '过程', '产出', '效益'].index(item.level1)]}、{item.level1}"
                                     if item.level1 in ("投入", "过程", "产出", "效益") else item.level1,
                                     level2=f"（一）{item.level2}" if item.level2 else item.level2)
                 for item in pkg.narrative.framework]
    pkg.narrative = dataclasses.replace(pkg.narrative, framework=framework,
                                        achievements="（一）主要经验做法\n招商引资完成落地项目6个。")
    text = docx_text(render_package(pkg, tmp_path, charts=False).docx)
    lines = text.split("\n")
    assert "1、投入" in lines and not any(ln.startswith(("1、一、", "1、1、")) for ln in lines)
    assert "（1）目标设定" in lines and not any("）（一）" in ln for ln in lines)
    at = lines.index("（一）主要经验做法")
    assert lines[at + 1] == "招商引资完成落地项目6个。"  # the unit's own copy of the heading is not printed again


def test_after_heading_keeps_text_that_only_starts_like_it():
    assert after_heading("主要经验做法：一是……", "主要经验做法") == "主要经验做法：一是……"
    assert after_heading("（二）存在的问题及原因分析：\n预算编制不细。", "存在的问题及原因分析") == "预算编制不细。"
    assert references.mark("无引用") == "无引用"
