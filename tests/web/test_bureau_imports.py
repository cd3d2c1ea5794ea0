"""The bureau's imports: the 一体化 budget execution (pre-fill, flags, strict validation, 运行监控)
and the zip / folder of packages sent outside the system (matched, audited, stored as submissions)."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jixiao import services
from jixiao.web.drafts import fields
from jixiao.web.models import (
    Comment,
    Department,
    ExecutionCheck,
    ExecutionFigure,
    ExecutionImport,
    FieldEdit,
    Package,
    PackageImport,
    Role,
    Status,
    Submission,
    User,
)

from .conftest import FIXTURE, client_for, text_of
from .test_bureau import sent  # noqa: F401 - the fixture, used by name

EXEC = "projects[0].funds[0].executed"  # 造林补助's 年度资金总额 row, 全年执行数


def _upload(client, task, name: str, data: bytes, follow: bool = True):
    """Post the file; one that passes the checks is written by the worker's job, run here (its task
    called directly: a worker closing the connection would end the test's transaction on
    PostgreSQL), and the page it redirects to is read when it is done."""
    r = client.post(f"/b/t/{task.pk}/execution/", {"file": SimpleUploadedFile(name, data)})
    if r.status_code == 302:
        run_queued_execution_import(task)
        if follow:
            r = client.get(r["Location"])
    return r


def run_queued_execution_import(task) -> None:
    from jixiao.web.review.imports import run_execution_import

    job = task.execution_jobs.get(state="queued")
    run_execution_import.call(job.pk)
    job.refresh_from_db()
    assert job.state == "done", job.error


def _csv(*rows: str, head: str = "预算编码,单位名称,项目,全年预算数,全年执行数") -> bytes:
    return ("\n".join([head, *rows]) + "\n").encode("utf-8-sig")


@pytest.fixture
def drafts(world):
    """Both units hold drafts; the water bureau's names its own unit; a 归口业务科室 user."""
    water = world["other_package"]
    water.draft = fields.put(fields.put(water.draft, "unit.name", "某县水利局"), "unit.budget_code", "301002")
    water.save()
    dept = Department.objects.create(bureau=world["task"].bureau, name="农业农村科")
    world["task"].units.update(department=dept)  # both units are the desk's (归口业务科室 see their department's)
    world["desk"] = User.objects.create(username="gk", display_name="归口科", role=Role.BUREAU_DESK,
                                        bureau=world["task"].bureau, department=dept, password="x")
    return world


# --- 一体化: pre-fill and flags -----------------------------------------------------------------------


def test_the_import_prefills_empty_figures_and_marks_differing_ones_without_overwriting(drafts):
    task, forestry, water = drafts["task"], drafts["package"], drafts["other_package"]
    forestry.draft = fields.put(forestry.draft, EXEC, None)  # the forestry bureau has not entered it yet
    forestry.save()
    data = _csv("301001,某县林业局,造林补助,200,180", "301001,某县林业局,,500,450", "301002,某县水利局, 造林补助 ,200,150")
    r = _upload(client_for(drafts["bureau"]), task, "一体化2023.csv", data)
    assert r.status_code == 200, text_of(r.content.decode(), "main")
    html = r.content.decode()
    assert "预填1处" in html and "1处填报数与一体化不一致" in html
    forestry.refresh_from_db()
    water.refresh_from_db()
    # the empty figure is pre-filled, as an import edit in the history; the engine's rate follows it
    assert fields.get(forestry.draft, EXEC) == "180.00" and forestry.version == 2
    edit = forestry.edits.get(kind="import", path=EXEC)
    assert (edit.old, edit.new, edit.user) == (None, "180.00", drafts["bureau"])
    assert fields.get(forestry.draft, "projects[0].funds[0].rate") == "90.00%"
    # the figure the water bureau entered differently stays; a comment on that field says what 一体化 has
    assert fields.get(water.draft, EXEC) == "200" and water.version == 1
    note = Comment.objects.get(package=water, path=EXEC)
    assert "150.00" in note.text and "200.00" in note.text and not note.resolved
    # the water bureau's preparer sees it beside the field on its own form
    assert "【一体化】一体化系统的全年执行数为 150.00 万元" in client_for(drafts["other"]).get(f"/p/{water.pk}/f/project-0/").content.decode()
    assert ExecutionCheck.objects.get(package=water).differences == 1
    assert ExecutionCheck.objects.get(package=forestry).differences == 0
    assert ExecutionFigure.objects.filter(task=task).count() == 3
    # the dashboard flags the water bureau only, and filters by the flag
    c = client_for(drafts["bureau"])
    dash = c.get(f"/b/t/{task.pk}/").content.decode()
    assert "一体化不一致1处" in text_of(dash, "unit-301002") and "一体化不一致" not in text_of(dash, "unit-301001")
    only = c.get(f"/b/t/{task.pk}/?flag=exec").content.decode()
    assert "某县水利局" in only and "unit-301001" not in only
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(c.get(f"/b/t/{task.pk}/dashboard.xlsx").content)).active
    col = [cell.value for cell in ws[1]].index("与一体化不一致（处）")
    assert {r[0].value: r[col].value for r in ws.iter_rows(min_row=2)} == {"301001": 0, "301002": 1}
    # importing the same file again adds no second comment and changes no draft
    _upload(c, task, "一体化2023.csv", data)
    assert Comment.objects.filter(package=water, path=EXEC).count() == 1
    forestry.refresh_from_db()
    assert forestry.version == 2


def test_a_sent_package_is_flagged_and_its_review_lists_stated_beside_imported(sent):  # noqa: F811
    task, pkg = sent["task"], sent["package"]
    version = pkg.version
    _upload(client_for(sent["bureau"]), task, "执行.csv", _csv("301001,,造林补助,200,160.5", "301002,,造林补助,200,200",
                                                                         "301001,,护林员补助,30,30"))
    pkg.refresh_from_db()
    assert pkg.version == version and not FieldEdit.objects.filter(package=pkg, kind="import").exists()  # sent: not touched
    html = client_for(sent["desk"]).get(f"/b/p/{pkg.pk}/").content.decode()
    table = text_of(html, "b-execution")
    assert "造林补助" in table and "全年执行数" in table and "200.00" in table and "160.50" in table and "不一致" in table
    assert "护林员补助" in table and "数据包中没有该项目" in table
    other = client_for(sent["desk"]).get(f"/b/p/{sent['other_package'].pk}/").content.decode()
    assert "与一体化系统一致" in other
    dash = client_for(sent["desk"]).get(f"/b/t/{task.pk}/").content.decode()
    assert "一体化不一致2处" in text_of(dash, "unit-301001")


def test_the_flag_follows_the_package_when_the_unit_corrects_its_figure(drafts):
    task, water = drafts["task"], drafts["other_package"]
    _upload(client_for(drafts["bureau"]), task, "执行.csv", _csv("301002,,造林补助,200,150"))
    assert ExecutionCheck.objects.get(package=water).differences == 1
    from .conftest import post_edit

    post_edit(client_for(drafts["other"]), water, EXEC, "150")
    dash = client_for(drafts["bureau"]).get(f"/b/t/{task.pk}/").content.decode()
    assert "一体化不一致" not in text_of(dash, "unit-301002")
    water.refresh_from_db()
    assert ExecutionCheck.objects.get(package=water).version == water.version


def test_an_xlsx_export_with_a_title_row_and_amounts_in_yuan(drafts):
    wb = Workbook()
    ws = wb.active
    ws.append(["2023年预算执行情况（一体化系统导出）"])
    ws.append(["预算编码", "项目名称", "全年预算数（元）", "全年执行数（元）", "截至月份"])
    ws.append(["301001", "造林补助", 2_000_000, 1_805_000.5, None])
    ws.append(["301001", "造林补助", 2_000_000, 600_000, "6月"])
    ws.append(["301002", "造林补助", 2_000_000, 1_000_000, 6])
    ws.append(["301002", "造林补助", 2_000_000, 300_000, 4])
    buf = io.BytesIO()
    wb.save(buf)
    r = _upload(client_for(drafts["bureau"]), drafts["task"], "执行.xlsx", buf.getvalue())
    assert r.status_code == 200
    year_end = ExecutionFigure.objects.get(unit__budget_code="301001", month=0)
    assert year_end.budget == Decimal(200) and year_end.executed == Decimal("180.50005")
    assert ExecutionFigure.objects.filter(month__gt=0).count() == 3
    # 运行监控: 30% by June (below 45%) and 15% by April (below 25%) are warned of; 50% by June is not
    dash = client_for(drafts["desk"]).get(f"/b/t/{drafts['task'].pk}/").content.decode()
    warnings = text_of(dash, "monitoring-warnings")
    assert "30.00%" in warnings and "6月末 45.00%" in warnings
    assert "15.00%" in warnings and "4月末 25.00%" in warnings
    assert "50.00%" not in warnings
    assert dash.count("<tr", dash.index('id="monitoring-warnings"'), dash.index("</table>", dash.index('id="monitoring-warnings"'))) == 3


def test_a_tab_separated_export_with_its_total_row(drafts, monkeypatch):
    data = "预算编码\t项目\t全年预算数\t全年执行数\t月份\n301001\t造林补助\t200\t40\t6\n301002\t造林补助\t200\t20\t4\n\t合计\t400\t60\t\n"
    r = _upload(client_for(drafts["bureau"]), drafts["task"], "执行.csv", data.encode("gb18030"))
    assert r.status_code == 200
    assert ExecutionFigure.objects.count() == 2
    monkeypatch.setattr("jixiao.web.bureau.views.DASHBOARD_WARNINGS", 1)
    dash = client_for(drafts["bureau"]).get(f"/b/t/{drafts['task'].pk}/").content.decode()
    assert "共 2 条预警，此处列出前 1 条" in text_of(dash, "monitoring")


BAD = [
    (_csv("301001,,造林补助,200,一百八十"), "第2行：“全年执行数”的“一百八十”不是数字"),
    (_csv("301001,,造林补助,200,180abc"), "不是数字"),
    (_csv("309999,,造林补助,200,180"), "第2行：预算编码“309999”不是本任务的参评单位"),
    (_csv("301001,某县水利局,造林补助,200,180"), "预算编码“301001”是“某县林业局”"),
    (_csv("301001,,造林补助,200", head="预算编码,单位名称,项目,全年预算数"), "缺少列：全年执行数"),
    (_csv("301001,造林补助,200,180", head="单位,项目,全年预算数,全年执行数"), "没有找到表头"),
    (_csv("301001,,造林补助,200,180", "301001,,造林补助,200,170"), "第3行：与第2行重复"),
    (_csv("301001,,造林补助,200,180,13", head="预算编码,单位名称,项目,全年预算数,全年执行数,月份"), "截至月份“13”应为 1–12"),
    (_csv("301001,,造林补助,200,-5"), "不能为负数"),
    (_csv("301001,,造林补助,,180"), "缺少“全年预算数”"),
    (_csv("301001,,造林补助,200,180", head="预算编码,单位名称,项目,全年预算数（美元）,全年执行数"), "无法识别"),
    (_csv(), "没有数据行"),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_a_bad_file_is_refused_with_each_problem_and_nothing_is_written(drafts, data, message):
    task, forestry = drafts["task"], drafts["package"]
    forestry.draft = fields.put(forestry.draft, EXEC, None)
    forestry.save()
    good_row = b"301002,,\xe9\x80\xa0\xe6\x9e\x97\xe8\xa1\xa5\xe5\x8a\xa9,200,150\n"  # 造林补助: would conflict, and is not stored
    r = _upload(client_for(drafts["bureau"]), task, "执行.csv", data + (good_row if data.count(b"\n") > 1 else b""))
    assert r.status_code == 422
    assert message in text_of(r.content.decode(), "main")
    assert not ExecutionImport.objects.exists() and not ExecutionFigure.objects.exists()
    assert not Comment.objects.exists() and not ExecutionCheck.objects.exists()
    forestry.refresh_from_db()
    assert forestry.version == 1 and fields.get(forestry.draft, EXEC) is None


@pytest.mark.parametrize(("name", "data", "status", "message"), [
    ("执行.txt", b"a,b", 400, "请上传一体化系统导出的 .csv 或 .xlsx 文件"),
    ("执行.csv", b"", 400, "上传的文件是空的"),
    ("执行.xlsx", b"PK\x03\x04 not a workbook", 400, "不是有效的 Excel 工作簿"),
    ("执行.csv", b"\x00\x01\x02binary", 400, "不是文本格式"),
])
def test_a_wrong_file_type_is_refused(drafts, name, data, status, message):
    r = _upload(client_for(drafts["bureau"]), drafts["task"], name, data)
    assert r.status_code == status and message in r.content.decode()
    assert not ExecutionImport.objects.exists()


def test_a_file_over_the_upload_limit_is_refused(drafts, settings):
    settings.JIXIAO_MAX_UPLOAD_BYTES = 1024
    r = _upload(client_for(drafts["bureau"]), drafts["task"], "执行.csv", _csv(*["301001,,造林补助,200,180"] * 100))
    assert r.status_code == 413 and "过大" in r.content.decode()
    assert not ExecutionImport.objects.exists()


def test_only_the_performance_section_of_the_tasks_bureau_imports(drafts):
    task = drafts["task"]
    data = _csv("301001,,造林补助,200,180")
    assert _upload(client_for(drafts["desk"]), task, "执行.csv", data).status_code == 403
    for who in ("preparer", "head", "other"):
        assert _upload(client_for(drafts[who]), task, "执行.csv", data).status_code == 404
    assert not ExecutionImport.objects.exists()
    # both bureau roles read the 一体化 page; the outside-package import is the 绩效评价股's alone (issue 21)
    for who in ("bureau", "desk"):
        assert client_for(drafts[who]).get(f"/b/t/{task.pk}/execution/").status_code == 200
    assert client_for(drafts["bureau"]).get(f"/b/t/{task.pk}/imports/").status_code == 200
    assert client_for(drafts["desk"]).get(f"/b/t/{task.pk}/imports/").status_code == 403


# --- outside packages ------------------------------------------------------------------------------


def _workbook(tmp_path, name: str, code: str) -> bytes:
    pkg = services.read(path=FIXTURE)
    pkg.unit.name, pkg.unit.budget_code = name, code
    return services.render(package=pkg, outdir=tmp_path / code, charts=False).xlsx.read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members.items():
            z.writestr(n, d)
    return buf.getvalue()


def test_a_zip_of_outside_packages_is_matched_audited_and_stored_by_the_worker(transactional_db, drafts, tmp_path):
    from django.core.management import call_command

    task, c = drafts["task"], client_for(drafts["bureau"])
    water = _workbook(tmp_path, "某县水利局", "301002")
    Package.objects.filter(pk=drafts["package"].pk).update(status=Status.IN_REVIEW)  # the forestry bureau is in the system
    data = _zip({
        "外部/水利局自评表.xlsx": water,
        "外部/水利局自评表（重复）.xlsx": water,
        "外部/林业局.xlsx": _workbook(tmp_path, "某县林业局", "301001"),
        "外部/农业局.xlsx": _workbook(tmp_path, "某县农业局", "309999"),
        "../越界.xlsx": water,
        "外部/照片.png": b"\x89PNG",
        "外部/坏的.docx": b"PK\x03\x04 not a document",
        "外部/某县水利局说明.txt": "某县水利局报送说明。\n没有任何表格。\n".encode(),
        "__MACOSX/._水利局自评表.xlsx": b"junk",
    })
    r = c.post(f"/b/t/{task.pk}/imports/", {"file": SimpleUploadedFile("外部报送.zip", data)}, follow=True)
    assert "已提交导入" in r.content.decode()
    job = PackageImport.objects.get()
    assert job.state == "queued"
    html = c.get(f"/b/t/{task.pk}/imports/{job.pk}").content.decode()
    assert "<progress" in html and "hx-trigger" in html
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    job.refresh_from_db()
    assert job.state == "done" and job.total == job.done == 8
    by_file = {r["file"]: r for r in job.results}
    assert set(by_file) == {"外部/水利局自评表.xlsx", "外部/水利局自评表（重复）.xlsx", "外部/林业局.xlsx", "外部/农业局.xlsx",
                            "../越界.xlsx", "外部/照片.png", "外部/坏的.docx", "外部/某县水利局说明.txt"}
    ok = by_file["外部/水利局自评表.xlsx"]
    assert (ok["outcome"], ok["code"]) == ("imported", "301002") and ok["reason"].startswith("按预算编码")
    assert "草稿未改动，未代为报送" in ok["reason"]  # the water bureau holds a draft in the system
    assert by_file["外部/水利局自评表（重复）.xlsx"]["outcome"] == "skipped"
    assert by_file["外部/林业局.xlsx"]["outcome"] == "skipped" and "单位审核中" in by_file["外部/林业局.xlsx"]["reason"]
    assert by_file["外部/农业局.xlsx"]["outcome"] == "unmatched" and "309999" in by_file["外部/农业局.xlsx"]["reason"]
    assert "路径不安全" in by_file["../越界.xlsx"]["reason"] and by_file["../越界.xlsx"]["outcome"] == "skipped"
    assert "不支持的文件类型" in by_file["外部/照片.png"]["reason"] and by_file["外部/照片.png"]["outcome"] == "skipped"
    assert by_file["外部/坏的.docx"]["outcome"] == "unreadable" and "坏的.docx" in by_file["外部/坏的.docx"]["reason"]
    assert by_file["外部/某县水利局说明.txt"]["outcome"] == "unreadable"  # names the water bureau in its file name, but holds no package
    assert not any("Traceback" in r["reason"] for r in job.results)
    # stored as a version sent to the bureau beside the water bureau's draft, its origin marked,
    # audited; the unit's draft, its version counter and its status are the unit's as they were
    water_pkg, before = drafts["other_package"], drafts["other_package"].draft
    water_pkg.refresh_from_db()
    sub = water_pkg.submissions.get()
    assert water_pkg.status == Status.DRAFT and sub.state == Submission.State.APPROVED
    assert water_pkg.draft == before and water_pkg.version == 1 and not water_pkg.edits.exists()
    assert sub.origin == "外部导入：水利局自评表.xlsx" and sub.created_by == drafts["bureau"]  # its name, not its path
    assert (ok["version"], ok["errors"], ok["warnings"]) == (sub.number, sub.errors, sub.warnings)
    review = client_for(drafts["desk"]).get(f"/b/p/{water_pkg.pk}/").content.decode()
    assert "外部导入：水利局自评表.xlsx" in text_of(review, "b-origin")
    html = c.get(f"/b/t/{task.pk}/imports/").content.decode()
    assert "已完成" in html and "未匹配" in html and "hx-trigger" not in html
    assert not list((__import__("django.conf").conf.settings.MEDIA_ROOT / "imports").iterdir())  # the zip is not kept


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("大.txt", b"0" * (8 * 1024 * 1024))
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("炸弹.zip", _bomb(), "疑似压缩炸弹"),
    ("不是.zip", b"PK\x03\x04 broken", "不是有效的 .zip"),
    ("文件.rar", b"Rar!", "请上传 .zip"),
    ("空.zip", _zip({"说明.pdf": b"%PDF"}), "没有 .docx、.xlsx 或 .txt"),
])
def test_a_bad_zip_is_refused_before_anything_is_stored(drafts, settings, name, data, message):
    r = client_for(drafts["bureau"]).post(f"/b/t/{drafts['task'].pk}/imports/", {"file": SimpleUploadedFile(name, data)})
    assert r.status_code == 400 and message in r.content.decode()
    assert not PackageImport.objects.exists()
    assert not (settings.MEDIA_ROOT / "imports").exists() or not list((settings.MEDIA_ROOT / "imports").iterdir())


def test_the_desk_and_outsiders_cannot_import_packages(drafts):
    data = _zip({"a.txt": b"x"})
    url = f"/b/t/{drafts['task'].pk}/imports/"
    assert client_for(drafts["desk"]).post(url, {"file": SimpleUploadedFile("a.zip", data)}).status_code == 403
    assert client_for(drafts["head"]).post(url, {"file": SimpleUploadedFile("a.zip", data)}).status_code == 404
    assert not PackageImport.objects.exists()


def test_the_folder_import_command(drafts, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    folder = tmp_path / "收到的材料"
    folder.mkdir()
    # the name matches, the code is missing in the document: matched by name
    (folder / "水利局.xlsx").write_bytes(_workbook(tmp_path, "某县水利局", ""))
    (folder / "说明.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "链接.xlsx").symlink_to(folder / "水利局.xlsx")
    with pytest.raises(CommandError, match="2 个文件未导入"):
        call_command("import_packages", str(drafts["task"].pk), str(folder), user="czj")
    out = capsys.readouterr().out
    assert "已导入：水利局.xlsx → 某县水利局" in out and "按单位名称" in out
    assert "说明.doc" in out and "不支持的文件类型" in out and "符号链接" in out
    assert "共 3 个文件，导入 1 个" in out
    drafts["other_package"].refresh_from_db()
    assert drafts["other_package"].status == Status.DRAFT  # the unit's draft is beside, not replaced
    assert drafts["other_package"].submissions.get().origin == "外部导入：水利局.xlsx"
    with pytest.raises(CommandError, match="没有这个文件夹"):
        call_command("import_packages", str(drafts["task"].pk), str(tmp_path / "无"), user="czj")
    with pytest.raises(CommandError, match="绩效评价股"):
        call_command("import_packages", str(drafts["task"].pk), str(folder), user="lin_tb")
    with pytest.raises(CommandError, match="没有编号"):
        call_command("import_packages", "99999", str(folder), user="czj")
