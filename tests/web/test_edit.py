"""The live edit: one field posted, stored if it reads, every dependent figure recomputed and sent
back as htmx out-of-band fragments; bad input and stale forms lose nothing."""

from jixiao.web.models import FieldEdit

from .conftest import client_for, post_edit, text_of


def _fragment(html: str, element_id: str) -> str:
    return text_of(html, element_id)


def test_a_judged_score_keeps_the_units_value_beside_the_engines_reading(world):
    """national-2020's score rules are not verified: an indicator's 得分 is judged — the unit's value
    stands, the engine's reading is offered with the range the rule allows."""
    pkg, c = world["package"], client_for(world["preparer"])
    r = post_edit(c, pkg, "projects[0].indicators[0].actual", "400亩", form="project-0")
    assert r.status_code == 200
    html = r.content.decode()
    assert _fragment(html, "fig-projects-0-indicators-0-score").startswith("参考 25.00")  # 400 ÷ 800 × 50
    assert _fragment(html, "fig-projects-0-total") == "100.00"  # the sum of what stands: still the unit's 50
    assert "findings" in html and 'hx-swap-oob="true"' in html
    pkg.refresh_from_db()
    assert pkg.draft["projects"][0]["indicators"][0]["score"] == "50"
    edit = FieldEdit.objects.get(package=pkg, path="projects[0].indicators[0].actual")
    assert (edit.old, edit.new, edit.user, edit.version) == ("800亩", "400亩", world["preparer"], pkg.version)
    # the preparer judges the score: the total follows
    r = post_edit(c, pkg, "projects[0].indicators[0].score", "25", form="project-0")
    assert r.status_code == 200
    assert _fragment(r.content.decode(), "fig-projects-0-total") == "75.00"


def test_a_ruled_score_is_the_engines_and_cannot_be_typed(world):
    """Under a profile whose rules are verified, the score is ruled: set by the engine on every save."""
    from .conftest import FIXTURE

    pkg, c = world["package"], client_for(world["preparer"])
    pkg.draft = {**pkg.draft, "profile": str(FIXTURE.parents[1] / "profiles" / "test-verified-2023.yaml")}
    pkg.save()
    r = post_edit(c, pkg, "projects[0].indicators[0].actual", "400亩", form="project-0")
    html = r.content.decode()
    assert _fragment(html, "fig-projects-0-indicators-0-score") == "25.00"
    assert _fragment(html, "fig-projects-0-total") == "75.00"
    pkg.refresh_from_db()
    assert pkg.draft["projects"][0]["indicators"][0]["score"] == "25.00"
    r = post_edit(c, pkg, "projects[0].indicators[0].score", "50")
    assert r.status_code == 422 and "系统按公式计算" in r.content.decode()


def test_a_figure_that_is_not_a_number_is_refused_beside_the_field(world):
    pkg, c = world["package"], client_for(world["preparer"])
    before = pkg.draft
    r = post_edit(c, pkg, "projects[0].funds[0].executed", "二百万", form="project-0")
    assert r.status_code == 422
    assert "不是数字" in _fragment(r.content.decode(), "err-projects-0-funds-0-executed")
    pkg.refresh_from_db()
    assert pkg.draft == before and pkg.version == 1
    # the typed text is kept for the preparer and shown again on the page with the message
    page = c.get(f"/p/{pkg.pk}/f/project-0/").content.decode()
    assert 'value="二百万"' in page and "有 1 处填写未保存" in page


def test_a_stale_form_posted_twice_is_refused_and_loses_nothing(world):
    pkg, c = world["package"], client_for(world["preparer"])
    assert post_edit(c, pkg, "projects[0].indicators[1].actual", "86%", version=1).status_code == 200
    r = post_edit(c, pkg, "projects[0].indicators[1].actual", "80%", version=1)
    assert r.status_code == 409
    msg = _fragment(r.content.decode(), "ws-message")
    assert "保存失败" in msg and "86%" in msg and "80%" in msg
    pkg.refresh_from_db()
    assert pkg.draft["projects"][0]["indicators"][1]["actual"] == "86%"
    # the preparer may keep their own entry: it is posted again on the version the response brought
    assert "仍以我填写的“80%”为准" in r.content.decode()
    assert post_edit(c, pkg, "projects[0].indicators[1].actual", "80%").status_code == 200
    pkg.refresh_from_db()
    assert pkg.draft["projects"][0]["indicators"][1]["actual"] == "80%"


def test_a_stale_entry_equal_to_an_intermediate_value_does_not_overwrite_a_later_one(world):
    """Found by bench/load.py: A sets a field to 86%, then to 90%; B, on the version before both,
    enters 86%. The field's current value (90%) is A's, which B never saw: refused, not applied."""
    pkg, c = world["package"], client_for(world["preparer"])
    path = "projects[0].indicators[1].actual"
    assert post_edit(c, pkg, path, "86%", version=1).status_code == 200
    assert post_edit(c, pkg, path, "90%").status_code == 200
    r = post_edit(c, pkg, path, "86%", version=1)
    assert r.status_code == 409
    msg = _fragment(r.content.decode(), "ws-message")
    assert "90%" in msg and "86%" in msg  # the value now there (the latest change), and the entry
    pkg.refresh_from_db()
    assert pkg.draft["projects"][0]["indicators"][1]["actual"] == "90%" and pkg.version == 3
    # a stale entry equal to what the field holds now changes nothing and is no conflict
    assert post_edit(c, pkg, path, "90%", version=1).status_code == 200
    pkg.refresh_from_db()
    assert pkg.version == 3


def test_a_nul_character_is_refused_with_a_message_not_a_server_error(world):
    """PostgreSQL cannot store a NUL in the draft (jsonb): found by the API fuzz test on PostgreSQL as a
    500. Typed or imported, it is refused with a Chinese message and nothing is stored."""
    import json

    from jixiao.web import versions

    from .conftest import canonical

    pkg, c = world["package"], client_for(world["preparer"])
    before = pkg.draft
    r = post_edit(c, pkg, "unit.contact", "张\x00三")
    # the input guard (security/inputs.py) refuses it before any view, in Chinese
    assert r.status_code == 400 and "空字符" in r.content.decode()
    doc = canonical()
    doc["unit"]["name"] = "某县\x00林业局"
    result = versions.import_draft(package_id=pkg.pk, user=world["preparer"], filename="x.json",
                            data=json.dumps(doc, ensure_ascii=False).encode("utf-8"), version=1)
    assert not result.ok and "空字符" in result.message
    pkg.refresh_from_db()
    assert pkg.draft == before and pkg.version == 1


def test_an_edit_on_an_older_version_to_another_field_is_merged(world):
    pkg, c = world["package"], client_for(world["preparer"])
    assert post_edit(c, pkg, "projects[0].indicators[1].actual", "86%", version=1).status_code == 200
    assert post_edit(c, pkg, "projects[0].indicators[2].actual", "93%", version=1).status_code == 200
    pkg.refresh_from_db()
    inds = pkg.draft["projects"][0]["indicators"]
    assert (inds[1]["actual"], inds[2]["actual"]) == ("86%", "93%")


def test_computed_figures_cannot_be_typed(world):
    pkg, c = world["package"], client_for(world["preparer"])
    r = post_edit(c, pkg, "projects[0].total", "60")
    assert r.status_code == 422 and "系统按公式计算" in r.content.decode()


def test_a_unit_head_cannot_edit_the_draft(world):
    pkg = world["package"]
    r = post_edit(client_for(world["head"]), pkg, "unit.contact", "李四")
    assert r.status_code == 403
    pkg.refresh_from_db()
    assert pkg.draft["unit"]["contact"] == "张三"


def test_rows_are_added_reordered_and_removed(world):
    pkg, c = world["package"], client_for(world["preparer"])
    base = f"/p/{pkg.pk}/structure"
    c.post(base, {"op": "add", "path": "projects[0].indicators", "version": 1, "form": "project-0"})
    pkg.refresh_from_db()
    names = [i["name"] for i in pkg.draft["projects"][0]["indicators"]]
    assert names[-1] == "新指标" and len(names) == 4
    c.post(base, {"op": "up", "path": "projects[0].indicators[3]", "version": pkg.version, "form": "project-0"})
    pkg.refresh_from_db()
    assert pkg.draft["projects"][0]["indicators"][2]["name"] == "新指标"
    c.post(base, {"op": "remove", "path": "projects[0].indicators[2]", "version": pkg.version, "form": "project-0"})
    pkg.refresh_from_db()
    assert [i["name"] for i in pkg.draft["projects"][0]["indicators"]] == ["补助面积", "成活率", "农户满意度"]
    c.post(base, {"op": "add", "path": "projects", "version": pkg.version})
    pkg.refresh_from_db()
    assert [p["name"] for p in pkg.draft["projects"]] == ["造林补助", "新项目"]
    # a structure change on a stale version is refused: row indices may have moved
    r = c.post(base, {"op": "remove", "path": "projects[1]", "version": 1}, follow=True)
    # … naming who changed the rows and both versions
    assert "调整表格失败：您打开页面后，林填报已增删或调整了表格的行（当前第5版，您看到的是第1版）" in r.content.decode()
    pkg.refresh_from_db()
    assert len(pkg.draft["projects"]) == 2


def test_narrative_cites_a_figure_with_its_current_value(world):
    pkg, c = world["package"], client_for(world["preparer"])
    r = post_edit(c, pkg, "narrative.achievements", "全年项目总分{{造林补助·总分}}，执行率{{整体预算执行率}}。", form="narrative")
    assert r.status_code == 200
    assert _fragment(r.content.decode(), "fig-narrative-achievements").endswith("全年项目总分100.00，执行率90.00%。")
    post_edit(c, pkg, "projects[0].indicators[0].score", "25")
    page = c.get(f"/p/{pkg.pk}/f/narrative/").content.decode()
    assert "75.00" in _fragment(page, "fig-narrative-achievements")
    # a reference to a figure that does not exist is reported as an error finding
    post_edit(c, pkg, "narrative.problems", "见{{不存在的数}}", form="narrative")
    assert "正文引用的数字“不存在的数”不存在" in c.get(f"/p/{pkg.pk}/f/narrative/").content.decode()


def test_a_trace_names_formula_inputs_and_clause(world):
    pkg, c = world["package"], client_for(world["preparer"])
    html = c.get(f"/p/{pkg.pk}/trace", {"path": "projects[0].funds[0].rate"}).content.decode()
    assert "全年执行数 ÷ 全年预算数" in html
    assert f'href="/p/{pkg.pk}/f/project-0/#f-projects-0-funds-0-executed"' in html
    assert "全国通行做法（财预〔2020〕10号）·预算执行率得分规则" in html and "national-2020" not in html


def test_an_edit_made_before_an_import_names_the_import_not_a_change_of_rows(world):
    """A draft replaced by an imported file after the page was opened: the stale entry is refused and
    the message says that an import changed the draft (not that rows were added or moved)."""
    import json

    from jixiao.web import versions

    from .conftest import canonical

    pkg, c = world["package"], client_for(world["preparer"])
    changed = canonical() | {"title": "某县林业局2023年度部门整体支出绩效自评报告（修订）"}
    result = versions.import_draft(package_id=pkg.pk, user=world["preparer"], filename="林业局.json",
                                   data=json.dumps(changed, ensure_ascii=False).encode("utf-8"), version=1)
    assert result.ok
    r = post_edit(c, pkg, "unit.contact", "李四", version=1)
    assert r.status_code == 409
    msg = _fragment(r.content.decode(), "ws-message")
    assert "导入数据更新了草稿（导入 林业局.json）" in msg and "增删或调整" not in msg and "李四" in msg
