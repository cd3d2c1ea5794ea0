"""Drafts and their versions: every change to a package goes through one of these, in one transaction,
and the reads of its versions, edits and comments.

- an edit is checked against the draft's version counter (optimistic concurrency): an edit made on
  an older version is applied only when nobody changed that field (or the rows) since; otherwise it
  is refused with a Chinese message naming both values, and nothing is lost;
- a typed entry is read by the core's parser (`drafts.fields.read_entry`) and the whole draft must still be
  readable by the core (`jixiao.services.from_canonical`) — a bad entry is never stored;
- every accepted change is recorded as a FieldEdit (path, old, new, who, when, version);
- a submission is an immutable copy with its SM3 (or SHA-256) content hash and the summary.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jixiao import services
from jixiao.web import access
from jixiao.web.drafts import fields, figures, layout
from jixiao.web.drafts.computation import Computation, changes, compute
from jixiao.web.models import EDITABLE_STATUSES, Comment, FieldEdit, Package, Status, Submission, User
from jixiao.web.security.audit import record, record_field_edits

SENT = (Status.SUBMITTED, Status.ACCEPTED, Status.PUBLISHED)  # the statuses of a package the bureau has received


class ActionError(Exception):
    """A refused action, with the Chinese message the user sees (a 4xx, nothing changed)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


# --- hashing ---------------------------------------------------------------------------------------


def content_bytes(content: dict) -> bytes:
    """The canonical serialisation that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(content: dict) -> tuple[str, str]:
    """(algorithm, hex digest): SM3 (GB/T 32905) where the cryptography build offers it, else SHA-256."""
    data = content_bytes(content)
    try:
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return "SM3", h.finalize().hex()
    except Exception:  # noqa: BLE001 - an OpenSSL without SM3: fall back, and say which algorithm
        return "SHA256", hashlib.sha256(data).hexdigest()


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
    if not access.can_edit_package(user, package):
        raise ActionError("只有本单位的填报人可以修改草稿", 403)
    if package.status not in EDITABLE_STATUSES:
        raise ActionError(f"数据包当前状态为“{package.get_status_display()}”，不能修改；如需修改请由单位负责人退回", 409)


def _parent_exists(doc: dict, path: str) -> bool:
    parts = fields.split_path(path)
    for n in range(len(parts) - 1, 0, -1):
        if fields.get(doc, fields.join_path(parts[:n])) is not None:
            return isinstance(fields.get(doc, fields.join_path(parts[:n])), dict) and all(isinstance(p, str) for p in parts[n:])
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
    return f"把此处改为“{fields.shown_entry(kind, later.new) or '（空）'}”"


def apply_edit(*, package_id: int, user: User, path: str, raw: str, version: int) -> EditResult:
    try:
        kind = fields.field_kind(path)
    except fields.PathError as exc:
        raise ActionError(str(exc)) from None
    with transaction.atomic():
        # The package's row only (`of`): FOR UPDATE with the joined task would lock the task's row as
        # well, and every edit of every unit in the task would wait for the one under way (found by
        # bench/load.py: 2,000 units' edits queued on one row).
        package = Package.objects.select_for_update(of=("self",)).select_related("task", "unit").get(pk=package_id)
        _check_editable(package, user)
        entry = fields.read_entry(kind, raw)
        if not entry.ok:
            return EditResult(package, path, False, error=entry.error, raw=raw)
        old = fields.get(package.draft, path)
        if old is None and not _parent_exists(package.draft, path):
            raise ActionError(f"字段不存在：{path}", 404)
        if version != package.version:
            later = _stale(package, version, path)
            if later is not None and later.new != entry.value:
                who = later.user.name if later.user_id else "他人"
                what = _what_changed(later, kind)
                return EditResult(package, path, False, raw=raw, theirs=fields.shown_entry(kind, old),
                                  conflict=f"保存失败：您打开页面后，{who}已{what}（当前第{package.version}版，您看到的是第{version}版）。"
                                           f"您填写的“{raw}”没有保存，也没有丢失：请核对后再保存。")
        try:
            new_doc = fields.put(package.draft, path, entry.value)
        except fields.PathError as exc:
            raise ActionError(str(exc)) from None
        try:  # the whole draft must still read: the core's reader names a bad field by its path
            pkg = services.from_canonical(data=new_doc, name="草稿")
        except services.ServiceError as exc:
            return EditResult(package, path, False, error=_problem_of(exc, path), raw=raw)
        report = services.score(package=pkg)
        fig = figures.figure_for(path, report, new_doc)
        if fig is not None and figures.kind_of(fig) != "judged":
            raise ActionError(f"“{fig.label}”由系统按公式计算，不能直接填写；请修改它的输入", 422)
        if old == entry.value:
            return EditResult(package, path, True, comp=compute(package.draft, parsed=(pkg, report)), raw=raw)
        comp = _save(package, user, new_doc, [(path, old, entry.value)], "edit", parsed=(pkg, report))
        return EditResult(package, path, True, comp=comp, raw=raw)


def _problem_of(exc: services.ServiceError, path: str) -> str:
    mine = [p for p in exc.problems if p.startswith(path + ":") or p.startswith(path + ".")]
    if mine:
        return mine[0].split(":", 1)[1].strip()
    return exc.message + ("：" + exc.problems[0] if exc.problems else "")


def apply_figures(doc: dict, passes: int = 6, *, parsed=None, layouts: layout.Layouts | None = None, owned: bool = False):
    """The draft with every computed and ruled figure set to the engine's value, as the form prints
    it; judged figures keep the unit's entry (issue 7's contract, the same as rendering). A figure
    can be the input of another (基本支出 of 支出合计), so this repeats until nothing changes.

    Returns (draft, changes, (package, report) of the returned draft, or None when unreadable).
    `owned`: the caller's own copy, changed in place."""
    out = doc if owned else json.loads(json.dumps(doc))
    first: dict[str, object] = {}
    last: dict[str, object] = {}
    paths = figure_paths(out, layouts)
    current = parsed
    for _ in range(passes):
        if current is None:
            try:
                pkg = services.from_canonical(data=out, name="草稿")
            except services.ServiceError:
                return out, [], None
            current = (pkg, services.score(package=pkg))
        report = current[1]
        changed = False
        for path, kind in paths:
            c = figures.figure_for(path, report, out)
            if c is None or figures.kind_of(c) == "judged":
                continue
            value = figures.stored_value(c, kind)
            old = fields.get(out, path)
            if value is not None and old != value and not _same_number(old, value):
                first.setdefault(path, old)
                last[path] = value
                fields.put(out, path, value, inplace=True)
                changed = True
        if not changed:
            break
        current = None
    return out, [(p, first[p], v) for p, v in last.items() if first[p] != v], current


def _same_number(a, b) -> bool:
    try:
        return Decimal(str(a).rstrip("%")) == Decimal(str(b).rstrip("%")) and str(a).endswith("%") == str(b).endswith("%")
    except (ArithmeticError, ValueError):
        return False


def figure_paths(doc: dict, layouts: layout.Layouts | None = None) -> list[tuple[str, str]]:
    out = []
    for _slug, _title, form in (layouts or layout.Layouts(doc)).all():
        out += [(c.path, c.field) for c in form.cells() if c.kind == "figure" and c.stored]
    return out


def _save(package: Package, user: User, doc: dict, changes: list[tuple[str, object, object]], kind: str,
          parsed=None) -> Computation:
    """Store the new draft (its computed figures refreshed), bump the version, record the edits,
    refresh the summary. Inside a transaction. `parsed`: (package, report) of `doc`, if at hand."""
    layouts = layout.Layouts(doc)
    doc, derived, parsed = apply_figures(doc, parsed=parsed, layouts=layouts, owned=True)
    comp = compute(doc, parsed=parsed, layouts=layouts)
    package.version += 1
    package.draft = doc
    package.updated_by = user
    if package.status == Status.NOT_STARTED:
        package.status = Status.DRAFT
    _summarise(package, comp)
    package.save()
    record_field_edits(FieldEdit.objects.bulk_create(
        [FieldEdit(package=package, path=p, old=o, new=n, user=user, version=package.version, kind=kind)
         for p, o, n in changes]
        + [FieldEdit(package=package, path=p, old=o, new=n, user=user, version=package.version,
                     kind="computed") for p, o, n in derived]))
    return comp


def _summarise(target, comp: Computation) -> None:
    total, grade, rate = comp.total, comp.grade, comp.rate
    target.total_score = total.value.quantize(Decimal("0.01")) if total is not None and total.value is not None else None
    target.grade = grade.text if grade is not None else ""
    target.execution_rate = rate.value.quantize(Decimal("0.000001")) if rate is not None and rate.value is not None else None
    target.errors = comp.summary.get("errors", 0)
    target.warnings = comp.summary.get("warnings", 0)


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
        except (fields.PathError, IndexError, KeyError, TypeError) as exc:
            raise ActionError(f"无法{op}：{exc}") from None
        try:  # the draft must still read (a made-up path would add a field the package does not have)
            services.from_canonical(data=doc, name="草稿")
        except services.ServiceError as exc:
            raise ActionError(f"无法调整表格：{exc.problems[0] if exc.problems else exc.message}", 422) from None
        _save(package, user, doc, [(changed, None, op)], "structure")
        return package


def _restructure(doc: dict, op: str, path: str) -> tuple[dict, str]:
    if op == "create":
        if path != "overall" or doc.get("overall"):
            raise fields.PathError("只能建立附件3")
        doc["overall"] = layout.new_item("projects", doc) | {"name": ""}
        doc["overall"].pop("name")
        doc["overall"]["funds"] = [{"key": "total", "label": "年度资金总额", "weight": "10"}]
        return doc, "overall"
    if op == "declare":
        kinds = [k for k, _, _ in layout.FUND_TYPES]
        if path not in kinds:
            raise fields.PathError("未知的支出类型")
        doc.setdefault("fund_types", []).append({"kind": path, "has_spending": False})
        return doc, "fund_types"
    if op == "add":
        items = fields.get(doc, path)
        if items is None:
            doc = fields.put(doc, path, [])
            items = []
        if not isinstance(items, list):
            raise fields.PathError(f"{path} 不是列表")
        item = layout.new_item(path, doc)
        doc = fields.put(doc, path, items + [item])
        return doc, f"{path}[{len(items)}]"
    parts = fields.split_path(path)
    if not parts or not isinstance(parts[-1], int):
        raise fields.PathError(f"{path} 不是列表中的一项")
    list_path, i = fields.join_path(parts[:-1]), parts[-1]
    items = list(fields.get(doc, list_path) or [])
    if not 0 <= i < len(items):
        raise fields.PathError(f"{path} 不存在")
    if op == "remove":
        items.pop(i)
    elif op == "up" and i > 0:
        items[i - 1], items[i] = items[i], items[i - 1]
    elif op == "down" and i < len(items) - 1:
        items[i + 1], items[i] = items[i], items[i + 1]
    return fields.put(doc, list_path, items), path


# --- import ------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    ok: bool
    message: str
    problems: list[str] = field(default_factory=list)


def import_draft(*, package_id: int, user: User, filename: str, data: bytes, version: int) -> ImportResult:
    """Replace the draft with an uploaded workbook / .docx / text dump / canonical file. A file the
    core cannot read changes nothing and its problems are listed (by sheet and cell, or paragraph)."""

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in ("xlsx", "docx", "txt", "yaml", "yml", "json"):
        return ImportResult(False, "不支持此文件类型：请上传 .xlsx 自评表、.docx 报告、.txt 文本或 .yaml/.json 数据包")
    if len(data) > settings.JIXIAO_MAX_UPLOAD_BYTES:
        return ImportResult(False, f"文件过大（{len(data) // 1024 // 1024} MB），上限 {settings.JIXIAO_MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    if not data:
        return ImportResult(False, "上传的文件是空的")
    try:
        pkg = services.read_upload(data=data, filename=filename)
        doc = fields.jsonable(services.to_canonical(package=pkg))
    except services.ServiceError as exc:
        return ImportResult(False, f"无法读取“{filename}”：{exc.message}", exc.problems)
    if fields.has_nul(doc):  # e.g. "\u0000" in a JSON file's text: PostgreSQL cannot store it (jsonb)
        return ImportResult(False, f"无法导入“{filename}”：{fields.NUL_MESSAGE}")
    try:  # what is stored must read back as a draft (a text with no package in it reads as an empty one)
        services.from_canonical(data=doc, name=filename)
    except services.ServiceError as exc:
        return ImportResult(False, f"“{filename}”中没有可用的数据包：{exc.message}", exc.problems)
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        _check_editable(package, user)
        if version != package.version:
            raise ActionError(f"导入失败：数据包已在别处修改（当前第{package.version}版，您看到的是第{version}版）。请刷新后再导入。", 409)
        doc["profile"] = package.task.profile  # the task fixes the profile, whatever the file says
        # every field the import changed, as edits of their own (the file's name on the first)
        edits = [("", None, f"导入 {filename}")] + changes(package.draft, doc)
        _save(package, user, doc, edits, "import")
    return ImportResult(True, f"已从“{filename}”导入草稿（第{package.version}版）")


# --- submit / review -------------------------------------------------------------------------------


def _snapshot(package: Package, user: User, doc: dict, note: str, state: str, comp: Computation | None = None,
              origin: str = "") -> Submission:
    """An immutable version of `doc`. `comp`: its computation when the caller has it (computing a
    package is the expensive part; see `approve` for why it is done before the first log entry).
    `origin`: where a version the bureau imported came from (empty for one made in the system)."""
    comp = comp if comp is not None else compute(doc)
    content = figures.resolve_document(doc, comp.report)
    algo, digest = content_hash(content)
    number = (package.submissions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    prof = comp.report.profile if comp.report else None
    sub = Submission(package=package, number=number, content=content, content_hash=digest, hash_algorithm=algo,
                     created_by=user, note=note, profile=package.task.profile,
                     profile_digest=getattr(prof, "digest", "") or "", state=state, origin=origin)
    _summarise(sub, comp)
    sub.save()
    record("submission", actor=user, target=f"package:{package.pk}", path=f"submissions[{number}]",
           new={"hash": digest, "algorithm": algo, "state": state}, detail=note)
    return sub


def submit(*, package_id: int, user: User, version: int) -> Submission:
    """The preparer hands the draft to the unit head."""
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        if not access.can_submit(user, package):
            raise ActionError("只有本单位的填报人可以提交", 403)
        if package.status not in (Status.DRAFT, Status.RETURNED):
            raise ActionError(f"数据包当前状态为“{package.get_status_display()}”，不能提交", 409)
        if version != package.version:
            raise ActionError(f"提交失败：数据包已在别处修改（当前第{package.version}版，您看到的是第{version}版）。请刷新后核对再提交。", 409)
        comp = compute(package.draft)
        if comp.report is None:
            raise ActionError(f"草稿无法计算，不能提交：{comp.error}", 422)
        sub = _snapshot(package, user, package.draft, "填报人提交", Submission.State.PENDING, comp=comp)
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
    if not access.can_review_unit(user, Package.objects.select_related("task").get(pk=package_id)):
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
                fields.split_path(p)
        Comment.objects.bulk_create([Comment(package=package, submission=sub, path=p, text=t, author=user) for p, t in comments]
                                    + ([Comment(package=package, submission=sub, path="", text=note.strip(), author=user)]
                                       if note.strip() else []))
        sub.state, sub.decided_by, sub.decided_at, sub.decision_note = Submission.State.RETURNED, user, timezone.now(), note
        sub.save(update_fields=list(Submission.DECISION_FIELDS))
        package.status = Status.RETURNED
        package.save(update_fields=["status", "updated_at"])
        record("return", actor=user, target=f"package:{package.pk}", path=f"submissions[{sub.number}].state",
               old=Submission.State.PENDING, new=Submission.State.RETURNED, detail=note)
        return sub


UNIT_OPINION_ROLE = "部门（单位）"


def approve(*, package_id: int, user: User, opinion: str) -> Submission:
    """The unit head writes the unit's opinion into the package (name and date) and sends the version
    to the bureau: a new immutable version holding the opinion."""
    _unit_head(user, package_id, "只有本单位的负责人可以审核通过")
    if not opinion.strip():
        raise ActionError("请填写部门（单位）意见")
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        pending = _pending(package)
        entry = {"role": UNIT_OPINION_ROLE, "text": opinion.strip(), "signer": user.name,
                 "date": timezone.localdate().isoformat()}
        old = next((o for o in package.draft.get("opinions") or [] if o.get("role") == UNIT_OPINION_ROLE), None)
        doc = fields.put(pending.content, "opinions", _with_opinion(pending.content, entry))
        # Computed before the first audit entry: an entry takes the log's chain head (one row lock
        # for every writer) until this transaction commits, so nothing slow may follow it.
        comp = compute(doc)
        pending.state, pending.decided_by, pending.decided_at = Submission.State.APPROVED, user, timezone.now()
        pending.decision_note = "审核通过，报送财政"
        pending.save(update_fields=list(Submission.DECISION_FIELDS))
        record("approve", actor=user, target=f"package:{package.pk}", path=f"submissions[{pending.number}].state",
               old=Submission.State.PENDING, new=Submission.State.APPROVED, detail=opinion.strip())
        sub = _snapshot(package, user, doc, "单位负责人审核通过并报送", Submission.State.APPROVED, comp=comp)
        sub.decided_by, sub.decided_at = user, timezone.now()
        sub.save(update_fields=["decided_by", "decided_at"])
        # The draft carries the opinion too, so a later return and resubmission keeps it.
        package.draft = fields.put(package.draft, "opinions", _with_opinion(package.draft, entry))
        package.version += 1
        package.status = Status.SUBMITTED
        package.save()
        record_field_edits([FieldEdit.objects.create(package=package, path="opinions", old=old, new=entry, user=user,
                                                     version=package.version, kind="opinion")])
        return sub


def _with_opinion(doc: dict, entry: dict) -> list[dict]:
    """The opinions list with the unit's opinion set in its place (appended when there was none)."""
    opinions = list(doc.get("opinions") or [])
    for i, o in enumerate(opinions):
        if o.get("role") == UNIT_OPINION_ROLE:
            opinions[i] = entry
            return opinions
    return opinions + [entry]


def add_comment(*, package_id: int, user: User, path: str, text: str) -> Comment:
    _unit_head(user, package_id, "只有本单位的负责人可以写审核意见")
    if not text.strip():
        raise ActionError("意见不能为空")
    if path:
        fields.split_path(path)
    package = Package.objects.get(pk=package_id)
    sub = package.submissions.filter(state=Submission.State.PENDING).order_by("-number").first()
    with transaction.atomic():
        comment = Comment.objects.create(package=package, submission=sub, path=path, text=text.strip(), author=user)
        record("comment", actor=user, target=f"package:{package.pk}", path=path, new=comment.text)
    return comment


def today() -> date:
    return timezone.localdate()


# --- versions, edits, comments ---------------------------------------------------------------------


def comments_by_path(package: Package) -> dict[str, list[Comment]]:
    out: dict[str, list[Comment]] = {}
    for c in package.comments.filter(resolved=False).select_related("author"):
        out.setdefault(c.path, []).append(c)
    return out


def versions_of(package: Package) -> QuerySet[Submission]:
    return package.submissions.select_related("created_by", "decided_by").order_by("-number")


def recent_edits(package: Package, limit: int = 30) -> QuerySet[FieldEdit]:
    return package.edits.select_related("user").order_by("-version", "-id")[:limit]


def latest_sent(package: Package) -> Submission | None:
    """The latest version the unit head sent to the bureau (or the bureau's accepted version)."""
    return package.submissions.filter(state=Submission.State.APPROVED).order_by("-number").first()
