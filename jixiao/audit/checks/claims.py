"""Claims the tables contradict: a package that says it has no problems while its own figures show
spending far below budget. Low execution is itself a problem the unit must explain (the profile's
reason threshold), so "暂无问题" beside it is a claim to query, not a fact to accept."""

from __future__ import annotations

import re
from decimal import Decimal

from ...core.model import Source
from ...core.numbers import fmt_percent
from ..findings import Finding
from ..registry import AuditContext, check

_NO_PROBLEM = re.compile(r"^(?:存在(?:的)?问题[:：]?)?(?:暂无|无|没有|未发现|不存在)(?:明显|突出)?(?:的)?(?:问题)?[。.；;]?$")
_PROSE_RATE = re.compile(r"(?:预算|资金|项目)?执行率(?:为|是|达到?|仅为?)?\s*(\d+(?:\.\d+)?)\s*[%％]")


def _claims(ctx: AuditContext):
    pkg = ctx.package
    seen = set()
    for block in pkg.texts:
        text = re.sub(r"\s", "", block.text)
        if _NO_PROBLEM.match(text) and ("问题" in block.section or text.startswith("存在")):
            seen.add(text)
            yield block.form, block.section, block.text, block.line
    problems = re.sub(r"\s", "", pkg.narrative.problems or "")
    if problems and problems not in seen and _NO_PROBLEM.match(problems):
        yield "绩效评价报告", "存在的问题", pkg.narrative.problems, None


def _low_rates(ctx: AuditContext, threshold: Decimal) -> list[tuple[Decimal, str]]:
    out = []
    for t in ctx.report.tables:
        c = t.execution_rate
        rate = None if c is None else (c.value if c.value is not None else c.stated)
        if rate is not None and rate < threshold:
            out.append((rate, t.title))
    if not out:
        for block in ctx.package.texts:  # a report in prose only: the rate it states
            for m in _PROSE_RATE.finditer(block.text):
                rate = Decimal(m.group(1)).scaleb(-2)
                if rate < threshold:
                    out.append((rate, f"{block.form} {block.section}".strip()))
    return out


@check("prose.claim_contradicted", "“无问题”与执行情况矛盾",
       "材料称“暂无问题”“无”（存在问题栏或“存在的问题”一节），而表中或文中预算执行率低于评分方案的说明阈值（默认90%）时提示："
       "执行偏低本身就是应当分析的问题。")
def claim_contradicted(ctx: AuditContext) -> list[Finding]:
    threshold = ctx.profile["execution_reason_threshold"]
    claims = list(_claims(ctx))
    if not claims:
        return []
    low = _low_rates(ctx, threshold)
    if not low:
        return []
    rate, where = min(low)
    out = []
    for form, section, text, line in claims:
        out.append(Finding(
            rule="prose.claim_contradicted", severity="warning",
            message=f"材料称“{text.strip().rstrip('。.')}”（{section}），但{where}预算执行率仅{fmt_percent(rate)}，低于"
                    f"{fmt_percent(threshold)}：执行偏低本身就是应当分析说明的问题。",
            location=Source(form, section, "", "", line, text.strip()), stated=text.strip(),
            expected="分析执行偏低的原因与改进措施", formula=f"{fmt_percent(rate)} < {fmt_percent(threshold)}"))
    return out


@check("funds.balance", "结余与到位、支出不衔接",
       "项目资金表列有“结余”的（如岳阳2016年项目表：计划安排 / 实际到位 / 实际支出 / 结余），结余 = 实际到位资金 − 实际支出；"
       "支出超过到位资金而结余填0的，报告不符。按填报精度比较。")
def fund_balance(ctx: AuditContext) -> list[Finding]:
    from ...core.numbers import stated_agrees

    out = []
    for t in [*([ctx.package.overall] if ctx.package.overall else []), *ctx.package.projects]:
        total = t.fund("total")
        if total is None or total.balance is None or total.annual is None or total.executed is None:
            continue
        expected = total.annual - total.executed
        if stated_agrees(total.balance, expected, "万元", parts=2):
            continue
        where = total.src.get("balance") or Source("附件4")
        out.append(Finding(
            rule="funds.balance", severity="error",
            message=f"附件4“{t.name}”结余{total.balance}万元，与实际到位{total.annual}万元减实际支出{total.executed}万元"
                    f"（{expected}万元）不符。",
            location=Source(where.form, "资金", total.label, "结余", where.line, where.text),
            stated=f"{total.balance}", expected=f"{expected}",
            formula=f"{total.annual} − {total.executed} = {expected} ≠ {total.balance}"))
    return out
