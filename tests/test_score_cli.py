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
    assert score["formula"] == "执行率（高于100%的按100%计）× 分值"
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
    assert "依据：湘西州州直部门整体支出绩效自评（2022年度）·预算执行率得分规则" in out
    assert "与填报值不一致" in out.splitlines()[-1]


def test_score_with_another_profile(capsys):
    assert main(["score", str(EXAMPLE), "--profile", "national-2020", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["profile"]["id"] == "national-2020"


def test_profile_option_traces_that_profiles_rules(capsys):
    """--profile X scores and explains with X, whatever profile the package's jurisdiction resolves to."""
    assert main(["score", str(EXAMPLE), "--format", "json", "--profile", "national-2020"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["profile"]["id"] == "national-2020"
    rules = {v["rule"].split("·")[0] for t in data["tables"] for v in t["values"] if v["rule"]}
    rules |= {v["rule"].split("·")[0] for values in data["sections"].values() for v in values if v["rule"]}
    assert rules == {data["profile"]["title"]}
    overall = next(t for t in data["tables"] if t["key"] == "overall")
    assert overall["grade"]["display"] == "优"  # national bands: 93.22 → 优


def test_a_year_outside_every_local_profile_falls_back_with_a_note(tmp_path, capsys):
    text = EXAMPLE.read_text(encoding="utf-8").replace("\nyear: 2022\n", "\nyear: 2023\n", 1)
    assert "year: 2023" in text
    path = tmp_path / "2023.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["score", str(path)]) == 0
    out = capsys.readouterr().out
    assert "评分方案：national-2020" in out
    assert "的评分方案xiangxi-2022（2022年度）不适用于2023年度，按全国通行做法（national-2020）评分" in out
