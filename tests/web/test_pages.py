"""Issue 21, the server side of the pages: orders a reader expects, one time zone, field labels in
the change log and the comparison, profile titles, a 归口 user's own units, no empty public year."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from jixiao.web.field_names import field_name, printed_text, shown, value_text
from jixiao.web.models import FieldEdit, Package, Role, Status, Unit, User

from .conftest import client_for, post_edit, text_of
from .test_bureau import sent  # noqa: F401 — the fixture


def _rows(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=html.index)


def test_status_sorts_along_the_workflow_and_names_by_pinyin(sent):  # noqa: F811
    task, c = sent["task"], client_for(sent["bureau"])
    # 林业局 is returned, 水利局 accepted: along the workflow 退回 comes before 已报送/财政审核通过,
    # although the internal codes sort "accepted" first.
    Package.objects.filter(pk=sent["package"].pk).update(status=Status.RETURNED)
    Package.objects.filter(pk=sent["other_package"].pk).update(status=Status.ACCEPTED)
    html = c.get(f"/b/t/{task.pk}/?sort=status").content.decode()
    assert html.index("某县林业局") < html.index("某县水利局")
    html = c.get(f"/b/t/{task.pk}/?sort=-status").content.decode()
    assert html.index("某县水利局") < html.index("某县林业局")
    # 阿 (a) before 林 (lin) before 水 (shui) before 这 (zhe), whatever their code points (阿 U+963F > 林 U+6797)
    Unit.objects.filter(pk=sent["package"].unit_id).update(name="这县林业局")
    Unit.objects.filter(pk=sent["other_package"].unit_id).update(name="阿县水利局")
    html = c.get(f"/b/t/{task.pk}/?sort=name").content.decode()
    assert html.index("阿县水利局") < html.index("这县林业局")
    html = c.get(f"/b/t/{task.pk}/?sort=-name").content.decode()
    assert html.index("这县林业局") < html.index("阿县水利局")


def test_the_dashboard_workbook_is_in_beijing_time(sent):  # noqa: F811
    task = sent["task"]
    Package.objects.filter(pk=sent["package"].pk).update(updated_at=datetime(2024, 6, 30, 20, 30, tzinfo=UTC),
                                                        execution_rate=Decimal("0.480049"))
    ws = load_workbook(io.BytesIO(client_for(sent["bureau"]).get(f"/b/t/{task.pk}/dashboard.xlsx").content)).active
    rows = {row[1]: row for row in ws.iter_rows(values_only=True)}
    header = list(rows["单位名称"])
    row = rows["某县林业局"]
    assert row[header.index("最后修改")] == "2024-07-01 04:30"  # 20:30 UTC is 04:30 the next day in Beijing
    assert Decimal(str(row[header.index("执行率（%）")])) == Decimal("48.00")


def test_a_public_year_with_nothing_published_is_not_found(db):
    r = client_for_anonymous().get("/public/1999/")
    assert r.status_code == 404
    html = r.content.decode()  # says why, in the visitor's words, not the site's generic "not found"
    assert "1999年度没有公开的自评结果" in html and 'id="public-list"' not in html


def client_for_anonymous():
    from django.test import Client

    return Client()


def test_the_change_log_names_fields_by_their_labels_pages_and_folds(world):
    pkg, c = world["package"], client_for(world["preparer"])
    assert post_edit(c, pkg, "unit.contact", "张三").status_code == 200
    for n in range(60):
        FieldEdit.objects.create(package=pkg, path="unit.phone", old=str(n), new=str(n + 1), user=world["preparer"],
                                 version=pkg.version, kind="edit")
    long_text = "情况说明" * 300
    FieldEdit.objects.create(package=pkg, path="fund_types[2].tables", old=[{"form_label": "附件7", "rows": []}],
                             new=None, user=world["preparer"], version=pkg.version, kind="import")
    FieldEdit.objects.create(package=pkg, path="narrative.achievements", old="", new=long_text, user=world["preparer"],
                             version=pkg.version, kind="edit")
    html = c.get(f"/p/{pkg.pk}/versions/").content.decode()
    assert "fund_types[2]" not in html and "{'form_label'" not in html and "form_label" not in html
    assert "第1页，共2页" in html and "?page=2" in html
    assert long_text not in html.split("<details", 1)[0]  # folded: the start shown, the whole behind a click
    assert "展开全文" in html
    older = c.get(f"/p/{pkg.pk}/versions/?page=2").content.decode()
    assert "第2页，共2页" in older and "unit.contact" not in older


def test_an_untouched_draft_says_it_has_no_changes_yet_instead_of_an_empty_table(world):
    pkg, c = world["package"], client_for(world["preparer"])
    html = c.get(f"/p/{pkg.pk}/versions/").content.decode()
    assert "草稿还没有保存过修改" in text_of(html, "no-edits") and 'class="list changelog"' not in html
    weight = next(p for p in ("projects[0].funds[0].weight", "overall.funds[0].weight") if _holds(pkg.draft, p))
    assert post_edit(c, pkg, weight, "7.5").status_code == 200
    html = c.get(f"/p/{pkg.pk}/versions/").content.decode()
    assert 'id="no-edits"' not in html and 'class="list changelog"' in html and "<td>7.50</td>" in html


def test_the_change_log_prints_figures_as_the_forms_do(world):
    pkg, c = world["package"], client_for(world["preparer"])
    weight = next(p for p in ("projects[0].funds[0].weight", "overall.funds[0].weight") if _holds(pkg.draft, p))
    assert post_edit(c, pkg, weight, "7.5").status_code == 200
    assert post_edit(c, pkg, "notice.deviation_threshold", "25").status_code == 200
    html = c.get(f"/p/{pkg.pk}/versions/").content.decode()
    assert "<td>7.50</td>" in html and "<td>7.5</td>" not in html
    assert "<td>25.00%</td>" in html and "<td>25%</td>" not in html


def test_a_path_without_a_label_is_named_by_the_form_that_holds_it():
    labels = {"projects[0].funds[0].executed": "附件4 公务接待拨款 › 年度资金总额·全年执行数",
              "projects[0].funds[1].executed": "附件4 公务接待拨款 › 当年财政拨款·全年执行数"}
    assert field_name("projects[0].funds[0].executed", labels) == labels["projects[0].funds[0].executed"]
    assert field_name("projects[0].funds", labels) == "附件4 公务接待拨款（整张表）"
    assert field_name("projects[0].funds[0].note", labels) == "附件4 公务接待拨款（整张表）（其中一项）"
    assert "[" not in field_name("fund_types[2].tables", labels)
    assert value_text({"role": "部门（单位）", "text": "同意", "signer": "张三"}) == "部门（单位）；同意；张三"
    assert shown("字" * 200).folded and not shown("字" * 10).folded


def test_entries_read_as_the_form_prints_them():
    assert [printed_text("score", v) for v in ("7", "7.5", "7.125", "0", "", None, "约7")] == [
        "7.00", "7.50", "7.13", "0.00", "", "", "约7"]
    assert [printed_text("percent", v) for v in ("48%", "32.2", "0.005%", "100％", "未知")] == [
        "48.00%", "32.20%", "0.01%", "100.00%", "未知"]
    assert printed_text("amount", "1550.785") == "1,550.79"
    assert printed_text("text", "7") == "7"  # only figures are printed anew
    from jixiao.web.drafts.fields import printed_entry

    assert printed_entry("opinions[0].date", "2026-12-07") == "2026年12月7日"
    assert printed_entry("projects[0].funds[0].executed", "1550.785") == "1,550.79"
    assert printed_entry("fund_types[2].tables", [{"rows": []}]) == [{"rows": []}]  # a table: unchanged


def test_the_head_reads_points_and_rates_as_printed(world):
    from jixiao.web.drafts import fields

    pkg, head = world["package"], world["head"]
    weight = next(p for p in ("projects[0].funds[0].weight", "overall.funds[0].weight") if _holds(pkg.draft, p))
    post_edit(client_for(world["preparer"]), pkg, weight, "7.5")
    post_edit(client_for(world["preparer"]), pkg, "notice.deviation_threshold", "25")
    pkg.refresh_from_db()
    assert fields.get(pkg.draft, weight) == "7.5"
    html = client_for(head).get(f"/p/{pkg.pk}/review/notice/").content.decode()
    assert ">25.00%</span>" in html
    slug = "project-0" if weight.startswith("projects") else "annex3"
    html = client_for(head).get(f"/p/{pkg.pk}/review/{slug}/").content.decode()
    assert ">7.50</span>" in html and ">7.5</span>" not in html


def _holds(doc, path) -> bool:
    from jixiao.web.drafts import fields

    return fields.get(doc, path) is not None


def test_the_comparison_has_no_paths_and_says_which_side_is_which(world):
    from .test_bureau import send

    pkg = world["package"]
    send(pkg, world["preparer"], world["head"])
    Package.objects.filter(pk=pkg.pk).update(status=Status.RETURNED)
    c = client_for(world["preparer"])
    post_edit(c, pkg, "unit.contact", "李四")
    html = c.get(f"/p/{pkg.pk}/compare/", {"a": "1", "b": "draft"}).content.decode()
    assert "unit.contact" not in html and "<code" not in html
    assert "（原）" in html and "（新）" in html and "李四" in html
    # opened without a choice: the last version sent against the draft, figures as the forms print them
    weight = next(p for p in ("projects[0].funds[0].weight", "overall.funds[0].weight") if _holds(pkg.draft, p))
    post_edit(c, pkg, weight, "7.5")
    html = c.get(f"/p/{pkg.pk}/compare/").content.decode()
    last = pkg.submissions.order_by("-number").first().number
    assert f"第{last}版 与 当前草稿" in html and "当前草稿 与 当前草稿" not in html
    assert f'<option value="{last}" selected>第{last}版</option>' in html  # another pair chosen on the page itself
    assert '<option value="draft" selected>当前草稿</option>' in html
    assert ">7.50</td>" in html.replace('<span class="diff-tag">新</span>', "")


def test_the_head_is_led_to_the_version_waiting_for_review(world):
    from jixiao.web import versions

    pkg, head = world["package"], world["head"]
    versions.submit(package_id=pkg.pk, user=world["preparer"], version=pkg.version)
    landing = client_for(head).get(f"/p/{pkg.pk}/")
    assert landing.status_code == 302 and landing["Location"] == f"/p/{pkg.pk}/review/"
    cover = client_for(head).get(f"/p/{pkg.pk}/f/cover/").content.decode()
    assert f'href="/p/{pkg.pk}/review/cover/"' in cover and "审核第1版" in cover
    assert client_for(world["preparer"]).get(f"/p/{pkg.pk}/")["Location"] == f"/p/{pkg.pk}/f/cover/"


def test_a_new_task_offers_profiles_by_title_and_a_desk_no_form(sent):  # noqa: F811
    from jixiao.web.models import Department

    bureau = sent["task"].bureau
    outside = Unit.objects.create(bureau=bureau, name="某县教育局", budget_code="301009",
                                  department=Department.objects.create(bureau=bureau, name="教科文科"))
    html = client_for(sent["bureau"]).get("/b/new").content.decode()
    assert "全国通行做法（财预〔2020〕10号）" in html and ">national-2020<" not in html
    assert outside.name in html
    desk = User.objects.get(role=Role.BUREAU_DESK, bureau=bureau)
    r = client_for(desk).get("/b/new")  # a 归口 user may not create a task: refused before the form
    html = r.content.decode()
    assert r.status_code == 403 and "只有绩效评价股可以创建自评任务" in html and 'name="title"' not in html


def test_the_api_answers_in_chinese_and_prints_rates_as_the_forms_do(world):
    import json

    from django.test import Client

    r = Client().get("/api/v1/packages")
    assert r.status_code == 401 and "Unauthorized" not in r.content.decode() and "令牌" in r.json()["detail"]
    pkg, c = world["package"], client_for(world["preparer"])
    r = c.post(f"/api/v1/packages/{pkg.pk}/submit", json.dumps({}), content_type="application/json")
    body = r.content.decode()
    assert r.status_code == 422 and "Field required" not in body and '"loc"' not in body
    assert "缺少版本号" in r.json()["detail"]
    r = c.post(f"/api/v1/packages/{pkg.pk}/submit", json.dumps({"version": "三"}), content_type="application/json")
    assert r.status_code == 422 and "版本号（version）应为整数" in r.json()["detail"]
    Package.objects.filter(pk=pkg.pk).update(execution_rate=Decimal("0.479999"))
    [summary] = [p for p in c.get("/api/v1/packages").json() if p["id"] == pkg.pk]
    assert summary["execution_rate"] == "48.00"  # in percent, two decimals, half-up (one format across the API)


def test_the_unit_head_is_not_offered_the_import_page(world):
    pkg = world["package"]
    assert client_for(world["head"]).get(f"/p/{pkg.pk}/import").status_code == 403
    assert client_for(world["preparer"]).get(f"/p/{pkg.pk}/import").status_code == 200
    cover = client_for(world["head"]).get(f"/p/{pkg.pk}/f/cover/").content.decode()
    assert f"/p/{pkg.pk}/import" not in cover


def test_a_desk_is_not_shown_the_tabs_it_cannot_use(sent):  # noqa: F811
    task = sent["task"]
    desk = client_for(User.objects.get(role=Role.BUREAU_DESK, bureau=task.bureau)).get(f"/b/t/{task.pk}/").content.decode()
    performance = client_for(sent["bureau"]).get(f"/b/t/{task.pk}/").content.decode()
    for tab in (f"/b/t/{task.pk}/spot/", f"/b/t/{task.pk}/batch/", f"/b/t/{task.pk}/imports/"):
        assert tab in performance and tab not in desk
    assert f"/b/t/{task.pk}/rollup/" in desk


def test_the_trace_on_the_review_pages_links_back_to_them(world):
    from jixiao.web import versions

    pkg, head = world["package"], world["head"]
    versions.submit(package_id=pkg.pk, user=world["preparer"], version=pkg.version)
    page = client_for(head).get(f"/p/{pkg.pk}/review/annex3/").content.decode()
    assert "trace?path=overall.funds%5B0%5D.rate&amp;on=review" in page
    trace = client_for(head).get(f"/p/{pkg.pk}/trace", {"path": "overall.funds[0].rate", "on": "review"}).content.decode()
    assert f'href="/p/{pkg.pk}/review/annex3/#f-overall-funds-0-executed"' in trace
    drafting = client_for(world["preparer"]).get(f"/p/{pkg.pk}/trace", {"path": "overall.funds[0].rate"}).content.decode()
    assert f'href="/p/{pkg.pk}/f/annex3/#f-overall-funds-0-executed"' in drafting  # the preparer's pages as before


def test_submitting_with_errors_says_how_many_before_it_locks_the_draft(world):
    from jixiao.web.drafts import computation

    pkg = world["package"]
    errors = computation.compute(pkg.draft).summary["errors"]
    assert errors > 0  # the fixture's package has findings of its own
    cover = client_for(world["preparer"]).get(f"/p/{pkg.pk}/f/cover/").content.decode()
    assert f'data-confirm="审核发现仍有 {errors} 处错误（见右侧“审核发现”）。提交后草稿将锁定' in cover


def test_each_money_tables_institution_is_named_by_its_table_and_row(db):
    from jixiao.web.drafts.computation import field_labels

    from .test_stated_figures import make_sample

    package, _ = make_sample()
    labels = field_labels(package.draft)
    named = {labels[f"{key}[1].institution"] for key in ("income", "expenditure", "sangong", "fixed_assets")}
    assert named == {"自评报告 › 年度收入情况第2行·机构名称", "自评报告 › 部门（单位）年度支出和结余情况第2行·机构名称",
                     "自评报告 › “三公”经费情况第2行·机构名称", "自评报告 › 固定资产情况第2行·机构名称"}


def test_the_preparer_reads_why_a_submitted_draft_cannot_be_edited(world):
    from jixiao.web import versions

    pkg = world["package"]
    c = client_for(world["preparer"])
    assert 'id="locked-note"' not in c.get(f"/p/{pkg.pk}/f/cover/").content.decode()
    versions.submit(package_id=pkg.pk, user=world["preparer"], version=pkg.version)
    page = c.get(f"/p/{pkg.pk}/f/cover/").content.decode()
    assert "已提交第1版，数据包单位审核中：审核期间草稿不能修改；退回后可继续修改" in page
    assert 'id="locked-note"' not in client_for(world["head"]).get(f"/p/{pkg.pk}/f/cover/").content.decode()


def test_a_returned_package_names_the_bureau_once(sent):  # noqa: F811
    from .test_bureau import decide

    pkg = sent["package"]
    assert decide(client_for(sent["bureau"]), pkg, action="return", reason="偏差原因分析不充分").status_code == 302
    box = text_of(client_for(sent["preparer"]).get(f"/p/{pkg.pk}/f/cover/").content.decode(), "return-comments")
    assert "财政部门退回：偏差原因分析不充分" in box
    assert "【" not in box and box.count("财政部门") == 1, box  # not "财政部门：【财政退回】…"


def test_dates_are_typed_in_chinese_forms_and_read_by_one_parser():
    import pytest

    from jixiao.web.dates import MISSING, UNREADABLE, DateUnreadable, read_date

    for typed in ("2026-06-30", "2026/6/30", "2026年6月30日", " ２０２６年６月３０日 ", "2026.6.30", "2026 年 6 月 30 日"):
        assert read_date(typed) == date(2026, 6, 30), typed
    assert read_date("") is None and read_date(None) is None
    for typed, message in (("6月底", UNREADABLE), ("2026-06-30 以前", UNREADABLE), ("06/30/2026", UNREADABLE),
                           ("2026-02-30", "没有这一天：2026-02-30")):
        with pytest.raises(DateUnreadable) as caught:
            read_date(typed)
        assert caught.value.message == message, typed
    with pytest.raises(DateUnreadable) as caught:
        read_date(" ", required=True)
    assert caught.value.message == MISSING


def test_no_form_uses_the_browsers_date_picker():
    """Its placeholder and calendar speak the browser's language ("mm/dd/yyyy"): every date is a text field."""
    from pathlib import Path

    import jixiao.web

    root = Path(jixiao.web.__file__).parent
    pickers = [str(p.relative_to(root)) for p in root.rglob("*.html") if 'type="date"' in p.read_text(encoding="utf-8")]
    assert not pickers, pickers


def test_the_bureaus_date_fields_accept_chinese_dates_and_keep_a_refused_entry(sent):  # noqa: F811
    from .test_bureau import decide

    pkg, c = sent["package"], client_for(sent["bureau"])
    r = decide(c, pkg, action="accept", opinion="同意，请按时公开。", signer="王审核", signed_on="7月1日")
    assert r.status_code == 400
    html = r.content.decode()
    assert '<span class="field-error" id="a-date-error" role="alert">读不出日期' in html
    assert 'id="a-date" name="signed_on" value="7月1日"' in html and "同意，请按时公开。</textarea>" in html
    assert Package.objects.get(pk=pkg.pk).status == Status.SUBMITTED  # nothing decided
    r = decide(c, pkg, action="accept", opinion="同意。", signer="王审核", signed_on="2024年7月1日")
    assert r.status_code == 302
    assert pkg.bureau_decisions.get(action="accept").signed_on == date(2024, 7, 1)
    due = date.today().replace(year=date.today().year + 1)
    r = c.post(f"/b/p/{pkg.pk}/decide", {"action": "rectify", "text": "补充满意度调查样本", "due": "明年"})
    assert r.status_code == 400 and 'id="n-due" name="due" value="明年"' in r.content.decode()
    assert "补充满意度调查样本</textarea>" in r.content.decode()
    r = c.post(f"/b/p/{pkg.pk}/decide", {"action": "rectify", "text": "补充满意度调查样本",
                                         "due": f"{due.year}/{due.month}/{due.day}"})
    assert r.status_code == 302 and pkg.rectifications.get().due == due


def test_the_versions_page_folds_its_digests_under_a_chinese_explanation(sent):  # noqa: F811
    import re

    from .conftest import text_of

    pkg = sent["package"]
    version = pkg.submissions.order_by("-number").first()
    html = client_for(sent["preparer"]).get(f"/p/{pkg.pk}/versions/").content.decode()
    listed = html[html.index('<table class="list versions">'):html.index('id="version-digests"')]
    assert not re.search(r"[0-9a-f]{12}", listed) and "SM3" not in listed  # the versions table reads without them
    assert f"<td>{services_title(version.profile)}</td>" in listed  # the scheme by its Chinese title
    folded = text_of(html, "version-digests")
    assert folded.startswith("校验信息") and "能证明该版本报送后未被改动" in folded and "jixiao verify" in folded
    assert version.content_hash in folded and version.profile_digest in folded  # kept whole, for checking


def services_title(name: str) -> str:
    from jixiao import services

    return services.profile(name=name).title
