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
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from .. import services as package_services
from . import access, draft, layout
from . import figures as figure_rules
from .models import ApiToken, FieldEdit, Package, Status, Submission, User
from .security import audit
from .selectors import Computation, compute


class ActionError(Exception):
    """A refused action, with the Chinese message the user sees (a 4xx, nothing changed)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


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
        from cryptography.hazmat.primitives import hashes

        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return "SM3", digest.finalize().hex()
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
    package.draft = draft.put(package.draft, "opinions", with_opinion(package.draft, entry))
    package.version += 1
    audit.record_field_edits([FieldEdit.objects.create(package=package, path="opinions", old=old, new=entry, user=user,
                                                       version=package.version, kind="opinion")])


# --- the draft ---------------------------------------------------------------------------------------


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
                package = package_services.from_canonical(data=out, name="草稿")
            except package_services.ServiceError:
                return out, [], None
            current = (package, package_services.score(package=package))
        report = current[1]
        changed = False
        for path, kind in paths:
            figure = figure_rules.figure_for(path, report, out)
            if figure is None or figure_rules.kind_of(figure) == "judged":
                continue
            value = figure_rules.stored_value(figure, kind)
            old = draft.get(out, path)
            if value is not None and old != value and not _same_number(old, value):
                first.setdefault(path, old)
                last[path] = value
                draft.put(out, path, value, inplace=True)
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


def summarise(target, comp: Computation) -> None:
    """The dashboard's figures of a package or a version: 总分, 等次, 执行率, finding counts."""
    total, grade, rate = comp.total, comp.grade, comp.rate
    target.total_score = total.value.quantize(Decimal("0.01")) if total is not None and total.value is not None else None
    target.grade = grade.text if grade is not None else ""
    target.execution_rate = rate.value.quantize(Decimal("0.000001")) if rate is not None and rate.value is not None else None
    target.errors = comp.summary.get("errors", 0)
    target.warnings = comp.summary.get("warnings", 0)


def save_draft(package: Package, user: User, doc: dict, changes: list[tuple[str, object, object]], kind: str,
               parsed=None) -> Computation:
    """Store the new draft (its computed figures refreshed), bump the version, record the edits,
    refresh the summary. Inside a transaction holding the package's row. `parsed`: (package, report)
    of `doc`, if at hand. A change to an opinion the user may not sign is refused here, whatever
    surface sent it (the edit form shows it beside the field before it gets this far)."""
    refused = opinion_refusals(user, package.draft, doc)
    if refused:
        raise ActionError(refused[0].message, 403)
    layouts = layout.Layouts(doc)
    doc, derived, parsed = apply_figures(doc, parsed=parsed, layouts=layouts, owned=True)
    comp = compute(doc, parsed=parsed, layouts=layouts)
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


# --- versions ------------------------------------------------------------------------------------------


def snapshot(package: Package, user: User, doc: dict, note: str, state: str, comp: Computation | None = None,
             origin: str = "") -> Submission:
    """An immutable version of `doc`. `comp`: its computation when the caller has it (computing a
    package is the expensive part, done before the first log entry: an entry holds the log's chain
    head until commit). `origin`: where a version the bureau imported came from (empty for one made
    in the system). Its log entry is the version's; the decision that made it (an accept) logs its
    own entry under its own name."""
    comp = comp if comp is not None else compute(doc)
    content = figure_rules.resolve_document(doc, comp.report)
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


# --- API tokens ------------------------------------------------------------------------------------------


def issue_api_token(*, user: User, name: str = "", actor=None) -> str:
    """A bearer token for `user` (shown once; only its digest is kept), logged with who issued it."""
    token = ApiToken.issue(user, name)
    log("token_issue", actor=actor, actor_name="" if actor else "命令行", target=f"user:{user.pk}", new=name,
        detail=f"为{user.get_username()}签发接口令牌")
    return token


def revoke_api_token(*, token: ApiToken, actor=None) -> None:
    """The token no longer opens the API; the entry says whose it was and who revoked it."""
    owner, name = token.user, token.name
    token.delete()
    log("token_revoke", actor=actor, actor_name="" if actor else "命令行", target=f"user:{owner.pk}", old=name,
        detail=f"吊销{owner.get_username()}的接口令牌")
