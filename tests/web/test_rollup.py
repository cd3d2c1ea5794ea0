"""The department's draft rolled up from its units' approved versions (web/drafts/rollup.py): written
through the versions layer, the change listed field by field, the page's view with its traces."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.hashers import make_password
from test_department import DEPARTMENT, UNIT, VALUES, with_gov_fund

from jixiao import services
from jixiao.cli import main
from jixiao.core.numbers import fmt_value
from jixiao.web import versions
from jixiao.web.drafts import fields, rollup
from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Submission, Unit, User
from jixiao.web.security.models import AuditEntry

from .conftest import PASSWORD


def unit_doc(name: str, **changes) -> dict:
    values = VALUES.get(name, VALUES["甲林场"]) | changes
    return fields.jsonable(services.to_canonical(package=services.from_canonical(data=UNIT.format(name=name, **values))))


def approve_version(package: Package, user: User, doc: dict) -> Submission:
    """A unit head's approved version of `doc` (the versions layer's own snapshot)."""
    return versions.snapshot(package, user, doc, "单位负责人审核通过并报送", Submission.State.APPROVED)


@pytest.fixture
def tier(db):
    """A department (某县林业局) with three units: 甲 and 乙 complete, 丙 with its income table only."""
    bureau = Bureau.objects.create(name="某县财政局", region_code="430000")
    top = Unit.objects.create(bureau=bureau, name="某县林业局", budget_code="301000")
    units = {n: Unit.objects.create(bureau=bureau, name=n, budget_code=f"30100{i}", parent=top)
             for i, n in enumerate(("甲林场", "乙林场", "丙林场"), start=1)}
    task = EvaluationTask.objects.create(bureau=bureau, year=2023, title="2023年度自评", profile="national-2020",
                                         deadline=date(2024, 6, 30))
    task.units.add(top, *units.values())
    pw = make_password(PASSWORD)
    preparer = User.objects.create(username="ly_tb", display_name="林业填报", role=Role.PREPARER, unit=top, password=pw)
    head = User.objects.create(username="jia_fz", display_name="甲负责", role=Role.UNIT_HEAD, unit=units["甲林场"],
                               password=pw)
    own = fields.jsonable(services.to_canonical(package=services.from_canonical(data=DEPARTMENT)))
    department = Package.objects.create(task=task, unit=top, draft=own, version=1, status=Status.DRAFT)
    packages, subs = {}, {}
    for name, unit in units.items():
        doc = unit_doc(name)
        if name == "丙林场":
            doc = {k: v for k, v in doc.items() if k not in ("expenditure", "sangong", "fixed_assets", "overall", "projects")}
        packages[name] = Package.objects.create(task=task, unit=unit, draft=doc, version=1, status=Status.SUBMITTED)
        subs[name] = approve_version(packages[name], head, doc)
    return {"task": task, "department": department, "packages": packages, "subs": subs, "preparer": preparer,
            "head": head}


def test_the_rollup_is_written_through_the_versions_layer(tier):
    dept = tier["department"]
    before = AuditEntry.objects.count()
    change = rollup.roll_up_into(dept, list(tier["subs"].values()), actor=tier["preparer"])
    dept.refresh_from_db()
    assert change.changed and dept.version == 2 == change.version
    assert change.members == ["丙林场", "甲林场", "乙林场"]  # by pinyin, whatever order they were given in
    assert [r["institution"] for r in dept.draft["income"]] == ["局机关及二级机构汇总", "某县林业局机关", "丙林场",
                                                                  "甲林场", "乙林场"]
    assert dept.draft["income"][0]["total"] == "1200"  # 100 (本级) + 300 + 500 + 300
    assert dept.draft["narrative"]["achievements"] == "部门自己写的成绩。"
    assert [p["name"] for p in dept.draft["projects"]] == ["机关运行", "造林补助"]
    # one FieldEdit and one audit entry, under its Chinese name, per changed field
    edits = dept.edits.filter(kind="rollup")
    assert {e.path for e in edits} == {c.path for c in change.changes}
    assert AuditEntry.objects.filter(action="rollup").count() >= len(change.changes)
    assert AuditEntry.objects.count() > before


def test_the_change_names_each_field_as_the_forms_do(tier):
    change = rollup.roll_up_into(tier["department"], list(tier["subs"].values()), actor=tier["preparer"])
    for c in change.changes:
        assert c.label and "[" not in c.label and not c.label.isascii() and "整张表" not in c.label, c
    assert "草稿改动" in change.summary
    # a unit's new row is listed field by field, its amounts as the form prints them
    added = {c.path: c for c in change.changes}
    assert added["income[3].total"].old_text == "（空）" and added["income[3].total"].new_text == "300.00"
    assert added["income[3].institution"].new_text == "甲林场"
    assert added["income[0].total"].new_text == "1,200.00"


def test_an_edit_made_before_a_rollup_is_refused_not_put_in_a_moved_row(tier):
    dept = tier["department"]
    seen = dept.version  # the preparer's page shows 某县林业局机关 as income[1]
    rollup.roll_up_into(dept, list(tier["subs"].values()), actor=tier["preparer"])
    result = versions.apply_edit(package_id=dept.pk, user=tier["preparer"], path="income[2].total", raw="120",
                                 version=seen)
    assert not result.ok and "重新汇总" in result.conflict
    dept.refresh_from_db()
    assert dept.draft["income"][2]["total"] == "300"  # 丙林场's row, untouched


def test_recomputing_after_one_unit_changes_returns_exactly_the_changed_figures(tier):
    dept, subs = tier["department"], tier["subs"]
    rollup.roll_up_into(dept, list(subs.values()), actor=tier["preparer"])
    again = rollup.roll_up_into(dept, list(reversed(subs.values())), actor=tier["preparer"])
    assert not again.changed and again.version == 2  # nothing moved (in any order): nothing written
    doc = unit_doc("乙林场")
    doc["income"][1] |= {"other": "5", "total": "505"}  # 乙's head approves a corrected version
    newer = approve_version(tier["packages"]["乙林场"], tier["head"], doc)
    assert not rollup.rollup_view(dept, list(subs.values())).pending  # the draft holds the roll-up of those
    shown = rollup.rollup_view(dept)  # the latest approved versions: 乙's new one
    assert {c.path for c in shown.pending} == {"income[0].other", "income[0].total", "income[4].other",
                                               "income[4].total"}
    change = rollup.roll_up_into(dept, [subs["甲林场"], newer, subs["丙林场"]], actor=tier["preparer"])
    assert {c.path for c in change.changes} == {"income[0].other", "income[0].total", "income[4].other",
                                                 "income[4].total"}
    moved = {c.path: (c.old, c.new) for c in change.changes}
    assert moved["income[0].total"] == ("1200", "1205") and moved["income[4].other"] == ("0", "5")


def test_a_units_new_annex3_figure_moves_exactly_the_rolled_up_figures_it_feeds(tier):
    dept, subs = tier["department"], tier["subs"]
    rollup.roll_up_into(dept, list(subs.values()), actor=tier["preparer"])
    newer = approve_version(tier["packages"]["乙林场"], tier["head"], unit_doc("乙林场", executed=420))
    change = rollup.roll_up_into(dept, [subs["甲林场"], newer, subs["丙林场"]], actor=tier["preparer"])
    moved = {c.path: (c.old_text, c.new_text) for c in change.changes}
    assert moved == {"overall.funds[0].executed": ("670.00", "690.00"), "overall.funds[0].rate": ("83.75%", "86.25%")}


def test_the_rollup_equals_jixiao_aggregate_over_the_same_approved_versions(tier, tmp_path, capsys):
    dept, subs = tier["department"], tier["subs"]
    rollup.roll_up_into(dept, list(subs.values()), actor=tier["preparer"])
    files = []
    for name, sub in subs.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(sub.content, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    assert main(["aggregate", *files, "--format", "json"]) == 0
    cli_all = {v["key"]: v for v in json.loads(capsys.readouterr().out)["values"]}
    cli = {k: v["value"] for k, v in cli_all.items()}
    dept.refresh_from_db()
    written = services.from_canonical(data=dept.draft).overall
    total = written.fund("total")
    assert {c: str(getattr(total, c)) for c in ("initial", "annual", "executed")} == {
        c: cli[f"aggregate.funds.{c}"] for c in ("initial", "annual", "executed")}
    assert str(written.indicators[0].actual.value) == cli["aggregate.indicators[0].actual"]
    # weighted figures are written as the form prints them: the CLI's figure as printed
    printed = {k: v["display"] for k, v in cli_all.items()}
    assert fmt_value(written.indicators[1].actual.value, "ratio") == printed["aggregate.indicators[1].actual"]
    assert fmt_value(written.indicators[2].stated_score, "分") == printed["aggregate.indicators[2].score"]
    assert fmt_value(written.stated_total, "分") == printed["aggregate.total"]
    # the page's figures are the same ones, each unit's contribution beside it
    view = rollup.rollup_view(dept, list(subs.values()))
    overall = next(t for t in view.tables if t.path == "overall")
    funds = next(f for f in overall.figures if f.key == "aggregate.funds.annual")
    assert [c.unit for c in funds.contributions] == ["甲林场", "乙林场"]  # 丙 has no 附件3
    assert funds.shown == "800.00" and "Σ" in funds.formula


def test_the_view_lists_what_could_not_be_used(tier):
    view = rollup.rollup_view(tier["department"])  # the latest approved version of each subordinate unit
    assert view.members == [("丙林场", 1), ("甲林场", 1), ("乙林场", 1)]  # by pinyin: bing, jia, yi
    told = [g.message for g in view.gaps]
    assert any(m.startswith("丙林场：") and "附件3" in m for m in told)
    assert any(m.startswith("丙林场：") and "三公经费" in m for m in told)
    titles = [t.title for t in view.cover]
    assert titles == ["部门（单位）年度收入情况", "部门（单位）年度支出和结余情况", "三公经费", "固定资产"]
    summary = next(f for f in view.cover[0].figures if f.key == "income[0].total")
    assert summary.shown == "1,200.00"
    assert [c.unit for c in summary.contributions] == ["某县林业局机关（本级）", "丙林场", "甲林场", "乙林场"]


def test_a_department_draft_already_sent_is_not_rolled_up(tier):
    dept = tier["department"]
    Package.objects.filter(pk=dept.pk).update(status=Status.IN_REVIEW)
    with pytest.raises(rollup.RollupError, match="不能汇总"):
        rollup.roll_up_into(dept, list(tier["subs"].values()), actor=tier["preparer"])
    dept.refresh_from_db()
    assert dept.version == 1 and not dept.edits.exists()


def test_without_approved_versions_nothing_is_rolled_up(tier):
    with pytest.raises(rollup.RollupError, match="没有已审核通过"):
        rollup.roll_up_into(tier["department"], [], actor=tier["preparer"])
    view = rollup.rollup_view(tier["department"], [])
    assert view.empty and "尚无审核通过" in view.error


def test_fund_type_tables_are_written_beside_the_departments_own_declarations(tier):
    dept, head = tier["department"], tier["head"]
    Package.objects.filter(pk=dept.pk).update(draft=dept.draft | {"fund_types": [
        {"kind": "state_capital", "statement": "我单位无国有资本经营预算支出。"}]})
    dept.refresh_from_db()
    subs = []
    for name, annual in (("甲林场", 100), ("乙林场", 300)):
        pkg = with_gov_fund(services.from_canonical(data=tier["subs"][name].content), annual, annual)
        subs.append(approve_version(tier["packages"][name], head,
                                    fields.jsonable(services.to_canonical(package=pkg))))
    change = rollup.roll_up_into(dept, subs, actor=tier["preparer"])
    dept.refresh_from_db()
    capital, gov = dept.draft["fund_types"]
    assert capital == {"kind": "state_capital", "statement": "我单位无国有资本经营预算支出。"}  # its own, untouched
    assert gov["kind"] == "gov_fund" and gov["has_spending"] is True
    assert gov["tables"][0]["funds"][0]["annual"] == "400"
    assert any(c.path.startswith("fund_types[1]") and "附件5" in c.label for c in change.changes)


def test_a_version_of_a_unit_outside_the_department_is_refused(tier):
    outside = Unit.objects.create(bureau=tier["task"].bureau, name="某县水利局", budget_code="302000")
    pkg = Package.objects.create(task=tier["task"], unit=outside, draft=unit_doc("某县水利局"), version=1,
                                 status=Status.SUBMITTED)
    stranger = approve_version(pkg, tier["head"], pkg.draft)
    with pytest.raises(rollup.RollupError, match="不是本部门在本次自评任务中的下属单位"):
        rollup.roll_up_into(tier["department"], [tier["subs"]["甲林场"], stranger], actor=tier["preparer"])
    assert not tier["department"].edits.exists()
