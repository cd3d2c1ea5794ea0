"""Scoring profiles: every number a jurisdiction sets, as versioned YAML with its source.

A profile file looks like

    id: xiangxi-2022
    extends: national-2020          # optional: inherit, then override per parameter
    version: 1
    valid_from: 2022-01-01
    sources: {州财绩〔2022〕9号: {title: …}}
    parameters:
      execution_weight: {value: 10, source: 财预〔2020〕10号, clause: …}

Each parameter is validated strictly by the spec below; a bad profile is rejected
with the file, the key and the reason, all problems at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .model import Jurisdiction
from .numbers import HUNDRED, parse_number

PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"


class ProfileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("评分方案无效：\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


# --- YAML that never produces floats --------------------------------------------------

# libyaml's loader when PyYAML was built with it: ~10× faster on package files, same results.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DecimalLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    pass


def _decimal_float(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))  # type: ignore[arg-type]


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal_float)


def load_yaml(text: str) -> Any:
    """YAML with floats read as exact Decimals (3312.53 stays 3312.53)."""
    return yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass


# --- value checkers: each returns the converted value or raises ValueError ---------------

def _number(v: Any) -> Decimal:
    if isinstance(v, bool):
        raise ValueError("应为数字")
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    if isinstance(v, str):
        p = parse_number(v)
        if p.value is not None and p.unit == "" and not p.comparator:
            return p.value
    raise ValueError(f"应为数字，实为 {v!r}")


def _percent(v: Any) -> Decimal:
    """'30%' → 0.30. A bare number is read as percent points too (30 → 0.30)."""
    if isinstance(v, str):
        p = parse_number(v)
        if p.value is not None and p.unit in ("%", ""):
            return p.value.scaleb(-2)
        raise ValueError(f"应为百分数，实为 {v!r}")
    return _number(v) / HUNDRED


def _choice(*options: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if v not in options:
            raise ValueError(f"应为 {' / '.join(options)} 之一，实为 {v!r}")
        return v
    return check


def _mapping(value_check: Callable[[Any], Any]) -> Callable[[Any], dict]:
    def check(v: Any) -> dict:
        if not isinstance(v, dict) or not v:
            raise ValueError("应为非空映射")
        return {str(k): value_check(x) for k, x in v.items()}
    return check


def _record(spec: dict[str, tuple[Callable[[Any], Any], bool]]) -> Callable[[Any], dict]:
    """A mapping with known keys: spec key → (checker, required)."""
    def check(v: Any) -> dict:
        if not isinstance(v, dict):
            raise ValueError(f"应为映射，实为 {type(v).__name__}")
        unknown = set(v) - set(spec)
        if unknown:
            raise ValueError(f"未知的键 {sorted(unknown)}，允许的键：{sorted(spec)}")
        out = {}
        for key, (checker, required) in spec.items():
            if key not in v:
                if required:
                    raise ValueError(f"缺少 {key}")
                continue
            try:
                out[key] = checker(v[key])
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return out
    return check


def _list(item_check: Callable[[Any], Any], min_len: int = 1) -> Callable[[Any], list]:
    def check(v: Any) -> list:
        if not isinstance(v, list) or len(v) < min_len:
            raise ValueError(f"应为至少 {min_len} 项的列表")
        out = []
        for i, x in enumerate(v):
            try:
                out.append(item_check(x))
            except ValueError as exc:
                raise ValueError(f"[{i}] {exc}") from None
        return out
    return check


def _text(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValueError("应为非空文本")
    return v


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError("应为 true / false")
    return v


_BAND = _record({
    "equals": (_percent, False), "above": (_percent, False), "upto": (_percent, False),
    "above_inclusive": (_bool, False), "points": (_number, False), "share": (_percent, False),
})

_RULE = _record({
    "shape": (_choice("judgement", "threshold_deduct", "step_deduct", "bands", "proportional_capped", "checklist"), True),
    "threshold": (_percent, False),
    "per_point": (_number, False),
    "over": (_bool, False),
    "target": (_percent, False),
    "step": (_percent, False),
    "points": (_number, False),
    "bands": (_list(_BAND), False),
    "items": (_number, False),
    "no_object": (_choice("full_marks", "drop"), False),
})

FRAMEWORK_FORMULAS = (
    "none", "staff_control_rate", "sangong_change_rate", "budget_completion_rate", "budget_control_rate",
    "public_funds_control_rate", "sangong_control_rate", "procurement_execution_rate",
    "building_area_control_rate", "building_investment_control_rate", "fixed_asset_utilization",
    "satisfaction_rate", "completion_rate",
)

_FRAMEWORK_ITEM = _record({
    "id": (_text, True), "level1": (_text, True), "level2": (_text, True), "name": (_text, True),
    "aliases": (_list(_text), False),
    "weight": (_number, False), "formula": (_choice(*FRAMEWORK_FORMULAS), True),
    "rule": (_RULE, False),
})

_TIER = _record({"name": (_text, True), "min": (_percent, True), "max": (_percent, True)})
_GRADE = _record({"min": (_number, True), "name": (_text, True)})
_CAP = _record({"below": (_percent, True), "max_total": (_number, True)})

# Parameter name → checker. Every parameter a profile may set is listed here.
PARAMETERS: dict[str, Callable[[Any], Any]] = {
    "execution_weight": _number,
    "level1_weights": _mapping(_number),
    "execution_score": _record({"method": (_choice("proportional_capped", "bands"), True), "bands": (_list(_BAND), False)}),
    "quantitative_score": _record({"method": (_choice("proportional"), True)}),
    "cover_score": _choice("self_eval_table", "framework"),
    "qualitative_tiers": _list(_TIER),
    "grades": _list(_GRADE),
    "deviation_threshold": _percent,
    "deviation_deduction": _choice("none", "flag"),
    "execution_reason_threshold": _percent,
    "not_applicable": _record({"project": (_choice("rescale", "full_marks"), True), "overall": (_choice("rescale", "full_marks"), True)}),
    "execution_caps": _record({"enabled": (_bool, True), "caps": (_list(_CAP, 0), True)}),
    "score_outruns_execution_margin": _number,
    "bare_target_comparator": _choice(">=", "="),
    "aggregation_weight": _choice("annual", "executed", "initial"),
    "satisfaction_min_responses": _number,
    "framework": _list(_FRAMEWORK_ITEM, 0),
    "render_charts": _bool,  # optional: charts in the rendered report (jixiao.render); on when absent
    # the bureau's side: 抽评 sample, 结果应用, 运行监控
    "spot_check": _record({"share": (_percent, True), "minimum": (_number, True), "weights": (_mapping(_number), True)}),
    "grade_consequences": _mapping(_text),
    "monitoring_thresholds": _list(_record({"month": (_number, True), "min": (_percent, True)})),
}
# What a reviewer calls each parameter: messages and traces cite a rule by the profile's title and
# this name, never by the identifiers above.
PARAMETER_LABELS: dict[str, str] = {
    "execution_weight": "预算执行率分值",
    "level1_weights": "一级指标分值",
    "execution_score": "预算执行率得分规则",
    "quantitative_score": "定量指标得分规则",
    "cover_score": "封面综合得分的口径",
    "qualitative_tiers": "定性指标分档",
    "grades": "等次分数线",
    "deviation_threshold": "偏差须说明原因的界限",
    "deviation_deduction": "偏差扣分办法",
    "execution_reason_threshold": "执行率须说明原因的界限",
    "not_applicable": "不适用指标的处理办法",
    "execution_caps": "执行率封顶规则",
    "score_outruns_execution_margin": "得分高于执行率的容差",
    "bare_target_comparator": "未写比较符的指标值的读法",
    "aggregation_weight": "部门汇总的加权办法",
    "satisfaction_min_responses": "满意度调查的最少样本数",
    "framework": "部门整体支出绩效评价指标体系",
    "render_charts": "报告图表",
    "spot_check": "抽评规则",
    "grade_consequences": "评价结果应用办法",
    "monitoring_thresholds": "运行监控节点",
}
OPTIONAL = ("render_charts",)
REQUIRED = tuple(p for p in PARAMETERS if p not in OPTIONAL)  # after inheritance every other parameter must be set

_PARAM_ENTRY = {"value", "source", "clause", "note", "verified"}
_TOP_KEYS = {"id", "title", "jurisdiction", "version", "valid_from", "valid_to", "extends", "sources", "parameters", "note"}


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any
    source: str
    clause: str
    verified: bool
    defined_in: str


@dataclass
class Profile:
    id: str
    title: str
    version: int
    valid_from: date | None
    valid_to: date | None
    parameters: dict[str, Parameter]
    sources: dict[str, dict]
    digest: str  # sha256 of the files it was built from, for reproducibility
    chain: list[str] = field(default_factory=list)
    jurisdiction: Jurisdiction | None = None
    aliases: tuple[str, ...] = ()  # names of the jurisdiction as documents write them

    def covers(self, year: int) -> bool:
        """Is `year` inside the profile's validity (valid_from … valid_to, open ends)?"""
        return ((self.valid_from is None or self.valid_from.year <= year)
                and (self.valid_to is None or year <= self.valid_to.year))

    def verified(self, name: str) -> bool:
        p = self.parameters.get(name)
        return p is not None and p.verified
    _refs: dict[str, str] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> Any:
        return self.parameters[name].value

    def label(self, name: str) -> str:
        """'湘西州州直部门整体支出绩效自评（2022年度）·预算执行率得分规则': the rule as a reviewer names it."""
        return f"{self.title}·{PARAMETER_LABELS.get(name, name)}"

    def ref(self, name: str) -> str:
        """'<title>·预算执行率得分规则（财预〔2020〕10号 附件…）': the rule and where it comes from."""
        cached = self._refs.get(name)
        if cached is not None:
            return cached
        p = self.parameters[name]
        where = p.source + (f" {p.clause}" if p.clause else "")
        self._refs[name] = f"{self.label(name)}（{where}{'' if p.verified else '，未核实'}）"
        return self._refs[name]

    def framework_item(self, item_id: str) -> dict | None:
        for item in self["framework"]:
            if item["id"] == item_id:
                return item
        return None

    def describe(self) -> dict:
        return {"id": self.id, "title": self.title, "version": self.version, "digest": self.digest[:12], "chain": self.chain}


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def _resolve_path(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return p
    candidate = PROFILE_DIR / f"{name_or_path}.yaml"
    if candidate.exists():
        return candidate
    raise ProfileError([f"{name_or_path}: 找不到评分方案（可用：{', '.join(available_profiles())}）"])


_CACHE: dict[Path, Profile] = {}


def load_profile(name_or_path: str | Path) -> Profile:
    path = _resolve_path(name_or_path).resolve()
    if path not in _CACHE:
        _CACHE[path] = _build(path, seen=())
    return _CACHE[path]


def _build(path: Path, seen: tuple[Path, ...]) -> Profile:
    if path in seen:
        raise ProfileError([f"{path.name}: extends 形成循环"])
    raw_text = path.read_text(encoding="utf-8")
    try:
        doc = load_yaml(raw_text)
    except yaml.YAMLError as exc:
        raise ProfileError([f"{path.name}: 不是有效的 YAML：{exc}"]) from None
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise ProfileError([f"{path.name}: 顶层应为映射"])
    for key in sorted(set(doc) - _TOP_KEYS):
        problems.append(f"{path.name}: {key}: 未知的顶层键")
    pid = doc.get("id")
    if not isinstance(pid, str) or pid != path.stem:
        problems.append(f"{path.name}: id: 应与文件名一致（{path.stem}），实为 {pid!r}")
    version = doc.get("version")
    if not isinstance(version, int) or version < 1:
        problems.append(f"{path.name}: version: 应为正整数")
    sources = doc.get("sources") or {}
    if not isinstance(sources, dict):
        problems.append(f"{path.name}: sources: 应为映射")
        sources = {}

    parent: Profile | None = None
    if doc.get("extends"):
        parent = _build(_resolve_path(doc["extends"]).resolve(), seen + (path,))

    params: dict[str, Parameter] = dict(parent.parameters) if parent else {}
    raw_params = doc.get("parameters") or {}
    if not isinstance(raw_params, dict):
        problems.append(f"{path.name}: parameters: 应为映射")
        raw_params = {}
    known_sources = set(sources) | (set(parent.sources) if parent else set())
    for name, entry in raw_params.items():
        where = f"{path.name}: parameters.{name}"
        if name not in PARAMETERS:
            problems.append(f"{where}: 未知的参数（允许：{', '.join(PARAMETERS)}）")
            continue
        if not isinstance(entry, dict) or "value" not in entry:
            problems.append(f"{where}: 应为 {{value, source, clause}} 映射")
            continue
        extra = set(entry) - _PARAM_ENTRY
        if extra:
            problems.append(f"{where}: 未知的键 {sorted(extra)}")
        source = entry.get("source")
        if not isinstance(source, str) or not source:
            problems.append(f"{where}.source: 每个参数都须注明来源")
            continue
        if source not in known_sources:
            problems.append(f"{where}.source: 来源 {source!r} 未在 sources 中列出")
        try:
            value = PARAMETERS[name](entry["value"])
        except ValueError as exc:
            problems.append(f"{where}.value: {exc}")
            continue
        params[name] = Parameter(name, value, source, str(entry.get("clause", "")),
                                 bool(entry.get("verified", False)), pid or path.stem)
    missing = [n for n in REQUIRED if n not in params]
    if missing:
        problems.append(f"{path.name}: 缺少参数 {', '.join(missing)}")
    problems += _cross_checks(path.name, params)
    if problems:
        raise ProfileError(problems)

    digest = hashlib.sha256(raw_text.encode() + (parent.digest.encode() if parent else b"")).hexdigest()
    merged_sources = dict(parent.sources) if parent else {}
    merged_sources.update(sources)
    jurisdiction, aliases = _jurisdiction(path.name, doc.get("jurisdiction"), problems, parent)
    if problems:
        raise ProfileError(problems)
    return Profile(
        id=pid, title=str(doc.get("title", pid)), version=version,
        valid_from=doc.get("valid_from"), valid_to=doc.get("valid_to"),
        parameters=params, sources=merged_sources, digest=digest,
        chain=(parent.chain if parent else []) + [f"{pid}@v{version}"],
        jurisdiction=jurisdiction, aliases=aliases,
    )


def _jurisdiction(fname: str, raw: Any, problems: list[str],
                  parent: Profile | None) -> tuple[Jurisdiction | None, tuple[str, ...]]:
    """`jurisdiction: {code: "433100", level: 州, name: …, aliases: [湘西州, …]}`; inherited when absent."""
    if raw is None and parent is not None:
        return parent.jurisdiction, parent.aliases
    if raw is None:
        problems.append(f"{fname}: jurisdiction: 须注明适用地区（code 行政区划代码、level、name）")
        return None, ()
    if not isinstance(raw, dict) or not isinstance(raw.get("code"), str) or not raw["code"].isdigit() or len(raw["code"]) != 6:
        problems.append(f"{fname}: jurisdiction: 应为 {{code: 六位行政区划代码（字符串）, level, name, aliases}}")
        return None, ()
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        problems.append(f"{fname}: jurisdiction.aliases: 应为名称列表")
        aliases = []
    j = Jurisdiction(raw["code"], str(raw.get("level", "")), str(raw.get("name", "")))
    return j, tuple(dict.fromkeys([j.name, *aliases]) if j.name else aliases)


# --- choosing a profile: jurisdiction and year ------------------------------------------------

NATIONAL_CODE = "000000"


@dataclass(frozen=True)
class Resolution:
    profile: str
    note: str = ""  # set when no profile of the package's own jurisdiction covers its year


def resolve_profile(jurisdiction: Jurisdiction | None, year: int) -> Resolution:
    """The profile of `jurisdiction` whose validity covers `year` (the newest version among several);
    else the national one that covers it, with a note saying so."""
    profiles = [load_profile(name) for name in available_profiles()]
    if jurisdiction is not None and jurisdiction.code != NATIONAL_CODE:
        own = [p for p in profiles if p.jurisdiction and p.jurisdiction.code == jurisdiction.code]
        fitting = [p for p in own if p.covers(year)]
        if fitting:
            return Resolution(max(fitting, key=lambda p: (p.valid_from or date.min, p.version)).id)
        where = jurisdiction.name or jurisdiction.code
        if own:
            spans = "、".join(f"{p.id}（{_span(p)}）" for p in own)
            note = f"{where}的评分方案{spans}不适用于{year}年度"
        else:
            note = f"未找到{where}的评分方案"
    else:
        note = ""
    national = [p for p in profiles if p.jurisdiction and p.jurisdiction.code == NATIONAL_CODE]
    fitting = [p for p in national if p.covers(year)] or national
    chosen = max(fitting, key=lambda p: (p.valid_from or date.min, p.version)).id if fitting else "national-2020"
    return Resolution(chosen, f"{note}，按全国通行做法（{chosen}）评分" if note else "")


def _span(p: Profile) -> str:
    lo = str(p.valid_from.year) if p.valid_from else "…"
    hi = str(p.valid_to.year) if p.valid_to else "…"
    return f"{lo}–{hi}年度" if lo != hi else f"{lo}年度"


def detect_jurisdiction(texts: list[str]) -> Jurisdiction | None:
    """The jurisdiction whose name or alias a document's opening texts (title, unit, bureau) write;
    the longest name wins (湘西土家族苗族自治州 over 湘西州)."""
    best: tuple[int, Jurisdiction] | None = None
    for name in available_profiles():
        p = load_profile(name)
        if p.jurisdiction is None or p.jurisdiction.code == NATIONAL_CODE:
            continue
        for alias in p.aliases:
            if any(alias in t for t in texts) and (best is None or len(alias) > best[0]):
                best = (len(alias), p.jurisdiction)
    return best[1] if best else None


def _cross_checks(fname: str, params: dict[str, Parameter]) -> list[str]:
    """Consistency between parameters: tiers cover 0–100%, grades descend, weights sum to 100."""
    problems = []
    if "qualitative_tiers" in params:
        tiers = sorted(params["qualitative_tiers"].value, key=lambda t: t["min"])
        if tiers[0]["min"] != 0 or tiers[-1]["max"] != 1:
            problems.append(f"{fname}: parameters.qualitative_tiers: 档次应覆盖 0%–100%")
        for a, b in zip(tiers, tiers[1:]):
            if a["max"] != b["min"]:
                problems.append(f"{fname}: parameters.qualitative_tiers: {a['name']} 与 {b['name']} 之间不连续")
    if "grades" in params:
        mins = [g["min"] for g in params["grades"].value]
        if mins != sorted(mins, reverse=True):
            problems.append(f"{fname}: parameters.grades: 等次应按分数线从高到低排列")
    if "grades" in params and "grade_consequences" in params:
        missing = [g["name"] for g in params["grades"].value if g["name"] not in params["grade_consequences"].value]
        if missing:
            problems.append(f"{fname}: parameters.grade_consequences: 未规定等次 {'、'.join(missing)} 的结果应用")
    if "level1_weights" in params and "execution_weight" in params:
        total = sum(params["level1_weights"].value.values()) + params["execution_weight"].value
        if total != 100:
            problems.append(f"{fname}: parameters.level1_weights: 一级指标分值与执行率分值之和应为100，实为 {total}")
    if "execution_score" in params:
        es = params["execution_score"].value
        if es["method"] == "bands" and not es.get("bands"):
            problems.append(f"{fname}: parameters.execution_score: method 为 bands 时须给出 bands")
    for item in params["framework"].value if "framework" in params else []:
        rule = item.get("rule", {"shape": "judgement"})
        needs = {"threshold_deduct": ("threshold", "per_point"), "step_deduct": ("target", "step", "points"),
                 "bands": ("bands",), "proportional_capped": ("target",), "checklist": ("items",)}.get(rule["shape"], ())
        for key in needs:
            if key not in rule:
                problems.append(f"{fname}: parameters.framework.{item['id']}.rule: {rule['shape']} 须给出 {key}")
    return problems
