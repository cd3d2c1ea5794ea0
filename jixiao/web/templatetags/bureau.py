"""Template filters of the bureau's pages."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_OUTRUNS = ' <span class="flag" title="总分高于执行率超过评分方案规定的幅度">⚑ 高于执行率</span>'
_OUTRUNS_ROW = ' class="outruns"'
_TARGETS = ' <span class="flag target-flag" title="填报的指标与批复的绩效目标不一致">⚑ 与批复目标不一致{}处</span>'
_EXEC = ' <span class="flag exec-flag" title="填报的全年预算数或执行数与一体化系统不一致">⚑ 一体化不一致{}处</span>'


@register.filter
def dashboard_rows(rows: list[dict]) -> str:
    """The dashboard's table rows (`Row.cells()`), as HTML written here rather than by a template loop:
    a page of 100 rows was most of the page's rendering time. The markup is the loop's
    (tests/web/test_bureau_dashboard.py renders both and compares them)."""
    out = []
    for r in rows:
        code = escape(r["code"])
        outruns = r["outruns"]
        sup = f'<br><span class="hint">{escape(r["supervisor"])}</span>' if r["supervisor"] else ""
        late = ' class="late"' if r["late"] else ""
        exec_flag = _EXEC.format(r["exec_diff"]) if r["exec_diff"] else ""
        target_flag = _TARGETS.format(r["target_diff"]) if r.get("target_diff") else ""
        bad = " bad" if r["errors"] else ""
        out.append(
            f'<tr id="unit-{code}"{_OUTRUNS_ROW if outruns else ""}><td>{code}</td>\n'
            f'<td><a href="/b/p/{r["pk"]}/">{escape(r["name"])}</a>{target_flag}{sup}</td>\n'
            f'<td><span class="status status-{escape(r["status"])}">{escape(r["status_label"])}</span></td>\n'
            f'<td{late}>{escape(r["days"])}{_due(r)}</td>\n'
            f'<td class="num">{escape(r["total"])}{_OUTRUNS if outruns else ""}</td>\n'
            f'<td>{escape(r["grade"])}</td><td class="num">{escape(r["rate"])}{exec_flag}</td>\n'
            f'<td class="num{bad}">{r["errors"]}</td><td class="num">{r["warnings"]}</td>\n'
            f'<td>{escape(r["updated"])}</td></tr>\n')
    return mark_safe("".join(out))  # every value above is escaped or a number


def _due(row: dict) -> str:
    """The tier's deadline under the days, where the row is held to one (a 主管部门 and its units)."""
    return f'<br><span class="hint">{escape(row["due"])}</span>' if row.get("due") else ""


@register.filter
def sortq(query, column: str) -> str:
    """The dashboard's query string with the sort set to `column` (flipped when it is the current one)."""
    return query.params(sort=query.sort_param(column))


@register.filter
def arrow(query, column: str) -> str:
    if query.sort != column:
        return ""
    return " ▼" if query.desc else " ▲"


@register.filter
def signed(value) -> str:
    """A difference with its sign: +1.50 / −2.00 / 0.00."""
    if value is None:
        return "—"
    return f"+{value:.2f}" if value > 0 else (f"−{-value:.2f}" if value < 0 else f"{value:.2f}")
