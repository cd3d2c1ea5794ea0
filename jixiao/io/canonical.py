"""The canonical package file (YAML or JSON) ⇄ the domain model.

Reading validates as it goes and collects every problem with the path of the
bad field — `projects[2].indicators[4].target: 不是有效的指标值 '≥三百批次'` — so
a preparer sees them all at once. Writing produces the same shape back.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ..core.indicators import TargetError, parse_actual, parse_target
from ..core.model import (
    BasicData,
    Buildings,
    Evaluator,
    ExpenditureRow,
    FixedAssetRow,
    FrameworkItem,
    FundRow,
    FundTypeDeclaration,
    Goal,
    IncomeRow,
    Indicator,
    Jurisdiction,
    Line,
    LineTable,
    Narrative,
    Notice,
    Opinion,
    Package,
    ProseFigure,
    SanGongRow,
    SelfEvalTable,
    Staffing,
    Unit,
)
from ..core.numbers import parse_date, parse_number
from ..core.profiles import ProfileError, load_profile, resolve_profile
from .canonical_write import FORMAT_VERSION, package_dict
from .limits import LimitError, load_bounded

MAX_BYTES = 20 * 1024 * 1024  # a package file is a few hundred KB; refuse what cannot be one


class PackageError(ValueError):
    """A package file that cannot be read; `problems` lists every bad field by path."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … 另有 {len(problems) - 50} 处" if len(problems) > 50 else ""
        super().__init__(f"{path}: 无法读取数据包（{len(problems)} 处问题）：\n{shown}{more}")


class _Ctx:
    """Walks the document, remembering the path, collecting problems."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.bare_comparator = ">="
        self.base_dir: Path | None = None  # where a profile given as a relative .yaml path is looked up

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, v: Any, path: str) -> dict:
        if v is None:
            return {}
        if not isinstance(v, dict):
            self.fail(path, f"应为映射，实为 {type(v).__name__}")
            return {}
        return v

    def seq(self, v: Any, path: str) -> list:
        if v is None:
            return []
        if not isinstance(v, list):
            self.fail(path, f"应为列表，实为 {type(v).__name__}")
            return []
        return v

    def known(self, d: dict, allowed: set[str], path: str) -> None:
        for k in d:
            if k not in allowed:
                self.fail(f"{path}.{k}" if path else str(k), f"未知的字段（允许：{'、'.join(sorted(allowed))}）")

    def text(self, d: dict, key: str, path: str, required: bool = False) -> str:
        v = d.get(key)
        if v is None:
            if required:
                self.fail(_join(path, key), "必填")
            return ""
        if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
            return str(v)
        if isinstance(v, date):
            return v.isoformat()
        if not isinstance(v, str):
            self.fail(_join(path, key), f"应为文本，实为 {type(v).__name__}")
            return ""
        return v

    def amount(self, d: dict, key: str, path: str) -> Decimal | None:
        v = d.get(key)
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            self.fail(_join(path, key), f"不是数字：{v!r}")
            return None
        if isinstance(v, (int, Decimal)):
            return Decimal(v)
        if isinstance(v, str):
            p = parse_number(v)
            if p.value is not None and p.unit in ("", "万元") and not p.comparator:
                return p.value
        self.fail(_join(path, key), f"不是数字：{v!r}")
        return None

    def rate(self, d: dict, key: str, path: str) -> Decimal | None:
        """Rates are written as percents ('32.2%'); kept as ratios with printed precision."""
        v = d.get(key)
        if v is None or v == "":
            return None
        if isinstance(v, str):
            p = parse_number(v)
            if p.value is not None and p.unit == "%":
                return p.ratio
        self.fail(_join(path, key), f"比率应写成百分数（如 \"32.2%\"），实为 {v!r}")
        return None

    def integer(self, d: dict, key: str, path: str) -> int | None:
        v = d.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(_join(path, key), f"应为整数，实为 {v!r}")
            return None
        return v

    def day(self, d: dict, key: str, path: str) -> date | None:
        v = d.get(key)
        if v is None or v == "":
            return None
        if isinstance(v, date):
            return v
        if isinstance(v, str):
            parsed = parse_date(v)
            if parsed:
                return parsed[0]
        self.fail(_join(path, key), f"不是有效日期：{v!r}")
        return None

    def flag(self, d: dict, key: str, path: str, default: bool = False) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.fail(_join(path, key), f"应为 true / false，实为 {v!r}")
            return default
        return v


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- reading ---------------------------------------------------------------------------


def read_package(path: str | Path) -> Package:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise PackageError(str(path), [f"无法打开文件：{exc.strerror}"]) from None
    if size > MAX_BYTES:
        raise PackageError(str(path), [f"文件过大（{size // 1024 // 1024} MB），数据包不应超过 {MAX_BYTES // 1024 // 1024} MB"])
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PackageError(str(path), ["文件不是 UTF-8 编码的文本"]) from None
    return parse_package(text, str(path), json_input=p.suffix.lower() == ".json", base_dir=p.parent)


def parse_package(text: str, name: str = "<数据包>", json_input: bool = False, base_dir: Path | None = None) -> Package:
    try:
        doc = load_bounded(text, json_input)
    except LimitError as exc:
        raise PackageError(name, [exc.message]) from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"第{line + 1}行" if line is not None else ""
        raise PackageError(name, [f"{where}格式错误：{getattr(exc, 'problem', None) or exc}"]) from None
    ctx = _Ctx()
    ctx.base_dir = base_dir
    if not isinstance(doc, dict):
        raise PackageError(name, ["顶层应为映射（字段: 值）"])
    pkg = _package(ctx, doc)
    if ctx.problems:
        raise PackageError(name, ctx.problems)
    return pkg


_TOP = {"jixiao", "profile", "jurisdiction", "year", "title", "unit", "staffing", "income", "expenditure", "sangong", "fixed_assets",
        "cover", "evaluators", "opinions", "narrative", "notice", "basic_data", "overall", "projects", "fund_types"}


def _package(ctx: _Ctx, doc: dict) -> Package:
    ctx.known(doc, _TOP, "")
    version = doc.get("jixiao", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        ctx.fail("jixiao", f"不支持的格式版本 {version!r}（支持 {FORMAT_VERSION}）")
    year = ctx.integer(doc, "year", "")
    if year is None:
        ctx.fail("year", "必填：评价年度")
        year = 0
    jurisdiction = _jurisdiction(ctx, doc.get("jurisdiction"))
    profile = ctx.text(doc, "profile", "")
    note = ""
    if not profile:  # the package names where and when it is from; the resolver picks the profile
        resolved = resolve_profile(jurisdiction, year)
        profile, note = resolved.profile, resolved.note
    if profile.endswith((".yaml", ".yml")) and ctx.base_dir is not None and not Path(profile).is_absolute():
        beside = ctx.base_dir / profile
        if beside.exists():
            profile = str(beside)
    try:
        prof = load_profile(profile)
        ctx.bare_comparator = prof["bare_target_comparator"]
    except ProfileError as exc:
        ctx.fail("profile", exc.problems[0] if exc.problems else str(exc))
    pkg = Package(year=year, profile=profile, title=ctx.text(doc, "title", ""), jurisdiction=jurisdiction,
                  profile_note=note)
    pkg.unit = _unit(ctx, ctx.mapping(doc.get("unit"), "unit"), "unit")
    pkg.staffing = _staffing(ctx, ctx.mapping(doc.get("staffing"), "staffing"), "staffing")
    pkg.income = _rows(ctx, doc, "income", IncomeRow)
    pkg.expenditure = _rows(ctx, doc, "expenditure", ExpenditureRow)
    pkg.sangong = _rows(ctx, doc, "sangong", SanGongRow)
    pkg.fixed_assets = _rows(ctx, doc, "fixed_assets", FixedAssetRow)
    cover = ctx.mapping(doc.get("cover"), "cover")
    ctx.known(cover, {"goal", "indicators", "score", "grade", "grade_note"}, "cover")
    pkg.cover_goal = _goal(ctx, ctx.mapping(cover.get("goal"), "cover.goal"), "cover.goal")
    pkg.cover_indicators = [_indicator(ctx, ctx.mapping(x, f"cover.indicators[{i}]"), f"cover.indicators[{i}]")
                            for i, x in enumerate(ctx.seq(cover.get("indicators"), "cover.indicators"))]
    pkg.stated_score = ctx.amount(cover, "score", "cover")
    pkg.stated_grade = ctx.text(cover, "grade", "cover")
    pkg.grade_note = ctx.text(cover, "grade_note", "cover")
    for i, e in enumerate(ctx.seq(doc.get("evaluators"), "evaluators")):
        e = ctx.mapping(e, f"evaluators[{i}]")
        ctx.known(e, {"name", "title", "org", "signed"}, f"evaluators[{i}]")
        pkg.evaluators.append(Evaluator(ctx.text(e, "name", f"evaluators[{i}]", required=True),
                                        ctx.text(e, "title", ""), ctx.text(e, "org", ""),
                                        ctx.flag(e, "signed", f"evaluators[{i}]")))
    for i, o in enumerate(ctx.seq(doc.get("opinions"), "opinions")):
        o = ctx.mapping(o, f"opinions[{i}]")
        ctx.known(o, {"role", "text", "signer", "date"}, f"opinions[{i}]")
        pkg.opinions.append(Opinion(ctx.text(o, "role", f"opinions[{i}]", required=True), ctx.text(o, "text", ""),
                                    ctx.text(o, "signer", ""), ctx.day(o, "date", f"opinions[{i}]")))
    pkg.narrative = _narrative(ctx, ctx.mapping(doc.get("narrative"), "narrative"), "narrative")
    pkg.notice = _notice(ctx, ctx.mapping(doc.get("notice"), "notice"), "notice")
    pkg.basic_data = _basic_data(ctx, ctx.mapping(doc.get("basic_data"), "basic_data"), "basic_data")
    if doc.get("overall") is not None:
        pkg.overall = _table(ctx, ctx.mapping(doc.get("overall"), "overall"), "overall", "overall")
    pkg.projects = [_table(ctx, ctx.mapping(x, f"projects[{i}]"), f"projects[{i}]", "project")
                    for i, x in enumerate(ctx.seq(doc.get("projects"), "projects"))]
    for i, f in enumerate(ctx.seq(doc.get("fund_types"), "fund_types")):
        path = f"fund_types[{i}]"
        f = ctx.mapping(f, path)
        ctx.known(f, {"kind", "has_spending", "statement", "tables"}, path)
        kind = ctx.text(f, "kind", path, required=True)
        if kind and kind not in ("gov_fund", "state_capital", "social_insurance"):
            ctx.fail(f"{path}.kind", f"应为 gov_fund / state_capital / social_insurance，实为 {kind!r}")
        decl = FundTypeDeclaration(kind=kind, has_spending=ctx.flag(f, "has_spending", path),
                                   statement=ctx.text(f, "statement", path))
        decl.tables = [_table(ctx, ctx.mapping(t, f"{path}.tables[{j}]"), f"{path}.tables[{j}]", kind)
                       for j, t in enumerate(ctx.seq(f.get("tables"), f"{path}.tables"))]
        pkg.fund_types.append(decl)
    return pkg


_UNIT_FIELDS = {"name", "budget_code", "evaluation_method", "evaluator_org", "report_date", "contact", "phone",
                "functions", "main_tasks", "summary", "supervisor"}


def _jurisdiction(ctx: _Ctx, raw) -> Jurisdiction | None:
    """`jurisdiction: {code: "433100", level: 州, name: 湘西土家族苗族自治州}`."""
    if raw is None:
        return None
    d = ctx.mapping(raw, "jurisdiction")
    ctx.known(d, {"code", "level", "name"}, "jurisdiction")
    code = str(d.get("code", "")).strip()
    if not (code.isdigit() and len(code) == 6):
        ctx.fail("jurisdiction.code", f"应为六位行政区划代码，实为 {d.get('code')!r}")
        return None
    return Jurisdiction(code, ctx.text(d, "level", "jurisdiction"), ctx.text(d, "name", "jurisdiction"))


def _unit(ctx: _Ctx, d: dict, path: str) -> Unit:
    ctx.known(d, _UNIT_FIELDS, path)
    u = Unit(**{f: ctx.text(d, f, path) for f in _UNIT_FIELDS})
    if not u.name:
        ctx.fail(f"{path}.name", "必填：单位名称")
    return u


def _staffing(ctx: _Ctx, d: dict, path: str) -> Staffing:
    ctx.known(d, {"authorized", "actual", "in_post", "control_rate"}, path)
    return Staffing(ctx.integer(d, "authorized", path), ctx.integer(d, "actual", path),
                    ctx.integer(d, "in_post", path), ctx.rate(d, "control_rate", path))


def _rows(ctx: _Ctx, doc: dict, key: str, cls) -> list:
    out = []
    amount_fields = [f for f in cls.__dataclass_fields__ if f not in ("institution", "is_summary", "src")]
    for i, r in enumerate(ctx.seq(doc.get(key), key)):
        path = f"{key}[{i}]"
        r = ctx.mapping(r, path)
        ctx.known(r, {"institution", "summary", *amount_fields}, path)
        row = cls(institution=ctx.text(r, "institution", path, required=True),
                  **{f: ctx.amount(r, f, path) for f in amount_fields})
        row.is_summary = ctx.flag(r, "summary", path)
        out.append(row)
    return out


def _goal(ctx: _Ctx, d: dict, path: str) -> Goal:
    ctx.known(d, {"expected", "actual"}, path)
    return Goal(ctx.text(d, "expected", path), ctx.text(d, "actual", path))


_INDICATOR_FIELDS = {"level1", "level2", "name", "target", "actual", "weight", "score", "reason", "applicable", "tier"}


def _indicator(ctx: _Ctx, d: dict, path: str) -> Indicator:
    ctx.known(d, _INDICATOR_FIELDS, path)
    raw_target = ctx.text(d, "target", path)
    try:
        target = parse_target(raw_target, ctx.bare_comparator)
    except TargetError as exc:
        ctx.fail(f"{path}.target", str(exc))
        target = parse_target("", ctx.bare_comparator)
    raw_actual = ctx.text(d, "actual", path)
    tier = ctx.text(d, "tier", path)
    if tier and tier not in ("达成", "部分达成", "未达成"):
        ctx.fail(f"{path}.tier", f"应为 达成 / 部分达成 / 未达成，实为 {tier!r}")
    ind = Indicator(level1=ctx.text(d, "level1", path, required=True), level2=ctx.text(d, "level2", path),
                    name=ctx.text(d, "name", path, required=True), target=target,
                    actual=parse_actual(raw_actual, target), weight=ctx.amount(d, "weight", path),
                    stated_score=ctx.amount(d, "score", path), reason=ctx.text(d, "reason", path),
                    applicable=ctx.flag(d, "applicable", path, True), tier=tier)
    if ind.weight is not None and ind.weight < 0:
        ctx.fail(f"{path}.weight", "分值不能为负")
    return ind


_FUND_KEYS = {"total", "appropriation", "carryover", "other", "general_budget", "gov_fund", "special_account",
              "other_funds", "basic", "project"}
_FUND_COLUMNS = ("initial", "annual", "executed")


def _fund_key(ctx: _Ctx, d: dict, path: str) -> str:
    key = ctx.text(d, "key", path, required=True)
    if key and key not in _FUND_KEYS:
        ctx.fail(f"{path}.key", f"未知的资金行（允许：{'、'.join(sorted(_FUND_KEYS))}）")
    return key


def _check_inline(ctx: _Ctx, row: FundRow, path: str) -> None:
    """`inline` is a figure written in the label cell whose column the form does not say: a row that
    states its figures in their columns has none."""
    if row.inline is not None and any(getattr(row, c) is not None for c in _FUND_COLUMNS):
        ctx.fail(f"{path}.inline", "未注明列的数额只在 initial、annual、executed 均未填写时使用")


def _table(ctx: _Ctx, d: dict, path: str, kind: str) -> SelfEvalTable:
    ctx.known(d, {"name", "supervisor", "implementer", "funds", "group_sums", "goal", "indicators", "level1_weights",
                  "total", "total_weight", "grade", "form_label", "row_label", "filler", "filing_date"}, path)
    t = SelfEvalTable(kind=kind, name=ctx.text(d, "name", path, required=kind == "project"),
                      supervisor=ctx.text(d, "supervisor", path), implementer=ctx.text(d, "implementer", path),
                      form_label=ctx.text(d, "form_label", path), row_label=ctx.text(d, "row_label", path),
                      filler=ctx.text(d, "filler", path), filing_date=ctx.day(d, "filing_date", path))
    for i, f in enumerate(ctx.seq(d.get("funds"), f"{path}.funds")):
        fp = f"{path}.funds[{i}]"
        f = ctx.mapping(f, fp)
        ctx.known(f, {"key", "label", *_FUND_COLUMNS, "inline", "weight", "rate", "score", "balance"}, fp)
        key = _fund_key(ctx, f, fp)
        row = FundRow(key=key, label=ctx.text(f, "label", fp) or key, initial=ctx.amount(f, "initial", fp),
                      annual=ctx.amount(f, "annual", fp), executed=ctx.amount(f, "executed", fp),
                      weight=ctx.amount(f, "weight", fp), stated_rate=ctx.rate(f, "rate", fp),
                      stated_score=ctx.amount(f, "score", fp), balance=ctx.amount(f, "balance", fp),
                      inline=ctx.amount(f, "inline", fp))
        _check_inline(ctx, row, fp)
        t.funds.append(row)
    seen: set[str] = set()
    for i, g in enumerate(ctx.seq(d.get("group_sums"), f"{path}.group_sums")):
        gp = f"{path}.group_sums[{i}]"
        g = ctx.mapping(g, gp)
        ctx.known(g, {"key", "label", *_FUND_COLUMNS, "inline"}, gp)
        key = _fund_key(ctx, g, gp)
        if key in seen:
            ctx.fail(f"{gp}.key", f"分组 {key} 的合计已在前面写过")
        seen.add(key)
        row = FundRow(key=key, label=ctx.text(g, "label", gp, required=True), initial=ctx.amount(g, "initial", gp),
                      annual=ctx.amount(g, "annual", gp), executed=ctx.amount(g, "executed", gp),
                      inline=ctx.amount(g, "inline", gp))
        _check_inline(ctx, row, gp)
        if all(g.get(c) in (None, "") for c in (*_FUND_COLUMNS, "inline")):
            ctx.fail(gp, "分组合计须至少写一个数额（initial、annual、executed 或 inline）")
        t.group_sums.append(row)
    t.goal = _goal(ctx, ctx.mapping(d.get("goal"), f"{path}.goal"), f"{path}.goal")
    t.indicators = [_indicator(ctx, ctx.mapping(x, f"{path}.indicators[{i}]"), f"{path}.indicators[{i}]")
                    for i, x in enumerate(ctx.seq(d.get("indicators"), f"{path}.indicators"))]
    lw = ctx.mapping(d.get("level1_weights"), f"{path}.level1_weights")
    t.level1_weights = {str(k): ctx.amount(lw, k, f"{path}.level1_weights") for k in lw}
    t.stated_total = ctx.amount(d, "total", path)
    t.stated_total_weight = ctx.amount(d, "total_weight", path)
    t.stated_grade = ctx.text(d, "grade", path)
    return t


_OPS = {"diff": 2, "balance": 3, "sum": None}


def _line_table(ctx: _Ctx, d: dict, path: str, key: str) -> LineTable:
    ctx.known(d, {"title", "columns", "derived", "total", "lines", "unit"}, path)
    columns = {str(k): str(v) for k, v in ctx.mapping(d.get("columns"), f"{path}.columns").items()}
    if not columns:
        ctx.fail(f"{path}.columns", "必填：列定义")
    table = LineTable(key=key, title=ctx.text(d, "title", path), columns=columns,
                      unit=ctx.text(d, "unit", path) or "万元", total_label=ctx.text(d, "total", path))
    for col, spec in ctx.mapping(d.get("derived"), f"{path}.derived").items():
        sp = f"{path}.derived.{col}"
        if not isinstance(spec, list) or not spec or spec[0] not in _OPS:
            ctx.fail(sp, "应为 [diff, 列a, 列b] / [balance, 期初, 收入, 支出] / [sum, 列…]")
            continue
        n = _OPS[spec[0]]
        if (n is not None and len(spec) != n + 1) or any(c not in columns for c in spec[1:]) or col not in columns:
            ctx.fail(sp, f"列名不在 columns 中或参数个数不对：{spec}")
            continue
        table.derived[str(col)] = tuple(spec)
    labels = set()
    for i, ln in enumerate(ctx.seq(d.get("lines"), f"{path}.lines")):
        lp = f"{path}.lines[{i}]"
        ln = ctx.mapping(ln, lp)
        ctx.known(ln, {"label", "parent", "partial", "subtotal", "note", *columns}, lp)
        line = Line(label=ctx.text(ln, "label", lp, required=True), parent=ctx.text(ln, "parent", lp),
                    partial=ctx.flag(ln, "partial", lp), note=ctx.text(ln, "note", lp),
                    values={c: ctx.amount(ln, c, lp) for c in columns})
        if line.parent and line.parent not in labels:
            ctx.fail(f"{lp}.parent", f"上级行 {line.parent!r} 不存在或不在本行之前")
        labels.add(line.label)
        table.lines.append(line)
        if ctx.flag(ln, "subtotal", lp):
            table.subtotals.append(line.label)
    return table


def _narrative(ctx: _Ctx, d: dict, path: str) -> Narrative:
    ctx.known(d, {"title", "tables", "framework", "total", "grade", "figures", "achievements", "problems",
                  "suggestions", "publication", "sections"}, path)
    n = Narrative(title=ctx.text(d, "title", path), stated_total=ctx.amount(d, "total", path),
                  stated_grade=ctx.text(d, "grade", path), achievements=ctx.text(d, "achievements", path),
                  problems=ctx.text(d, "problems", path), suggestions=ctx.text(d, "suggestions", path),
                  publication=ctx.text(d, "publication", path),
                  sections=[str(s) for s in ctx.seq(d.get("sections"), f"{path}.sections")])
    for key, t in ctx.mapping(d.get("tables"), f"{path}.tables").items():
        n.tables[str(key)] = _line_table(ctx, ctx.mapping(t, f"{path}.tables.{key}"), f"{path}.tables.{key}", str(key))
    for i, item in enumerate(ctx.seq(d.get("framework"), f"{path}.framework")):
        ip = f"{path}.framework[{i}]"
        item = ctx.mapping(item, ip)
        ctx.known(item, {"id", "level1", "level2", "name", "weight", "inputs", "rate", "formula", "score", "evidence"}, ip)
        inputs = {}
        for k in ctx.mapping(item.get("inputs"), f"{ip}.inputs"):
            v = ctx.amount(item["inputs"], k, f"{ip}.inputs")
            if v is not None:
                inputs[str(k)] = v
        n.framework.append(FrameworkItem(
            id=ctx.text(item, "id", ip, required=True), level1=ctx.text(item, "level1", ip),
            level2=ctx.text(item, "level2", ip), name=ctx.text(item, "name", ip, required=True),
            weight=ctx.amount(item, "weight", ip), inputs=inputs, stated_rate=ctx.rate(item, "rate", ip),
            stated_formula=ctx.text(item, "formula", ip), stated_score=ctx.amount(item, "score", ip),
            evidence=ctx.text(item, "evidence", ip)))
    for i, f in enumerate(ctx.seq(d.get("figures"), f"{path}.figures")):
        fp = f"{path}.figures[{i}]"
        f = ctx.mapping(f, fp)
        ctx.known(f, {"subject", "value", "unit", "text"}, fp)
        value = ctx.amount(f, "value", fp)
        if value is not None:
            n.figures.append(ProseFigure(ctx.text(f, "subject", fp, required=True), value,
                                         ctx.text(f, "unit", fp) or "万元", ctx.text(f, "text", fp)))
    return n


def _notice(ctx: _Ctx, d: dict, path: str) -> Notice:
    ctx.known(d, {"issuer", "scope_total", "deadline", "issued_on", "deviation_threshold"}, path)
    return Notice(issuer=ctx.text(d, "issuer", path), scope_total=ctx.amount(d, "scope_total", path),
                  deadline=ctx.day(d, "deadline", path), issued_on=ctx.day(d, "issued_on", path),
                  deviation_threshold=ctx.rate(d, "deviation_threshold", path))


def _basic_data(ctx: _Ctx, d: dict, path: str) -> BasicData:
    ctx.known(d, {"staffing", "costs", "buildings", "thrift_measures", "filler", "filing_date"}, path)
    bd = BasicData(staffing=_staffing(ctx, ctx.mapping(d.get("staffing"), f"{path}.staffing"), f"{path}.staffing"),
                   thrift_measures=ctx.text(d, "thrift_measures", path), filler=ctx.text(d, "filler", path),
                   filing_date=ctx.day(d, "filing_date", path))
    if d.get("costs") is not None:
        bd.costs = _line_table(ctx, ctx.mapping(d["costs"], f"{path}.costs"), f"{path}.costs", "basic_data_costs")
    b = ctx.mapping(d.get("buildings"), f"{path}.buildings")
    bp = f"{path}.buildings"
    ctx.known(b, {"approved_area", "actual_area", "area_rate", "budget_investment", "actual_investment",
                  "investment_rate"}, bp)
    bd.buildings = Buildings(ctx.amount(b, "approved_area", bp), ctx.amount(b, "actual_area", bp),
                             ctx.rate(b, "area_rate", bp), ctx.amount(b, "budget_investment", bp),
                             ctx.amount(b, "actual_investment", bp), ctx.rate(b, "investment_rate", bp))
    return bd


# --- writing ----------------------------------------------------------------------------


def package_to_dict(pkg: Package) -> dict:
    """The canonical shape of a package, for YAML/JSON output (figures as exact strings)."""
    return package_dict(pkg)


def write_package(pkg: Package, path: str | Path) -> None:
    """Write atomically: a half-written package file is never left behind."""
    p = Path(path)
    data = package_to_dict(pkg)
    if p.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(p)
