"""`jixiao score`: every score and total the seed states, with the computed value beside it."""

import json

from conftest import EXAMPLE

from jixiao.cli import main


def test_score_json_puts_stated_beside_computed(capsys):
    assert main(["score", str(EXAMPLE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["profile"]["id"] == "xiangxi-2022"
    tables = {t["key"]: t for t in data["tables"]}
    reception = tables["projects[0]"]
    score = next(v for v in reception["values"] if v["key"] == "projects[0].execution.score")
    assert score["stated"] == "0" and score["display"] == "0.16" and score["agrees"] is False
    assert score["formula"] == "min(执行率, 100%) × 分值"
    # the rule is not verified (judged): 0.16 is the engine's reading, the unit's 0 stands and counts
    assert score["kind"] == "judged" and score["standing"] == "0" and score["allowed"] == ["0", "10"]
    assert reception["total"]["stated"] == "90" and reception["total"]["display"] == "90.00"
    assert reception["total"]["kind"] == "computed" and reception["total"]["agrees"] is True
    # every score and total the package states appears with a computed value
    for t in data["tables"]:
        for v in t["values"]:
            if v["stated"] is not None and v["unit"] == "分":
                assert v["value"] is not None or v["note"], v["key"]


def test_score_text_is_a_readable_table(capsys):
    assert main(["score", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "✗ 湘西自治州人民政府驻北京联络处 支出合计：1,066.75  填报 3,312.53" in out
    assert "= 基本支出 + 项目支出" in out
    assert "依据：xiangxi-2022 › execution_score" in out
    assert "与填报值不一致" in out.splitlines()[-1]


def test_score_with_another_profile(capsys):
    assert main(["score", str(EXAMPLE), "--profile", "national-2020", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["profile"]["id"] == "national-2020"
