"""The one versions layer: every write to a package — its draft, its versions, the opinions in them,
the decisions on them — goes through here, whichever side (unit, bureau, API, worker) makes it.

What lives here and nowhere else:
- saving a draft (`save_draft`): the computed figures refreshed, the version counter bumped, a
  FieldEdit per changed field and the audit entries for them;
- making an immutable version (`snapshot`): content resolved, hashed (SM3, else SHA-256), numbered;
- the opinions (意见) of a package: who may write which (`opinion_writer`, `opinion_refusals`) and
  how one is set (`with_opinion`, `sign_opinion`) — a preparer writes none of them: 评价组组长 and
  部门（单位） are the unit head's, 财政部门（归口业务科室） the bureau's;
- the audit entry of every decision (`log`), under a Chinese action name kept in
  `security/audit.ACTIONS`, so that no page or API operation can forget one.

The unit's and the bureau's services decide *whether* a user may act (access.py) and *what* the
business rule says; they call this layer to *write*.

The unit's writes live here too (draft edits, imports, submit, the head's review):

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
from jixiao.web.drafts import fields, figures, layout, merge, stated
from jixiao.web.drafts.computation import Computation, compute, field_labels
from jixiao.web.models import (
    EDITABLE_STATUSES,
    Comment,
    DepartmentAttachment,
    FieldEdit,
    Package,
    Status,
    Submission,
    User,
)
from jixiao.web.models.tier import deadline_for
from jixiao.web.security import audit, tokens
from jixiao.web.security.models import ApiToken
from jixiao.web.targets import approved_for, whole_unit_indicators

SENT = (Status.SUBMITTED, Status.ACCEPTED, Status.PUBLISHED)  # the statuses of a package the bureau has received


class ActionError(Exception):
    """A refused action, with the Chinese message the user sees (a 4xx, nothing changed)."""

    def __init__(self, message: str, status: int = 400, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.fields = fields or {}  # the message beside each wrong entry of a form, by its key


# --- the audit entry of a write ---------------------------------------------------------------------


def package_target(package: Package | int) -> str:
    return f"package:{package if isinstance(package, int) else package.pk}"


def log(action: str, *, actor=None, target: str = "", path: str = "", old=None, new=None, detail: str = "",
        actor_name: str = "") -> None:
    """The tamper-evident entry of one write, in the caller's transaction (the change and its entry
    are committed or rolled back together). `action` must be one the log has a Chinese name for."""
    if action not in audit.ACTIONS:
        raise ValueError(f"audit action without a Chinese name: {action}")
    audit.record(action, actor=actor, target=target, path=path, old=old, new=new, detail=detail, actor_name=actor_name)


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


# --- opinions: who writes which ------------------------------------------------------------------------

UNIT_OPINION_ROLE = "部门（单位）"
TEAM_OPINION_ROLE = "评价组组长"
BUREAU_OPINION_ROLE = "财政部门归口业务科室"

UNIT_HEAD, BUREAU = "unit_head", "bureau"
WRITER_NAMES = {UNIT_HEAD: "单位负责人", BUREAU: "财政部门"}


def opinion_writer(role: str) -> str:
    """Who signs an opinion block of the form: the finance bureau's (财政部门, 归口业务科室) is the
    bureau's; every other block (评价组组长, 部门（单位）, a template's own) is the unit head's.
    Never the preparer's: an opinion is a reviewer's signature on what the preparer wrote."""
    return BUREAU if "财政" in (role or "") else UNIT_HEAD


def may_write_opinion(user, role: str) -> bool:
    writer = opinion_writer(role)
    if writer == BUREAU:
        return access.is_bureau_user(user)
    return access.is_unit_head(user)


def _by_role(doc: dict | None) -> dict[str, tuple[int, dict]]:
    out: dict[str, tuple[int, dict]] = {}
    for i, opinion in enumerate((doc or {}).get("opinions") or []):
        if isinstance(opinion, dict):
            out.setdefault(str(opinion.get("role", "")), (i, opinion))
    return out


def _written(opinion: dict | None) -> dict:
    """What an opinion says (text, signer, date), blanks dropped: a blank block is no opinion."""
    return {k: v for k, v in (opinion or {}).items() if k != "role" and v not in (None, "", False)}


@dataclass(frozen=True)
class OpinionRefusal:
    path: str  # the opinion's place in the draft (opinions[1]), the field the message stands beside
    role: str
    message: str


def opinion_refusals(user, before: dict | None, after: dict | None) -> list[OpinionRefusal]:
    """Every opinion that differs between two drafts and that `user` may not write."""
    old, new = _by_role(before), _by_role(after)
    refusals = []
    for role in [*new, *(r for r in old if r not in new)]:
        if _written(old.get(role, (0, None))[1]) == _written(new.get(role, (0, None))[1]):
            continue
        if may_write_opinion(user, role):
            continue
        index = (new.get(role) or old.get(role))[0]
        refusals.append(OpinionRefusal(f"opinions[{index}]", role,
                                       f"“{role}意见”由{WRITER_NAMES[opinion_writer(role)]}签署，填报人不能填写或修改"))
    return refusals


def keep_opinions(user, before: dict | None, after: dict) -> tuple[dict, list[str]]:
    """`after` with every opinion `user` may not write set back to what `before` said (an imported
    file carrying a signed 财政部门意见 does not smuggle it into the draft); returns the roles kept."""
    refused = {r.role for r in opinion_refusals(user, before, after)}
    if not refused:
        return after, []
    old = _by_role(before)
    opinions = []
    for opinion in after.get("opinions") or []:
        role = str(opinion.get("role", "")) if isinstance(opinion, dict) else ""
        if role in refused:
            opinion = dict(old[role][1]) if role in old else {"role": role}
        opinions.append(opinion)
    present = {str(o.get("role", "")) for o in opinions if isinstance(o, dict)}
    opinions += [dict(old[r][1]) for r in refused if r not in present and r in old]  # one the file dropped
    return after | {"opinions": opinions}, sorted(refused)


def with_opinion(doc: dict, entry: dict) -> list[dict]:
    """The opinions list with `entry` set in the place of its role's block (appended when the form
    had none). In place, not removed and appended: the blocks keep the official form's order
    (评价组组长, 部门（单位）, 财政部门) in the draft, the versions and every document rendered."""
    opinions = list(doc.get("opinions") or [])
    for i, opinion in enumerate(opinions):
        if isinstance(opinion, dict) and opinion.get("role") == entry["role"]:
            opinions[i] = entry
            return opinions
    return opinions + [entry]


def signed_opinion(role: str, text: str, signer: str, signed_on=None) -> dict:
    return {"role": role, "text": text.strip(), "signer": signer,
            "date": (signed_on or timezone.localdate()).isoformat()}


def sign_opinion(package: Package, user: User, entry: dict) -> None:
    """The reviewer's opinion written into the draft too (so a later return and resubmission keeps
    it), the draft's version bumped, the change recorded. The caller holds the package's row."""
    if not may_write_opinion(user, entry["role"]):
        raise ActionError(f"“{entry['role']}意见”由{WRITER_NAMES[opinion_writer(entry['role'])]}签署", 403)
    old = _by_role(package.draft).get(entry["role"], (0, None))[1]
    package.draft = fields.put(package.draft, "opinions", with_opinion(package.draft, entry))
    package.version += 1
    audit.record_field_edits([FieldEdit.objects.create(package=package, path="opinions", old=old, new=entry, user=user,
                                                       version=package.version, kind="opinion")])


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


# Writes that may add, remove or move rows: an edit made before one cannot know where its field went
# (a department's roll-up inserts its units' rows above the row a preparer was typing in).
ROW_CHANGING = ("structure", "import", "rollup")


def _stale(package: Package, since: int, path: str | None) -> FieldEdit | None:
    """The later change that makes an edit made on version `since` unsafe, if any: the first change of
    the rows (structure, import), else the *latest* change of the field itself — what it holds now.
    (Not the first: A sets 86% then 90%; B, on the version before both, enters 86%; compared with the
    first change B's entry would look agreed, and A's 90% would be lost — found by bench/load.py.)"""
    later = package.edits.filter(version__gt=since).order_by("version", "id")
    last = None
    for e in later:
        if e.kind in ROW_CHANGING or path is None:
            return e
        if e.path == path:
            last = e
    return last


def _what_changed(later: FieldEdit, kind: str) -> str:
    """The later change, in the words of the conflict message."""
    if later.kind == "rollup":
        return "按下属单位的数据重新汇总了草稿"
    if later.kind == "import":  # its first entry names the file (导入 …, 一体化执行数导入 …)
        return f"导入数据更新了草稿（{later.new}）" if isinstance(later.new, str) and later.new else "导入数据更新了草稿"
    if later.kind not in ("edit", "adopt", "computed"):
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
        if version > package.version:
            return EditResult(package, path, False, raw=raw, theirs=fields.shown_entry(kind, old), conflict=_ahead(package, version, raw))
        if version < 1:  # a number this package never had: not a version the page showed
            raise ActionError(f"保存失败：页面带来的版本号（第{version}版）不是这份数据包的版本（当前第{package.version}版）。"
                              "请刷新页面，核对后再保存。", 409)
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
            return EditResult(package, path, True, comp=compute(package.draft, parsed=(pkg, report),
                                                                 deadline=deadline_for(package)), raw=raw)
        refused = opinion_refusals(user, package.draft, new_doc)
        if refused:  # beside the field: an opinion is a reviewer's signature, not the preparer's entry
            return EditResult(package, path, False, error=refused[0].message, raw=raw)
        comp = save_draft(package, user, new_doc, [(path, old, entry.value)], "edit", parsed=(pkg, report))
        return EditResult(package, path, True, comp=comp, raw=raw)


def _ahead(package: Package, version: int, raw: str = "") -> str:
    """A client claiming a version the package never had (a page from another database, a forged
    request): refused like a stale one, since what it was based on cannot be known."""
    kept = f"您填写的“{raw}”没有保存，也没有丢失：" if raw else ""
    return (f"保存失败：页面所依据的第{version}版不存在（数据包当前为第{package.version}版）。"
            f"{kept}请刷新页面核对后再保存。")


def stale_refusal(package: Package, version: int, paths: list[str] | None, what: str = "保存") -> str:
    """Why a write made on `version` cannot be applied, or "" when it can: a version ahead of the
    package's, or a later change of one of `paths` (None: any later change) or of the rows —
    naming who changed what, with both versions."""
    if version > package.version:
        return _ahead(package, version).replace("保存", what)
    if version == package.version:
        return ""
    for path in paths if paths is not None else [None]:
        later = _stale(package, version, path)
        if later is None:
            continue
        who = later.user.name if later.user_id else "他人"
        if later.kind in ("edit", "adopt", "computed") and later.path:
            label = field_labels(package.draft).get(later.path) or "一处数字"
            change = f"把“{label}”改为“{fields.shown_entry(fields.field_kind(later.path), later.new) or '（空）'}”"
        else:
            change = _what_changed(later, "text")
        return (f"{what}失败：您打开页面后，{who}已{change}（当前第{package.version}版，您看到的是第{version}版）。"
                f"请刷新页面核对后再{what}。")
    return ""


def _problem_of(exc: services.ServiceError, path: str) -> str:
    mine = [p for p in exc.problems if p.startswith(path + ":") or p.startswith(path + ".")]
    if mine:
        return mine[0].split(":", 1)[1].strip()
    return exc.message + ("：" + exc.problems[0] if exc.problems else "")


def apply_figures(doc: dict, passes: int = 6, *, parsed=None, layouts: layout.Layouts | None = None, owned: bool = False):
    """The draft with every computed and ruled figure set to the engine's value, as the form prints
    it; judged figures keep the unit's entry (issue 7's contract, the same as rendering).

    Returns (draft, changes, (package, report) of the returned draft, or None when unreadable).
    `owned`: the caller's own copy, changed in place."""
    out = doc if owned else json.loads(json.dumps(doc))
    return stated.settle(out, stated.figure_paths(out, layouts), parsed, passes)


def save_draft(package: Package, user: User, doc: dict, changes: list[tuple[str, object, object]], kind: str,
               parsed=None, settled: bool = False) -> Computation:
    """Store the new draft, bump the version, record the edits, refresh the summary. Inside a
    transaction holding the package's row. `parsed`: (package, report) of `doc`, if at hand. The
    figures that followed the engine follow it; a stated figure that differs stays as stated
    (`stated.py`). `settled`: the caller has already worked out every figure (采用计算数). A change
    to an opinion the user may not sign is refused here, whatever surface sent it (the edit form
    shows it beside the field before it gets this far)."""
    refused = opinion_refusals(user, package.draft, doc)
    if refused:
        raise ActionError(refused[0].message, 403)
    layouts = layout.Layouts(doc)
    derived: list = []
    if not settled:
        doc, derived, parsed = stated.refresh_following(package.draft, doc, explicit={p for p, _, _ in changes if p},
                                                    parsed=parsed, layouts=layouts)
    comp = compute(doc, parsed=parsed, layouts=layouts, deadline=deadline_for(package), targets=approved_for(package))
    package.version += 1
    package.draft = doc
    package.updated_by = user
    if package.status == Status.NOT_STARTED:
        package.status = Status.DRAFT
    summarise(package, comp)
    package.save()
    audit.record_field_edits(FieldEdit.objects.bulk_create(
        [FieldEdit(package=package, path=p, old=o, new=n, user=user, version=package.version, kind=kind)
         for p, o, n in changes]
        + [FieldEdit(package=package, path=p, old=o, new=n, user=user, version=package.version,
                     kind="computed") for p, o, n in derived]))
    return comp


def summarise(target, comp: Computation) -> None:
    """The dashboard's figures of a package or a version: 总分, 等次, 执行率, finding counts."""
    total, grade, rate = comp.total, comp.grade, comp.rate
    target.total_score = total.value.quantize(Decimal("0.01")) if total is not None and total.value is not None else None
    target.grade = grade.text if grade is not None else ""
    target.execution_rate = rate.value.quantize(Decimal("0.000001")) if rate is not None and rate.value is not None else None
    target.errors = comp.summary.get("errors", 0)
    target.warnings = comp.summary.get("warnings", 0)


# --- stated figures: the preparer takes the engine's value ------------------------------------------


def adopt_computed(*, package_id: int, user: User, paths: list[str] | None, version: int) -> int:
    """采用计算数: the engine's value for the figures named (None: every figure whose stated value
    differs), recorded as edits of kind "adopt" with the figures that moved with them. Returns how
    many fields changed."""
    for path in paths or []:
        fields.split_path(path)  # a hand-made path: PathError, a 400 in the view
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task", "unit").get(pk=package_id)
        _check_editable(package, user)
        refusal = stale_refusal(package, version, paths, "采用计算数")
        if refusal:
            raise ActionError(refusal, 409)
        doc, changed, parsed = stated.adopt(package.draft, paths)
        if parsed is None:
            raise ActionError("草稿无法计算，不能采用计算数；请先修正标出的错误", 422)
        if not changed:
            return 0
        save_draft(package, user, doc, changed, "adopt", parsed=parsed, settled=True)
        return len(changed)


# --- structure: add / remove / reorder projects, indicators, rows ---------------------------------

STRUCTURE_OPS = ("add", "remove", "up", "down", "create", "declare")


def change_structure(*, package_id: int, user: User, op: str, path: str, version: int) -> Package:
    if op not in STRUCTURE_OPS:
        raise ActionError("未知的操作")
    with transaction.atomic():
        package = Package.objects.select_for_update().get(pk=package_id)
        _check_editable(package, user)
        refusal = stale_refusal(package, version, None, "调整表格")
        if refusal:
            raise ActionError(refusal, 409)
        doc = json.loads(json.dumps(package.draft))
        try:
            doc, changed = _restructure(doc, op, path)
        except (fields.PathError, IndexError, KeyError, TypeError) as exc:
            raise ActionError(f"无法{op}：{exc}") from None
        if op == "create" and (approved := whole_unit_indicators(approved_for(package))):
            doc["overall"]["indicators"] = approved  # 附件3 starts from the unit's approved targets
        try:  # the draft must still read (a made-up path would add a field the package does not have)
            services.from_canonical(data=doc, name="草稿")
        except services.ServiceError as exc:
            raise ActionError(f"无法调整表格：{exc.problems[0] if exc.problems else exc.message}", 422) from None
        save_draft(package, user, doc, [(changed, None, op)], "structure")
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


def _read_import(filename: str, data: bytes) -> tuple[dict | None, ImportResult | None]:
    """The uploaded file as a canonical dict, or the reason it cannot be imported. Nothing is stored."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in ("xlsx", "docx", "txt", "yaml", "yml", "json"):
        return None, ImportResult(False, "不支持此文件类型：请上传 .xlsx 自评表、.docx 报告、.txt 文本或 .yaml/.json 数据包")
    if len(data) > settings.JIXIAO_MAX_UPLOAD_BYTES:
        return None, ImportResult(False, f"文件过大（{len(data) // 1024 // 1024} MB），上限 {settings.JIXIAO_MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    if not data:
        return None, ImportResult(False, "上传的文件是空的")
    try:
        pkg = services.read_upload(data=data, filename=filename)
        doc = fields.jsonable(services.to_canonical(package=pkg))
    except services.ServiceError as exc:
        return None, ImportResult(False, f"无法读取“{filename}”：{exc.message}", exc.problems)
    if fields.has_nul(doc):  # e.g. "\u0000" in a JSON file's text: PostgreSQL cannot store it (jsonb)
        return None, ImportResult(False, f"无法导入“{filename}”：{fields.NUL_MESSAGE}")
    try:  # what is stored must read back as a draft (a text with no package in it reads as an empty one)
        services.from_canonical(data=doc, name=filename)
    except services.ServiceError as exc:
        return None, ImportResult(False, f"“{filename}”中没有可用的数据包：{exc.message}", exc.problems)
    return doc, None


@dataclass
class ImportPreview:
    """What a file would change in the draft, field by field, and the signed token that applies it."""

    ok: bool
    message: str
    problems: list[str] = field(default_factory=list)
    changes: list[merge.Change] = field(default_factory=list)
    version: int = 0
    token: str = ""
    filename: str = ""


_IMPORT_SALT = "jixiao.web.import-preview"
IMPORT_PREVIEW_MAX_AGE = 3600  # seconds a preview can be applied


def preview_import(*, package_id: int, user: User, filename: str, data: bytes) -> ImportPreview:
    """Read the file and list what it would change in the draft (nothing is stored). A field the file
    does not hold is kept (`merge.py`). The token carries the changes, signed, to `apply_import`."""
    from django.core import signing

    package = Package.objects.select_related("task").get(pk=package_id)
    _check_editable(package, user)
    doc, refused = _read_import(filename, data)
    if refused is not None:
        return ImportPreview(False, refused.message, refused.problems, filename=filename)
    found = merge.preview(package.draft, doc, restated=stated.engine_values(package.draft))
    token = signing.dumps({"package": package.pk, "version": package.version, "file": filename,
                           "changes": [[c.path, c.new] for c in found]}, salt=_IMPORT_SALT, compress=True)
    if not found:
        return ImportPreview(True, f"“{filename}”与草稿一致，没有需要导入的改动", version=package.version, filename=filename)
    return ImportPreview(True, f"“{filename}”将改动草稿中的 {len(found)} 处", changes=found, version=package.version,
                         token=token, filename=filename)


def apply_import(*, package_id: int, user: User, token: str, chosen: list[int] | None) -> ImportResult:
    """Make the changes of a preview the preparer ticked (None: all of them), each recorded as an
    edit. Refused when a field it changes was changed by someone since the preview was made."""
    from django.core import signing

    try:
        prepared = signing.loads(token, salt=_IMPORT_SALT, max_age=IMPORT_PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ActionError("导入预览已过期（超过一小时），请重新上传文件", 409) from None
    except signing.BadSignature:
        raise ActionError("导入预览无效，请重新上传文件") from None
    if prepared.get("package") != package_id:
        raise ActionError("导入预览不属于这个数据包，请重新上传文件")
    found = prepared["changes"]
    picked = found if chosen is None else [found[i] for i in sorted(set(chosen)) if 0 <= i < len(found)]
    if not picked:
        return ImportResult(False, "没有勾选要导入的改动")
    filename = prepared["file"]
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        _check_editable(package, user)
        refusal = stale_refusal(package, prepared["version"], [p for p, _ in picked], "导入")
        if refusal:
            raise ActionError(refusal, 409)
        edits = [(path, fields.get(package.draft, path), new) for path, new in picked]
        try:
            doc = merge.apply(package.draft, edits)
        except fields.PathError as exc:
            raise ActionError(f"导入失败：{exc}", 409) from None
        doc["profile"] = package.task.profile  # the task fixes the profile, whatever the file says
        # A file (last year's signed report, a copy back from the bureau) may carry the reviewers'
        # opinions: the import takes the preparer's content and leaves those as the draft had them.
        doc, kept = keep_opinions(user, package.draft, doc)
        if kept:
            edits = [e for e in edits if not e[0].startswith("opinions")]
        try:
            services.from_canonical(data=doc, name="草稿")
        except services.ServiceError as exc:
            return ImportResult(False, f"勾选的改动合起来无法成为可读的草稿：{exc.message}", exc.problems)
        save_draft(package, user, doc, [("", None, f"导入 {filename}")] + edits, "import")
    note = f"；文件中的{'、'.join(r + '意见' for r in kept)}未导入：意见由审核人签署" if kept else ""
    return ImportResult(True, f"已从“{filename}”导入 {len(edits)} 处改动（第{package.version}版）{note}")


def import_draft(*, package_id: int, user: User, filename: str, data: bytes, version: int) -> ImportResult:
    """Merge a file into the draft in one step (the API's import): every field the file holds with
    another value is taken, every field it does not hold is kept. A file the core cannot read
    changes nothing and its problems are listed (by sheet and cell, or paragraph)."""
    package = Package.objects.get(pk=package_id)
    _check_editable(package, user)
    refusal = stale_refusal(package, version, None, "导入")
    if refusal:
        raise ActionError(refusal, 409)
    found = preview_import(package_id=package_id, user=user, filename=filename, data=data)
    if not found.ok:
        return ImportResult(False, found.message, found.problems)
    if not found.changes:
        return ImportResult(True, found.message)
    return apply_import(package_id=package_id, user=user, token=found.token, chosen=None)


# --- submit / review -------------------------------------------------------------------------------


def snapshot(package: Package, user: User, doc: dict, note: str, state: str, comp: Computation | None = None,
             origin: str = "") -> Submission:
    """An immutable version of `doc`. `comp`: its computation when the caller has it (computing a
    package is the expensive part, done before the first log entry: an entry holds the log's chain
    head until commit). `origin`: where a version the bureau imported came from (empty for one made
    in the system). Its log entry is the version's; the decision that made it (an accept) logs its
    own entry under its own name."""
    comp = comp if comp is not None else compute(doc, deadline=deadline_for(package), targets=approved_for(package))
    content = figures.resolve_document(doc, comp.report)
    algorithm, digest = content_hash(content)
    number = (package.submissions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    profile = comp.report.profile if comp.report else None
    version = Submission(package=package, number=number, content=content, content_hash=digest, hash_algorithm=algorithm,
                         created_by=user, note=note, profile=package.task.profile,
                         profile_digest=getattr(profile, "digest", "") or "", state=state, origin=origin)
    summarise(version, comp)
    version.save()
    log("submission", actor=user, target=package_target(package), path=f"submissions[{number}]",
        new={"hash": digest, "algorithm": algorithm, "state": state, **({"origin": origin} if origin else {})},
        detail=note)
    return version



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
        comp = compute(package.draft, deadline=deadline_for(package), targets=approved_for(package))
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
        doc = fields.put(pending.content, "opinions", with_opinion(pending.content, entry))
        # Computed before the first audit entry: an entry takes the log's chain head (one row lock
        # for every writer) until this transaction commits, so nothing slow may follow it.
        tier = access.tier_of(package)  # under a 主管部门 that reviews its units: sent there, not to the bureau
        units = _units_to_send(package)  # a department's own package goes up with its units' (None: not one)
        comp = compute(doc, deadline=deadline_for(package), targets=approved_for(package))
        pending.state, pending.decided_by, pending.decided_at = Submission.State.APPROVED, user, timezone.now()
        pending.decision_note = "审核通过，报送主管部门" if tier else "审核通过，报送财政"
        pending.save(update_fields=list(Submission.DECISION_FIELDS))
        log("approve", actor=user, target=package_target(package), path=f"submissions[{pending.number}].state",
               old=Submission.State.PENDING, new=Submission.State.APPROVED, detail=opinion.strip())
        sub = snapshot(package, user, doc, "单位负责人审核通过并报送主管部门" if tier else "单位负责人审核通过并报送",
                       Submission.State.APPROVED, comp=comp)
        sub.decided_by, sub.decided_at = user, timezone.now()
        sub.save(update_fields=["decided_by", "decided_at"])
        sign_opinion(package, user, entry)  # the draft carries it too: a later return and resubmission keeps it
        package.status = Status.DEPT_REVIEW if tier else Status.SUBMITTED
        package.save()
        if units is not None:
            _send_units_with(package, sub, units, user)
        return sub


# --- the 主管部门 tier (issue 22): the department's package goes up with its units' --------------------


def _units_to_send(package: Package) -> list[Package] | None:
    """The subordinate units' packages a department's package carries to the bureau (those the
    department approved and not yet sent); None when the package is not a reviewing department's.
    Refused while a unit of the task has not been approved by the department."""
    if access.tier_led_by(package) is None:
        return None
    units = list(package.task.units.filter(parent_id=package.unit_id).order_by("budget_code"))
    packages = {p.unit_id: p for p in Package.objects.select_for_update(of=("self",)).filter(
        task_id=package.task_id, unit__in=units)}
    waiting = [(u.name, packages[u.pk].get_status_display() if u.pk in packages else Status.NOT_STARTED.label)
               for u in units if u.pk not in packages or packages[u.pk].status not in (Status.DEPT_APPROVED, *SENT)]
    if waiting:
        raise ActionError("下属单位尚未全部经本部门审核通过，不能报送财政：" + "、".join(f"{n}（{s}）" for n, s in waiting), 409)
    return [packages[u.pk] for u in units]


def _send_units_with(department: Package, version: Submission, units: list[Package], user: User) -> None:
    """Each unit's latest approved version attached to the department's version; the units the
    department approved (and had not sent yet) become sent to the bureau. In the caller's transaction."""
    sent_now = []
    for unit_package in units:
        unit_version = latest_sent(unit_package)
        DepartmentAttachment.objects.create(department_submission=version, unit_submission=unit_version)
        if unit_package.status == Status.DEPT_APPROVED:
            unit_package.status = Status.SUBMITTED
            unit_package.save(update_fields=["status", "updated_at"])
            sent_now.append(unit_package.unit.budget_code)
    log("dept_submit", actor=user, target=package_target(department), path=f"submissions[{version.number}]",
        new=[p.unit.budget_code for p in units], detail=f"随附下属单位数据包{len(units)}个，其中本次报送{len(sent_now)}个")


def check_comment(path: str, text: str) -> None:
    """A reviewer's comment (unit head, 主管部门 or bureau) is refused when it says nothing or names
    a field path that does not parse."""
    if not text.strip():
        raise ActionError("意见不能为空")
    if path:
        try:
            fields.split_path(path)
        except fields.PathError as exc:  # a hand-made request: a 400 naming the path, not a server error
            raise ActionError(str(exc)) from None


def add_comment(*, package_id: int, user: User, path: str, text: str) -> Comment:
    _unit_head(user, package_id, "只有本单位的负责人可以写审核意见")
    check_comment(path, text)
    package = Package.objects.get(pk=package_id)
    sub = package.submissions.filter(state=Submission.State.PENDING).order_by("-number").first()
    with transaction.atomic():
        comment = Comment.objects.create(package=package, submission=sub, path=path, text=text.strip(), author=user)
        log("comment", actor=user, target=package_target(package), path=path, new=comment.text)
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


# --- API tokens ------------------------------------------------------------------------------------------


def issue_api_token(*, user: User, name: str = "", actor=None) -> str:
    """A bearer token for `user` (shown once). The security app's token service holds the rules (expiry,
    scope, second factor) and records the entry; this is its door for the web's own callers."""
    return tokens.issue(user=user, name=name or "接口令牌", actor=actor).token


def revoke_api_token(*, token: ApiToken, actor=None) -> None:
    """The token no longer opens the API; the entry says whose it was and who revoked it."""
    tokens.revoke(actor=actor or token.user, token_id=token.pk)
