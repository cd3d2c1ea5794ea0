"""Stated figures are kept: the sample package (its errors included, as the unit stated them) edited
on 附件4 keeps every stated figure of the other forms; the forms show 填报 beside 计算 with the finding;
采用计算数 takes the engine's value per figure or for all, recorded as edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.web.drafts import fields, stated

from .conftest import client_for, post_edit, text_of

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "xiangxi-beijing-office-2022.yaml"


def make_sample(password: str = ""):
    """(package, preparer): the sample unit's package as its draft, in a task of its own profile."""
    from datetime import date

    from django.contrib.auth.hashers import make_password

    from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Unit, User

    from .conftest import canonical

    doc = canonical(EXAMPLE)
    bureau = Bureau.objects.create(name="某州财政局", region_code="433100")
    unit = Unit.objects.create(bureau=bureau, name=doc["unit"]["name"], budget_code="106005")
    task = EvaluationTask.objects.create(bureau=bureau, year=doc["year"], title="2022年度自评", profile=doc["profile"],
                                         deadline=date(2023, 6, 20))
    task.units.add(unit)
    preparer = User.objects.create(username="tb", display_name="样本填报", role=Role.PREPARER, unit=unit,
                                   password=make_password(password) if password else "")
    package = Package.objects.create(task=task, unit=unit, draft=doc, version=1, status=Status.DRAFT)
    return package, preparer


@pytest.fixture
def sample(db):
    return make_sample()


def _figures(doc: dict) -> dict[str, object]:
    return {path: fields.get(doc, path) for path, _ in stated.figure_paths(doc)}


def test_an_edit_on_annex4_keeps_every_stated_figure_of_the_other_forms(sample):
    package, preparer = sample
    before = _figures(package.draft)
    differing = {d.path for d in stated.differing(package.draft, stated.read_and_score(package.draft)[1])}
    assert "expenditure[1].total" in differing and len(differing) >= 10  # the sample's own errors
    r = post_edit(client_for(preparer), package, "projects[0].funds[0].executed", "20.5", form="project-0")
    assert r.status_code == 200
    package.refresh_from_db()
    after = _figures(package.draft)
    kept = [p for p in before if not p.startswith("projects[0].") and before[p] not in (None, "")]
    assert len(kept) > 100 and [p for p in kept if after[p] != before[p]] == []
    assert package.draft["expenditure"][1]["total"] == "3312.53"  # 支出合计 as stated, not 1,066.75
    # the edited project's own figures that followed the engine follow it: its 执行率 moves
    assert package.draft["projects"][0]["funds"][0]["rate"] != before["projects[0].funds[0].rate"]
    # nothing elsewhere moved, not even the blanks the sample leaves (the cover's 汇总 rows)
    assert not package.edits.filter(kind="computed").exclude(path__startswith="projects[0].").exists()
    assert package.draft["income"][0].get("total") in (None, "")


def test_the_form_shows_each_differing_pair_with_its_finding(sample):
    package, preparer = sample
    c = client_for(preparer)
    html = c.get(f"/p/{package.pk}/f/cover/").content.decode()
    pair = text_of(html, "fig-expenditure-1-total")
    assert "计算 1,066.75" in pair and "填报 3,312.53" in pair and "采用计算数" in pair
    assert "错误" in pair  # the audit's finding about it, beside the pair
    assert "填报与计算不符" in text_of(html, "summary") and 'id="adopt-all"' in html
    narrative = c.get(f"/p/{package.pk}/f/narrative/").content.decode()
    assert "填报 93.22" in text_of(narrative, "fig-narrative-total")
    # the version history lists every pair too
    listed = text_of(c.get(f"/p/{package.pk}/versions/").content.decode(), "differing")
    assert "自评报告 › 湘西自治州人民政府驻北京联络处·支出合计3,312.531,066.75" in listed
    assert "可在表单中逐项或全部" in c.get(f"/p/{package.pk}/versions/").content.decode()
    from jixiao.web.models import Role, User

    head = User.objects.create(username="fz", display_name="负责", role=Role.UNIT_HEAD, unit=package.unit)
    told = client_for(head).get(f"/p/{package.pk}/versions/").content.decode()
    assert "由填报人在表单中逐项或全部" in told and "可在表单中逐项或全部" not in told  # the head cannot adopt


def test_within_rounding_a_stated_figure_is_kept_and_not_offered(sample):
    """805.66 stated where the engine has 805.67: agrees at the printed precision — kept as stated,
    not listed as differing, untouched by an edit elsewhere and by 全部采用计算数."""
    package, preparer = sample
    doc = package.draft
    report = stated.read_and_score(doc)[1]
    near = [(p, fields.get(doc, p)) for p, k in stated.figure_paths(doc)
            if (v := stated.engine_value(p, k, report, doc)) is not None and fields.get(doc, p) not in (None, "")
            and not stated.same_number(fields.get(doc, p), v)
            and p not in {d.path for d in stated.differing(doc, report)}]
    assert near, "the sample has figures that agree only within rounding"
    c = client_for(preparer)
    post_edit(c, package, "projects[0].funds[0].executed", "20.5", form="project-0")
    package.refresh_from_db()
    c.post(f"/p/{package.pk}/adopt", {"version": package.version, "form": "cover"})
    package.refresh_from_db()
    assert [(p, fields.get(package.draft, p)) for p, _ in near if not p.startswith("projects[0].")] == \
        [(p, v) for p, v in near if not p.startswith("projects[0].")]


def test_adopting_the_computed_value_per_figure_and_for_all_is_recorded(sample):
    package, preparer = sample
    c = client_for(preparer)
    r = c.post(f"/p/{package.pk}/adopt", {"path": "expenditure[1].total", "version": 1, "form": "cover"}, follow=True)
    assert "已采用计算数" in r.content.decode()
    package.refresh_from_db()
    assert package.draft["expenditure"][1]["total"] == "1066.75" and package.version == 2
    edit = package.edits.get(path="expenditure[1].total")
    assert (edit.kind, edit.old, edit.new, edit.user) == ("adopt", "3312.53", "1066.75", preparer)
    left = stated.differing(package.draft, stated.read_and_score(package.draft)[1])
    assert len(left) >= 10 and all(d.path != "expenditure[1].total" for d in left)
    # all at once: nothing the engine disagrees with is left, each change recorded
    c.post(f"/p/{package.pk}/adopt", {"version": package.version, "form": "cover"})
    package.refresh_from_db()
    assert stated.differing(package.draft, stated.read_and_score(package.draft)[1]) == []
    adopted = set(package.edits.filter(kind="adopt").values_list("path", flat=True))
    assert {d.path for d in left} <= adopted
    versions = c.get(f"/p/{package.pk}/versions/").content.decode()
    assert "采用计算数" in versions and "当前草稿中没有与计算数不符的填报数" in versions


def test_adopting_on_a_stale_page_is_refused_naming_the_change(sample):
    package, preparer = sample
    c = client_for(preparer)
    post_edit(c, package, "unit.contact", "王五")
    r = c.post(f"/p/{package.pk}/adopt", {"version": 1, "form": "cover"}, follow=True)
    text = r.content.decode()
    assert "采用计算数失败" in text and "样本填报" in text and "王五" in text
    package.refresh_from_db()
    assert package.draft["expenditure"][1]["total"] == "3312.53"


def test_a_blank_figure_is_filled_when_its_inputs_move(sample):
    """A figure the draft leaves blank (a package being typed in) takes the engine's value once a
    write moves it; blanks the write does not move stay blank."""
    package, preparer = sample
    package.draft = fields.put(package.draft, "projects[0].funds[0].rate", None)
    package.save()
    post_edit(client_for(preparer), package, "projects[0].funds[0].executed", "20.5", form="project-0")
    package.refresh_from_db()
    assert package.draft["projects"][0]["funds"][0]["rate"] == "10.62%"  # 20.5 ÷ (38.25 + 154.78)
    assert package.edits.get(path="projects[0].funds[0].rate").kind == "computed"
    assert package.draft["income"][0].get("total") in (None, "")
