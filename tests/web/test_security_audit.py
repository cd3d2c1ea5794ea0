"""The audit log: every change and security event is an entry, written in the change's own
transaction; the HMAC-SM3 chain finds an entry altered, removed or inserted."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction

from jixiao.cli import main
from jixiao.web import versions
from jixiao.web.models import FieldEdit
from jixiao.web.security import audit
from jixiao.web.security.models import AppendOnlyError, AuditEntry

from .conftest import PASSWORD, client_for, post_edit


def _entries(action=None):
    qs = AuditEntry.objects.order_by("seq")
    return list(qs.filter(action=action) if action else qs)


def _edit(world, value="林小填"):
    pkg = world["package"]
    pkg.refresh_from_db()
    return versions.apply_edit(package_id=pkg.pk, user=world["preparer"], path="unit.contact", raw=value, version=pkg.version)


def test_an_edit_records_who_where_what(world):
    r = post_edit(client_for(world["preparer"]), world["package"], "unit.contact", "林小填")
    assert r.status_code == 200
    e = [e for e in _entries("edit") if e.path == "unit.contact"][-1]
    assert (e.actor, e.role, e.ip, e.result) == ("lin_tb", "preparer", "127.0.0.1", "ok")
    assert json.loads(e.new) == "林小填"
    assert json.loads(e.old) == world["package"].draft["unit"].get("contact")
    assert e.target == f"package:{world['package'].pk}"


def test_the_entry_is_rolled_back_with_the_change(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _edit(world).ok
        assert _entries("edit")
        raise RuntimeError("数据库在保存中途出错")
    assert not _entries("edit") and not FieldEdit.objects.filter(path="unit.contact").exists()


def test_no_change_without_its_entry(world, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("日志写入失败")

    monkeypatch.setattr(audit, "_append", broken)  # where every entry is written
    with pytest.raises(RuntimeError):
        _edit(world)
    world["package"].refresh_from_db()
    assert world["package"].version == 1 and world["package"].draft["unit"].get("contact") != "林小填"
    assert not FieldEdit.objects.exists()


def test_submit_return_approve_and_comment_are_recorded(world):
    pkg = world["package"]
    sub = versions.submit(package_id=pkg.pk, user=world["preparer"], version=1)
    versions.add_comment(package_id=pkg.pk, user=world["head"], path="unit.contact", text="请补充联系人")
    versions.return_package(package_id=pkg.pk, user=world["head"], note="退回补充", comments=[])
    pkg.refresh_from_db()
    versions.submit(package_id=pkg.pk, user=world["preparer"], version=pkg.version)
    versions.approve(package_id=pkg.pk, user=world["head"], opinion="同意报送")
    actions = [e.action for e in _entries()]
    assert actions == ["submission", "comment", "return", "submission", "approve", "submission", "opinion"]
    first = _entries("submission")[0]
    assert json.loads(first.new)["hash"] == sub.content_hash and first.actor == "lin_tb"
    assert audit.verify().ok


def test_login_failure_logout_and_refusal_are_recorded(world):
    from django.test import Client

    c = Client()
    c.post("/login/", {"username": "lin_tb", "password": "错误的密码"})
    c.post("/login/", {"username": "lin_tb", "password": PASSWORD})
    r = c.get(f"/p/{world['other_package'].pk}/")
    assert r.status_code == 404
    c.post("/logout/")
    got = [(e.action, e.actor, e.result) for e in _entries()]
    assert got == [("login_failed", "lin_tb", "failed"), ("login", "lin_tb", "ok"), ("refused", "lin_tb", "refused"),
                   ("logout", "lin_tb", "ok")]
    assert "数据包" in _entries("refused")[0].detail
    assert "错误的密码" not in json.dumps([e.__dict__ for e in _entries()], default=str, ensure_ascii=False)


def test_the_log_refuses_changes_through_the_orm(world):
    _edit(world)
    e = _entries()[0]
    e.detail = "改过"
    with pytest.raises(AppendOnlyError):
        e.save()
    with pytest.raises(AppendOnlyError):
        e.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=e.pk).update(detail="x")


# --- tampering below the ORM (someone with database access) -------------------------------------------


def _chain(world, n=6):
    for i in range(n):
        audit.record("edit", actor=world["preparer"], target="package:1", path="unit.contact", old=f"旧{i}", new=f"新{i}")
    assert audit.verify().ok
    return _entries()


def _sql(sql, *params):
    """Raw SQL as someone with the database owner's rights (who can switch PostgreSQL's trigger off)."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER jixiao_audit_append_only")
        cur.execute(sql.format(t=table), params)
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER jixiao_audit_append_only")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_changes_below_the_orm(world):
    from django.db import DatabaseError

    _edit(world)
    for sql in ("UPDATE {t} SET detail = 'x'", "DELETE FROM {t}"):
        with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql.format(t=AuditEntry._meta.db_table))
    assert audit.verify().ok


def test_an_altered_entry_is_named(world):
    rows = _chain(world)
    _sql("UPDATE {t} SET new = %s WHERE seq = %s", json.dumps("改动后的值", ensure_ascii=False), rows[3].seq)
    v = audit.verify()
    assert v.first.kind == "altered" and v.first.seq == rows[3].seq and len(v.problems) == 1
    assert "第 4 条被修改" in v.first.message


def test_a_removed_entry_is_named(world):
    rows = _chain(world)
    _sql("DELETE FROM {t} WHERE seq = %s", rows[2].seq)
    v = audit.verify()
    assert v.first.kind == "removed" and v.first.seq == 3 and "第 3 条被删除" in v.first.message
    assert len(v.problems) == 1


def test_the_newest_entry_removed_is_found(world):
    rows = _chain(world)
    _sql("DELETE FROM {t} WHERE seq = %s", rows[-1].seq)
    v = audit.verify()
    assert [p.kind for p in v.problems] == ["head"]


def test_an_entry_inserted_in_the_middle_is_named(world):
    rows = _chain(world)
    # The forger renumbers the later entries and puts one in at number 3, chained by plain SM3
    # (without the key): the seals of the others are untouched.
    from jixiao import integrity

    for r in reversed(rows[2:]):
        _sql("UPDATE {t} SET seq = %s WHERE id = %s", r.seq + 1, r.pk)
    forged = AuditEntry(seq=3, at=rows[1].at, actor="lin_tb", role="preparer", action="edit", target="package:1",
                        path="unit.contact", old='"x"', new='"伪造"', result="ok", prev=rows[1].seal)
    forged.seal = integrity.sm3(forged.prev.encode() + b"forged")
    _sql("INSERT INTO {t} (seq, at, actor, role, ip, action, target, path, old, new, result, detail, prev, seal) "
         "VALUES (%s, %s, %s, %s, '', %s, %s, %s, %s, %s, %s, '', %s, %s)",
         forged.seq, forged.at, forged.actor, forged.role, forged.action, forged.target, forged.path, forged.old, forged.new,
         forged.result, forged.prev, forged.seal)
    v = audit.verify()
    assert v.first.kind == "inserted" and v.first.seq == 3
    # the entries after it are intact but renumbered; only the head (one more entry than it sealed) is off
    assert [p.kind for p in v.problems] == ["inserted", "head"]


def test_verify_log_command(world, capsys):
    rows = _chain(world, 3)
    assert main(["verify-log"]) == 0
    assert "审计日志完整：共 3 条" in capsys.readouterr().out
    _sql("UPDATE {t} SET actor = %s WHERE seq = %s", "someone", rows[1].seq)
    assert main(["verify-log"]) == 1
    assert "第 2 条被修改" in capsys.readouterr().err


def test_export_and_verify_the_exported_copy(world, tmp_path, capsys):
    _chain(world, 4)
    audit.record("edit", actor=world["preparer"], new="=1+1")  # a formula in user text
    csv_file, json_file = tmp_path / "log.csv", tmp_path / "log.jsonl"
    assert main(["export-log", "--format", "csv", "-o", str(csv_file)]) == 0
    assert main(["export-log", "--format", "json", "-o", str(json_file)]) == 0
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("seq,at,actor") and "修改字段" in text
    assert "'\"=1+1\"" not in text and "\"=1+1\"" in text  # JSON text starts with a quote: not a formula
    lines = json_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert main(["verify-log", "--export", str(json_file)]) == 0
    row = json.loads(lines[1])
    row["new"] = json.dumps("改", ensure_ascii=False)
    lines[1] = json.dumps(row, ensure_ascii=False)
    json_file.write_text("\n".join(lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["verify-log", "--export", str(json_file)]) == 1
    assert "第 2 条被修改" in capsys.readouterr().err
