"""Property tests of the round trips: generated packages written by each of our writers and read back
by its reader compare equal field by field.

The comparison walks the model's dataclasses generically (`model_fields`, `differences`), so a field
added to the model — or written by a writer without its reader — fails here unless it is carried or
named in NOT_CARRIED (what the canonical format does not hold: where a document reader found things).
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from jixiao.core import model
from jixiao.core.model import Package
from jixiao.core.view import build_view
from jixiao.io.canonical import package_to_dict, parse_package, read_package, write_package
from jixiao.io.xlsx_reader import read_xlsx
from jixiao.render.xlsx_writer import write_xlsx

# What the canonical package does not carry: where a document reader found each value, and what it
# read of a document made elsewhere (its prose, forms, template families, score sheets, coverage).
# docs/package-format.md lists them.
NOT_CARRIED = {
    ("Package", "src"), ("Package", "texts"), ("Package", "forms_found"), ("Package", "families"),
    ("Package", "score_sheets"), ("Package", "reading"), ("Package", "source_path"), ("Package", "profile_note"),
    ("LineTable", "reading"),
    *((cls.__name__, "src") for cls in vars(model).values()
      if isinstance(cls, type) and dataclasses.is_dataclass(cls) and "src" in cls.__dataclass_fields__),
}


# --- the model, walked generically -----------------------------------------------------------------


def _dataclasses_in(annotation) -> list[type]:
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return [annotation]
    return [c for arg in typing.get_args(annotation) for c in _dataclasses_in(arg)]


def model_fields() -> set[tuple[str, str]]:
    """Every (class, field) reachable from Package through fields the format carries."""
    seen: set[tuple[str, str]] = set()
    todo, done = [Package], set()
    while todo:
        cls = todo.pop()
        if cls in done:
            continue
        done.add(cls)
        hints = typing.get_type_hints(cls, vars(model))
        for f in dataclasses.fields(cls):
            if (cls.__name__, f.name) in NOT_CARRIED:
                continue
            seen.add((cls.__name__, f.name))
            todo += _dataclasses_in(hints[f.name])
    return seen


def _default(f: dataclasses.Field):
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def exercised(obj, out: set[tuple[str, str]] | None = None) -> set[tuple[str, str]]:
    """The (class, field) pairs holding something other than their default somewhere in `obj`."""
    out = set() if out is None else out
    if dataclasses.is_dataclass(obj):
        name = type(obj).__name__
        for f in dataclasses.fields(obj):
            if (name, f.name) in NOT_CARRIED:
                continue
            value = getattr(obj, f.name)
            if value not in (None, "", [], {}) and value != _default(f):
                out.add((name, f.name))
            exercised(value, out)
    elif isinstance(obj, list):
        for v in obj:
            exercised(v, out)
    elif isinstance(obj, dict):
        for v in obj.values():
            exercised(v, out)
    return out


def differences(a, b, path: str = "") -> list[str]:
    """Field-by-field differences; Decimals must agree in their digits too (286.30 is not 286.3)."""
    if type(a) is not type(b):
        return [f"{path}: {a!r} ≠ {b!r}"]
    if dataclasses.is_dataclass(a):
        out = []
        for f in dataclasses.fields(a):
            if (type(a).__name__, f.name) not in NOT_CARRIED:
                out += differences(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items ≠ {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} ≠ {list(b)}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, Decimal):
        return [] if repr(a) == repr(b) else [f"{path}: {a!r} ≠ {b!r}"]
    return [] if a == b else [f"{path}: {a!r} ≠ {b!r}"]


# --- generated packages (as canonical dicts, so that they are valid) ---------------------------------

CJK = "预算执行资金项目单位支出收入绩效目标完成情况说明调整结余合计人员公用三公接待车辆"
TEXT = st.text(alphabet=CJK + "abcXYZ0123456789（）、，。：；％—-“”", min_size=1, max_size=12)
LONG_TEXT = st.text(alphabet=CJK + "0123456789，。\n", min_size=1, max_size=60)


@st.composite
def amounts(draw, signed: bool = False) -> str:
    """An amount as printed, trailing zeros kept: '0', '10.00', '3312.53', '150.005'."""
    places = draw(st.sampled_from([0, 1, 2, 2, 2, 3, 4]))
    units = draw(st.integers(min_value=-10**9 if signed else 0, max_value=10**9))
    return format(Decimal(units).scaleb(-places), "f")


@st.composite
def percents(draw) -> str:
    places = draw(st.sampled_from([0, 1, 2]))
    return format(Decimal(draw(st.integers(0, 15000))).scaleb(-places), "f") + "%"


DATES = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
TARGETS = st.one_of(
    st.builds(lambda c, n, u: f"{c}{n}{u}", st.sampled_from(["≥", "＞", "≤", "<", "", "="]),
              st.integers(1, 5000), st.sampled_from(["个", "人次", "万元", "%", "批次", ""])),
    st.builds(lambda d: f"{d.year}年{d.month}月{d.day}日前", DATES),
    st.sampled_from(["明显提升", "有效保障", "群众满意", "持续改善"]),
)
ACTUALS = st.one_of(
    st.builds(lambda n, u: f"完成{n}{u}", st.integers(0, 5000), st.sampled_from(["个", "人次", "万元", "%"])),
    st.builds(lambda n: f"{n}余人次", st.integers(1, 500)),
    st.builds(lambda d: f"{d.year}年{d.month}月{d.day}日", DATES),
    TEXT,
)


def maybe(strategy, full: bool):
    """Present in a full package; in others present or absent."""
    return strategy if full else st.one_of(st.none(), strategy)


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


@st.composite
def indicators(draw, full: bool, first: bool = False, second: bool = False) -> dict:
    d = {"level1": draw(st.sampled_from(["产出指标", "效益指标", "满意度指标"])),
         "level2": draw(maybe(st.sampled_from(["数量指标", "质量指标", "时效指标", "社会效益指标"]), full)),
         "name": draw(TEXT), "target": draw(maybe(TARGETS, full)), "actual": draw(maybe(ACTUALS, full)),
         "weight": draw(maybe(amounts(), full)), "score": draw(maybe(amounts(), full)),
         "reason": draw(maybe(TEXT, full)), "tier": draw(maybe(st.sampled_from(["达成", "部分达成", "未达成"]), full))}
    if first and full:  # in a full table the first row is a dated one, not applicable, the second approximate
        when = draw(DATES)
        d |= {"applicable": False, "target": f"{when.year}年{when.month}月{when.day}日前",
              "actual": f"{when.year}年{when.month}月{when.day}日"}
    elif second and full:
        d |= {"target": f"≥{draw(st.integers(1, 500))}人次", "actual": f"{draw(st.integers(1, 500))}余人次"}
    elif draw(st.booleans()) and not full:
        d["applicable"] = draw(st.booleans())
    return _clean(d)


@st.composite
def fund_rows(draw, full: bool, keys: list[str]) -> list[dict]:
    out = []
    for k in keys:
        row = {"key": k, "label": draw(maybe(TEXT, full)), "initial": draw(maybe(amounts(), full)),
               "annual": draw(maybe(amounts(), full)), "executed": draw(maybe(amounts(), full))}
        if k == "total":
            row |= {"weight": draw(maybe(amounts(), full)), "rate": draw(maybe(percents(), full)),
                    "score": draw(maybe(amounts(), full)), "balance": draw(maybe(amounts(signed=True), full))}
        out.append(_clean(row))
    return out


@st.composite
def self_eval(draw, full: bool, overall: bool = False) -> dict:
    keys = (["total", "general_budget", "gov_fund", "basic", "project"] if overall
            else ["total", "appropriation", "carryover", "other"])
    inds = [draw(indicators(full, first=i == 0, second=i == 1)) for i in range(draw(st.integers(2 if full else 0, 4)))]
    d = {"name": draw(TEXT), "form_label": draw(maybe(TEXT, full)), "row_label": draw(maybe(TEXT, full)),
         "supervisor": draw(maybe(TEXT, full)), "implementer": draw(maybe(TEXT, full)),
         "funds": draw(fund_rows(full, keys)),
         "goal": {"expected": draw(LONG_TEXT), "actual": draw(LONG_TEXT)},
         "level1_weights": {i["level1"]: draw(amounts()) for i in inds},
         "indicators": inds, "total": draw(maybe(amounts(), full)), "total_weight": draw(maybe(amounts(), full)),
         "grade": draw(maybe(st.sampled_from(["优", "良", "中", "差"]), full)),
         "filler": draw(maybe(TEXT, full)), "filing_date": draw(maybe(DATES, full))}
    if full or draw(st.booleans()):
        group = "general_budget" if overall else "appropriation"
        d["group_sums"] = [{"key": group, "label": "按收入性质分", "inline": draw(amounts())}]
    if not overall and (full or draw(st.booleans())):  # a total written in its label cell, column unsaid
        d["funds"][0] = {"key": "total", "label": "合计", "inline": draw(amounts())}
    return _clean(d)


@st.composite
def line_tables(draw, full: bool) -> dict:
    lines, labels = [], []
    for i in range(draw(st.integers(3 if full else 1, 5))):
        label = f"{draw(TEXT)}{i}"
        ln = {"label": label, "budget": draw(maybe(amounts(), full)), "actual": draw(maybe(amounts(), full)),
              "diff": draw(maybe(amounts(signed=True), full))}
        if labels and (full and i == 1 or draw(st.booleans())):
            ln |= {"parent": labels[0], "partial": True if full else draw(st.booleans()), "note": draw(TEXT)}
        elif i and (full and i == 2 or draw(st.booleans())):  # a 小计 row among the top-level ones
            ln["subtotal"] = True
        lines.append(_clean(ln))
        labels.append(label)
    return _clean({"title": draw(TEXT), "columns": {"budget": "预算数", "actual": "决算数", "diff": "决算比预算增加"},
                   "derived": {"diff": ["diff", "actual", "budget"]}, "total": labels[-1] if full else None,
                   "unit": "元" if full else None, "lines": lines})


FRAMEWORK_IDS = ["staff_control_rate", "budget_completion_rate", "management_system", "satisfaction"]


@st.composite
def framework_items(draw, full: bool) -> dict:
    return _clean({"id": draw(st.sampled_from(FRAMEWORK_IDS)), "level1": draw(maybe(TEXT, full)),
                   "level2": draw(maybe(TEXT, full)), "name": draw(TEXT), "weight": draw(maybe(amounts(), full)),
                   "inputs": {"在职人员数": draw(amounts()), "编制数": draw(amounts())} if full or draw(st.booleans()) else None,
                   "formula": draw(maybe(st.just("（在职人员数÷编制数）×100%"), full)),
                   "rate": draw(maybe(percents(), full)), "score": draw(maybe(amounts(), full)),
                   "evidence": draw(maybe(TEXT, full))})


def _rows(draw, full: bool, fields: tuple[str, ...]) -> list[dict]:
    rows = [{"institution": "汇总", "summary": True}] if full or draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 2))):
        row = {"institution": draw(TEXT)}
        row |= {f: draw(maybe(amounts(signed=f.startswith("balance")), full)) for f in fields}
        rows.append(_clean(row))
    return rows


def _staffing(draw, full: bool) -> dict:
    return _clean({"authorized": draw(maybe(st.integers(0, 500), full)), "actual": draw(maybe(st.integers(0, 500), full)),
                   "in_post": draw(maybe(st.integers(0, 500), full)), "control_rate": draw(maybe(percents(), full))})


@st.composite
def packages(draw, full: bool = False) -> dict:
    unit = {f: draw(maybe(TEXT, full)) for f in ("budget_code", "evaluation_method", "evaluator_org", "report_date",
                                                  "contact", "phone", "supervisor")}
    unit |= {f: draw(maybe(LONG_TEXT, full)) for f in ("functions", "main_tasks", "summary")}
    kinds = draw(st.lists(st.sampled_from(["gov_fund", "state_capital", "social_insurance"]), unique=True,
                          min_size=3 if full else 0))
    fund_types = []
    for i, kind in enumerate(kinds):
        spending = i == 0 if full else draw(st.booleans())
        fund_types.append(_clean({
            "kind": kind, "has_spending": spending or None, "statement": draw(maybe(TEXT, full)),
            # a declaration without spending may still carry a table (another unit's leftovers): kept as read
            "tables": [draw(self_eval(full))] if spending or full else None}))
    doc = {
        "jixiao": 1, "profile": "xiangxi-2022" if full else draw(st.sampled_from(["national-2020", "xiangxi-2022"])),
        "year": draw(st.integers(2018, 2026)), "title": draw(maybe(TEXT, full)),
        "jurisdiction": {"code": "433100", "level": "州", "name": "湘西土家族苗族自治州"} if full or draw(st.booleans()) else None,
        "unit": _clean({"name": draw(TEXT), **unit}),
        "staffing": _staffing(draw, full),
        "income": _rows(draw, full, ("total", "carryover", "general_budget", "fund_budget", "special_account", "other")),
        "expenditure": _rows(draw, full, ("total", "basic", "personnel", "public", "project", "balance_current",
                                          "balance_cumulative")),
        "sangong": _rows(draw, full, ("total", "reception", "vehicle_operation", "vehicle_purchase", "overseas")),
        "fixed_assets": _rows(draw, full, ("total", "in_use", "rented", "other")),
        "cover": _clean({"goal": {"expected": draw(LONG_TEXT), "actual": draw(LONG_TEXT)},
                         "indicators": [draw(indicators(full, first=i == 0, second=i == 1)) for i in range(draw(st.integers(1 if full else 0, 3)))],
                         "score": draw(maybe(amounts(), full)), "grade": draw(maybe(st.sampled_from(["优", "良", "优秀"]), full)),
                         "grade_note": draw(maybe(TEXT, full))}),
        "evaluators": [_clean({"name": draw(TEXT), "title": draw(maybe(TEXT, full)), "org": draw(maybe(TEXT, full)),
                               "signed": True if full else draw(st.booleans())}) for _ in range(draw(st.integers(1, 3)))],
        "opinions": [_clean({"role": draw(TEXT), "text": draw(maybe(LONG_TEXT, full)), "signer": draw(maybe(TEXT, full)),
                             "date": draw(maybe(DATES, full))}) for _ in range(draw(st.integers(1, 3)))],
        "narrative": _clean({
            "title": draw(maybe(TEXT, full)), "sections": draw(st.lists(TEXT, min_size=1 if full else 0, max_size=4)),
            "tables": {k: draw(line_tables(full)) for k in draw(st.lists(
                st.sampled_from(["basic_expenditure", "project_expenditure", "cost_control"]), unique=True,
                min_size=1 if full else 0))},
            "framework": [draw(framework_items(full)) for _ in range(draw(st.integers(1 if full else 0, 3)))],
            "total": draw(maybe(amounts(), full)), "grade": draw(maybe(TEXT, full)),
            "figures": [{"subject": "total_expenditure", "value": draw(amounts()), "unit": draw(st.sampled_from(["万元", "%", "人次"])),
                         "text": draw(TEXT)} for _ in range(draw(st.integers(1 if full else 0, 2)))],
            **{k: draw(maybe(LONG_TEXT, full)) for k in ("achievements", "problems", "suggestions", "publication")}}),
        "notice": _clean({"issuer": draw(maybe(TEXT, full)), "scope_total": draw(maybe(amounts(), full)),
                          "deadline": draw(maybe(DATES, full)), "issued_on": draw(maybe(DATES, full)),
                          "deviation_threshold": draw(maybe(percents(), full))}),
        "basic_data": _clean({
            "staffing": _staffing(draw, full), "costs": draw(maybe(line_tables(full), full)),
            "buildings": _clean({"approved_area": draw(maybe(amounts(), full)), "actual_area": draw(maybe(amounts(), full)),
                                 "area_rate": draw(maybe(percents(), full)), "budget_investment": draw(maybe(amounts(), full)),
                                 "actual_investment": draw(maybe(amounts(), full)),
                                 "investment_rate": draw(maybe(percents(), full))}),
            "thrift_measures": draw(maybe(LONG_TEXT, full)), "filler": draw(maybe(TEXT, full)),
            "filing_date": draw(maybe(DATES, full))}),
        "overall": draw(maybe(self_eval(full, overall=True), full)),
        "projects": [draw(self_eval(full)) for _ in range(draw(st.integers(1 if full else 0, 2)))],
        "fund_types": fund_types,
    }
    return _clean(doc)


def as_package(doc: dict) -> Package:
    import json

    def plain(v):
        return format(v, "f") if isinstance(v, Decimal) else v.isoformat()

    return parse_package(json.dumps(doc, ensure_ascii=False, default=plain), "<生成的数据包>", json_input=True)


# no shrinking: a generated package is large and shrinking it takes minutes; the failing example is printed
SETTINGS = settings(deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                         HealthCheck.function_scoped_fixture])


# --- the properties ---------------------------------------------------------------------------------


@settings(SETTINGS, max_examples=3)
@given(packages(full=True))
def test_generator_exercises_every_carried_field(doc):
    """Every field of the model the format carries is set by the full generator, so the round trips
    below compare it. A field added to the model fails here until it is carried (writer, reader,
    generator) or listed in NOT_CARRIED."""
    missing = model_fields() - exercised(as_package(doc))
    assert not missing, f"fields never exercised (carry them or list them in NOT_CARRIED): {sorted(missing)}"


@settings(SETTINGS, max_examples=15)
@given(st.one_of(packages(), packages(full=True)))
def test_canonical_file_round_trip(tmp_path_factory, doc):
    """YAML and JSON: write, read back — every field equal, figures with their digits."""
    pkg = as_package(doc)
    folder = tmp_path_factory.mktemp("canon")
    for suffix in (".yaml", ".json"):
        out = folder / f"p{suffix}"
        write_package(pkg, out)
        back = read_package(out)
        assert differences(pkg, back) == [], suffix
        assert package_to_dict(back) == package_to_dict(pkg)


@settings(SETTINGS, max_examples=8)
@given(st.one_of(packages(), packages(full=True)))
def test_workbook_round_trip(tmp_path_factory, doc):
    """Our workbook: render the view, read back — the package as stated, every field."""
    pkg = as_package(doc)
    out = write_xlsx(build_view(pkg), tmp_path_factory.mktemp("book") / "p.xlsx")
    back = read_xlsx(out)
    assert differences(pkg, back) == []


def test_differences_sees_a_field_a_writer_drops():
    """The comparison is not blind: a figure's digits, a dropped item and a changed text all show."""
    a = as_package({"year": 2022, "unit": {"name": "甲"}, "profile": "national-2020",
                    "projects": [{"name": "项目", "funds": [{"key": "total", "annual": "10.00"}]}]})
    b = as_package({"year": 2022, "unit": {"name": "甲"}, "profile": "national-2020",
                    "projects": [{"name": "项目", "funds": [{"key": "total", "annual": "10.0"}]}]})
    assert differences(a, b) == [".projects[0].funds[0].annual: Decimal('10.00') ≠ Decimal('10.0')"]
    b.projects[0].funds = []
    assert differences(a, b) == [".projects[0].funds: 1 items ≠ 0"]

