"""Writes: every change to a package goes through one of these, in one transaction.

- an edit is checked against the draft's version counter (optimistic concurrency): an edit made on
  an older version is applied only when nobody changed that field (or the rows) since; otherwise it
  is refused with a Chinese message naming both values, and nothing is lost;
- a typed entry is read by the core's parser (`draft.read_entry`) and the whole draft must still be
  readable by the core (`jixiao.services.from_canonical`) — a bad entry is never stored;
- every accepted change is recorded as a FieldEdit (path, old, new, who, when, version);
- a submission is an immutable copy with its SM3 (or SHA-256) content hash and the summary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from .. import services as S
from . import access as A
from . import draft as D
from . import figures as FG
from . import layout as LY
from .models import (
    EDITABLE_STATUSES,
    Comment,
    FieldEdit,
    Package,
    Status,
    Submission,
    User,
)
from .selectors import Computation, changes, compute
from .versions import (  # noqa: F401 - re-exported: the unit's pages and the demo call them here
    UNIT_OPINION_ROLE,
    ActionError,
    apply_figures,
    content_bytes,
    content_hash,
    figure_paths,
    keep_opinions,
    log,
    opinion_refusals,
    package_target,
    save_draft,
    sign_opinion,
    signed_opinion,
    snapshot,
    summarise,
    with_opinion,
)

# --- edits -----------------------------------------------------------------------------------------


@dataclass
class EditResult:
    package: Package
    path: str
    ok: bool
    error: str = ""  # beside the field
    conflict: str = ""  # stale version: both values named
    theirs: str = ""
    comp: Computation | None = None
    raw: str = ""


def _check_editable(package: Package, user: User) -> None:
    if not A.can_edit_package(user, package):
        raise ActionError("只有本单位的填报人可以修改草稿", 403)
    if package.status not in EDITABLE_STATUSES:
        raise ActionError(f"数据包当前状态为“{package.get_status_display()}”，不能修改；如需修改请由单位负责人退回", 409)


def _parent_exists(doc: dict, path: str) -> bool:
    parts = D.split_path(path)
    for n in range(len(parts) - 1, 0, -1):
        if D.get(doc, D.join_path(parts[:n])) is not None:
            return isinstance(D.get(doc, D.join_path(parts[:n])), dict) and all(isinstance(p, str) for p in parts[n:])
    return True


def _stale(package: Package, since: int, path: str | None) -> FieldEdit | None:
    """The later change that makes an edit made on version `since` unsafe, if any: the first change of
    the rows (structure, import), else the *latest* change of the field itself — what it holds now.
    (Not the first: A sets 86% then 90%; B, on the version before both, enters 86%; compared with the
    first change B's entry would look agreed, and A's 90% would be lost — found by bench/load.py.)"""
    later = package.edits.filter(version__gt=since).order_by("version", "id")
    last = None
    for e in later:
        if e.kind in ("structure", "import") or path is None:
            return e
        if e.path == path:
            last = e
    return last


def _what_changed(later: FieldEdit, kind: str) -> str:
    """The later change, in the words of the conflict message."""
    if later.kind == "import":  # its first entry names the file (导入 …, 一体化执行数导入 …)
        return f"导入数据更新了草稿（{later.new}）" if isinstance(later.new, str) and later.new else "导入数据更新了草稿"
    if later.kind != "edit":
        return "增删或调整了表格的行"
    return f"把此处改为“{D.shown_entry(kind, later.new) or '（空）'}”"


def apply_edit(*, package_id: int, user: User, path: str, raw: str, version: int) -> EditResult:
    try:
        kind = D.field_kind(path)
    except D.PathError as exc:
        raise ActionError(str(exc)) from None
    with transaction.atomic():
        # The package's row only (`of`): FOR UPDATE with the joined task would lock the task's row as
        # well, and every edit of every unit in the task would wait for the one under way (found by
        # bench/load.py: 2,000 units' edits queued on one row).
        package = Package.objects.select_for_update(of=("self",)).select_related("task", "unit").get(pk=package_id)
        _check_editable(package, user)
        entry = D.read_entry(kind, raw)
        if not entry.ok:
            return EditResult(package, path, False, error=entry.error, raw=raw)
        old = D.get(package.draft, path)
        if old is None and not _parent_exists(package.draft, path):
            raise ActionError(f"字段不存在：{path}", 404)
        if version != package.version:
            later = _stale(package, version, path)
            if later is not None and later.new != entry.value:
                who = later.user.name if later.user_id else "他人"
                what = _what_changed(later, kind)
                return EditResult(package, path, False, raw=raw, theirs=D.shown_entry(kind, old),
                                  conflict=f"保存失败：您打开页面后，{who}已{what}（当前第{package.version}版，您看到的是第{version}版）。"
                                           f"您填写的“{raw}”没有保存，也没有丢失：请核对后再保存。")
        try:
            new_doc = D.put(package.draft, path, entry.value)
        except D.PathError as exc:
            raise ActionError(str(exc)) from None
        try:  # the whole draft must still read: the core's reader names a bad field by its path
            pkg = S.from_canonical(data=new_doc, name="草稿")
        except S.ServiceError as exc:
            return EditResult(package, path, False, error=_problem_of(exc, path), raw=raw)
        report = S.score(package=pkg)
        fig = FG.figure_for(path, report, new_doc)
        if fig is not None and FG.kind_of(fig) != "judged":
            raise ActionError(f"“{fig.label}”由系统按公式计算，不能直接填写；请修改它的输入", 422)
        if old == entry.value:
            return EditResult(package, path, True, comp=compute(package.draft, parsed=(pkg, report)), raw=raw)
        refused = opinion_refusals(user, package.draft, new_doc)
        if refused:  # beside the field: an opinion is a reviewer's signature, not the preparer's entry
            return EditResult(package, path, False, error=refused[0].message, raw=raw)
        comp = save_draft(package, user, new_doc, [(path, old, entry.value)], "edit", parsed=(pkg, report))
        return EditResult(package, path, True, comp=comp, raw=raw)


def _problem_of(exc: S.ServiceError, path: str) -> str:
    mine = [p for p in exc.problems if p.startswith(path + ":") or p.startswith(path + ".")]
    if mine:
        return mine[0].split(":", 1)[1].strip()
    return exc.message + ("：" + exc.problems[0] if exc.problems else "")


# --- structure: add / remove / reorder projects, indicators, rows ---------------------------------

STRUCTURE_OPS = ("add", "remove", "up", "down", "create", "declare")


def change_structure(*, package_id: int, user: User, op: str, path: str, version: int) -> Package:
    if op not in STRUCTURE_OPS:
        raise ActionError("未知的操作")
    with transaction.atomic():
        package = Package.objects.select_for_update().get(pk=package_id)
        _check_editable(package, user)
        if version != package.version:
            raise ActionError(f"保存失败：数据包已在别处修改（当前第{package.version}版，您看到的是第{version}版）。请刷新页面后再调整表格。", 409)
        doc = json.loads(json.dumps(package.draft))
        try:
            doc, changed = _restructure(doc, op, path)
        except (D.PathError, IndexError, KeyError, TypeError) as exc:
            raise ActionError(f"无法{op}：{exc}") from None
        try:  # the draft must still read (a made-up path would add a field the package does not have)
            S.from_canonical(data=doc, name="草稿")
        except S.ServiceError as exc:
            raise ActionError(f"无法调整表格：{exc.problems[0] if exc.problems else exc.message}", 422) from None
        save_draft(package, user, doc, [(changed, None, op)], "structure")
        return package


def _restructure(doc: dict, op: str, path: str) -> tuple[dict, str]:
    if op == "create":
        if path != "overall" or doc.get("overall"):
            raise D.PathError("只能建立附件3")
        doc["overall"] = LY.new_item("projects", doc) | {"name": ""}
        doc["overall"].pop("name")
        doc["overall"]["funds"] = [{"key": "total", "label": "年度资金总额", "weight": "10"}]
        return doc, "overall"
    if op == "declare":
        kinds = [k for k, _, _ in LY.FUND_TYPES]
        if path not in kinds:
            raise D.PathError("未知的支出类型")
        doc.setdefault("fund_types", []).append({"kind": path, "has_spending": False})
        return doc, "fund_types"
    if op == "add":
        items = D.get(doc, path)
        if items is None:
            doc = D.put(doc, path, [])
            items = []
        if not isinstance(items, list):
            raise D.PathError(f"{path} 不是列表")
        item = LY.new_item(path, doc)
        doc = D.put(doc, path, items + [item])
        return doc, f"{path}[{len(items)}]"
    parts = D.split_path(path)
    if not parts or not isinstance(parts[-1], int):
        raise D.PathError(f"{path} 不是列表中的一项")
    list_path, i = D.join_path(parts[:-1]), parts[-1]
    items = list(D.get(doc, list_path) or [])
    if not 0 <= i < len(items):
        raise D.PathError(f"{path} 不存在")
    if op == "remove":
        items.pop(i)
    elif op == "up" and i > 0:
        items[i - 1], items[i] = items[i], items[i - 1]
    elif op == "down" and i < len(items) - 1:
        items[i + 1], items[i] = items[i], items[i + 1]
    return D.put(doc, list_path, items), path


# --- import ------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    ok: bool
    message: str
    problems: list[str] = field(default_factory=list)


def import_draft(*, package_id: int, user: User, filename: str, data: bytes, version: int) -> ImportResult:
    """Replace the draft with an uploaded workbook / .docx / text dump / canonical file. A file the
    core cannot read changes nothing and its problems are listed (by sheet and cell, or paragraph)."""
    from django.conf import settings

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in ("xlsx", "docx", "txt", "yaml", "yml", "json"):
        return ImportResult(False, "不支持此文件类型：请上传 .xlsx 自评表、.docx 报告、.txt 文本或 .yaml/.json 数据包")
    if len(data) > settings.JIXIAO_MAX_UPLOAD_BYTES:
        return ImportResult(False, f"文件过大（{len(data) // 1024 // 1024} MB），上限 {settings.JIXIAO_MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    if not data:
        return ImportResult(False, "上传的文件是空的")
    try:
        pkg = S.read_upload(data=data, filename=filename)
        doc = D.jsonable(S.to_canonical(package=pkg))
    except S.ServiceError as exc:
        return ImportResult(False, f"无法读取“{filename}”：{exc.message}", exc.problems)
    if D.has_nul(doc):  # e.g. "\u0000" in a JSON file's text: PostgreSQL cannot store it (jsonb)
        return ImportResult(False, f"无法导入“{filename}”：{D.NUL_MESSAGE}")
    try:  # what is stored must read back as a draft (a text with no package in it reads as an empty one)
        S.from_canonical(data=doc, name=filename)
    except S.ServiceError as exc:
        return ImportResult(False, f"“{filename}”中没有可用的数据包：{exc.message}", exc.problems)
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        _check_editable(package, user)
        if version != package.version:
            raise ActionError(f"导入失败：数据包已在别处修改（当前第{package.version}版，您看到的是第{version}版）。请刷新后再导入。", 409)
        doc["profile"] = package.task.profile  # the task fixes the profile, whatever the file says
        # A file (last year's signed report, a copy back from the bureau) may carry the reviewers'
        # opinions: the import takes the preparer's content and leaves those as the draft had them.
        doc, kept = keep_opinions(user, package.draft, doc)
        # every field the import changed, as edits of their own (the file's name on the first)
        edits = [("", None, f"导入 {filename}")] + changes(package.draft, doc)
        save_draft(package, user, doc, edits, "import")
    note = f"；文件中的{'、'.join(r + '意见' for r in kept)}未导入：意见由审核人签署" if kept else ""
    return ImportResult(True, f"已从“{filename}”导入草稿（第{package.version}版）{note}")


# --- submit / review -------------------------------------------------------------------------------


def submit(*, package_id: int, user: User, version: int) -> Submission:
    """The preparer hands the draft to the unit head."""
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        if not A.can_submit(user, package):
            raise ActionError("只有本单位的填报人可以提交", 403)
        if package.status not in (Status.DRAFT, Status.RETURNED):
            raise ActionError(f"数据包当前状态为“{package.get_status_display()}”，不能提交", 409)
        if version != package.version:
            raise ActionError(f"提交失败：数据包已在别处修改（当前第{package.version}版，您看到的是第{version}版）。请刷新后核对再提交。", 409)
        comp = compute(package.draft)
        if comp.report is None:
            raise ActionError(f"草稿无法计算，不能提交：{comp.error}", 422)
        sub = snapshot(package, user, package.draft, "填报人提交", Submission.State.PENDING, comp=comp)
        package.status = Status.IN_REVIEW
        package.save(update_fields=["status", "updated_at"])
        package.comments.filter(resolved=False).update(resolved=True)
        return sub


def _pending(package: Package) -> Submission:
    sub = package.submissions.filter(state=Submission.State.PENDING).order_by("-number").first()
    if sub is None or package.status != Status.IN_REVIEW:
        raise ActionError("没有待审核的版本", 409)
    return sub


def _unit_head(user: User, package_id: int, message: str) -> None:
    if not A.can_review_unit(user, Package.objects.select_related("task").get(pk=package_id)):
        raise ActionError(message, 403)


def return_package(*, package_id: int, user: User, note: str, comments: list[tuple[str, str]]) -> Submission:
    """The unit head returns the version to the preparer, with comments anchored to fields."""
    _unit_head(user, package_id, "只有本单位的负责人可以退回")
    comments = [(p.strip(), t.strip()) for p, t in comments if t and t.strip()]
    with transaction.atomic():
        package = Package.objects.select_for_update().get(pk=package_id)
        sub = _pending(package)
        if not comments and not note.strip() and not package.comments.filter(submission=sub, resolved=False).exists():
            raise ActionError("退回时请写明原因：在字段上写意见，或填写退回说明")
        for p, _ in comments:
            if p:
                D.split_path(p)
        Comment.objects.bulk_create([Comment(package=package, submission=sub, path=p, text=t, author=user) for p, t in comments]
                                    + ([Comment(package=package, submission=sub, path="", text=note.strip(), author=user)]
                                       if note.strip() else []))
        sub.state, sub.decided_by, sub.decided_at, sub.decision_note = Submission.State.RETURNED, user, timezone.now(), note
        sub.save(update_fields=list(Submission.DECISION_FIELDS))
        package.status = Status.RETURNED
        package.save(update_fields=["status", "updated_at"])
        log("return", actor=user, target=package_target(package), path=f"submissions[{sub.number}].state",
               old=Submission.State.PENDING, new=Submission.State.RETURNED, detail=note)
        return sub


def approve(*, package_id: int, user: User, opinion: str) -> Submission:
    """The unit head writes the unit's opinion into the package (name and date) and sends the version
    to the bureau: a new immutable version holding the opinion."""
    _unit_head(user, package_id, "只有本单位的负责人可以审核通过")
    if not opinion.strip():
        raise ActionError("请填写部门（单位）意见")
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        pending = _pending(package)
        entry = signed_opinion(UNIT_OPINION_ROLE, opinion, user.name)
        doc = D.put(pending.content, "opinions", with_opinion(pending.content, entry))
        # Computed before the first audit entry: an entry takes the log's chain head (one row lock
        # for every writer) until this transaction commits, so nothing slow may follow it.
        comp = compute(doc)
        pending.state, pending.decided_by, pending.decided_at = Submission.State.APPROVED, user, timezone.now()
        pending.decision_note = "审核通过，报送财政"
        pending.save(update_fields=list(Submission.DECISION_FIELDS))
        log("approve", actor=user, target=package_target(package), path=f"submissions[{pending.number}].state",
               old=Submission.State.PENDING, new=Submission.State.APPROVED, detail=opinion.strip())
        sub = snapshot(package, user, doc, "单位负责人审核通过并报送", Submission.State.APPROVED, comp=comp)
        sub.decided_by, sub.decided_at = user, timezone.now()
        sub.save(update_fields=["decided_by", "decided_at"])
        sign_opinion(package, user, entry)  # the draft carries it too: a later return and resubmission keeps it
        package.status = Status.SUBMITTED
        package.save()
        return sub


def add_comment(*, package_id: int, user: User, path: str, text: str) -> Comment:
    _unit_head(user, package_id, "只有本单位的负责人可以写审核意见")
    if not text.strip():
        raise ActionError("意见不能为空")
    if path:
        D.split_path(path)
    package = Package.objects.get(pk=package_id)
    sub = package.submissions.filter(state=Submission.State.PENDING).order_by("-number").first()
    with transaction.atomic():
        comment = Comment.objects.create(package=package, submission=sub, path=path, text=text.strip(), author=user)
        log("comment", actor=user, target=package_target(package), path=path, new=comment.text)
    return comment


def today() -> date:
    return timezone.localdate()
