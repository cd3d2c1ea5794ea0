"""The HTML of one cell of a form: an input, a figure with its trace button, a judged figure's
reading, a prose preview. Written in Python rather than as template includes because a form has
hundreds of cells and every edit re-renders the figures: an include per cell was a quarter of the
edit round trip (bench/web.py). Everything is escaped here; the templates mark nothing safe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from jixiao.web.drafts import figures
from jixiao.web.drafts.present import CellView
from jixiao.web.field_names import printed_text


@dataclass
class Ctx:
    package_pk: int
    slug: str
    review: bool = False
    version: int = 0  # the draft version the page shows: each field's edit says what it was based on
    reading: bool = False  # the unit's review pages: the trace reads the version reviewed and links back to them

    @property
    def edit_url(self) -> str:
        return f"/p/{self.package_pk}/edit"

    def trace_url(self, path: str) -> str:
        return f"/p/{self.package_pk}/trace?path={quote(path, safe='')}" + ("&on=review" if self.reading else "")


def _hx(c: CellView, ctx: Ctx) -> str:
    vals = escape(json.dumps({"path": c.cell.path, "form": ctx.slug}, ensure_ascii=False))
    return (f' hx-post="{ctx.edit_url}" hx-trigger="change" hx-vals="{vals}" hx-include="#ws-version"'
            f' hx-sync="#workspace:queue all" data-seen="{ctx.version}"')


def figure(c: CellView, ctx: Ctx, oob: bool = False) -> SafeString:
    """The part of a cell the engine decides (what an edit's response swaps)."""
    swap = ' hx-swap-oob="true"' if oob else ""
    if c.figure is not None and c.figure_kind != "judged":
        label = escape(c.cell.label)
        shown = escape(c.figure.shown())
        cls = f"fig fig-{c.figure_kind}" + (" differs" if c.stated else "")
        pair = '<span class="pair-label">计算 </span>' if c.stated else ""
        stated = ""
        if c.stated:  # the unit's figure beside the engine's: both kept, the preparer decides
            stated = f'<span class="stated" title="数据包中填报的数">填报 {escape(c.stated)}</span>'
            if c.editable:
                vals = escape(json.dumps({"path": c.cell.path, "form": ctx.slug}, ensure_ascii=False))
                stated += (f'<button type="button" class="link adopt" hx-post="/p/{ctx.package_pk}/adopt" hx-vals="{vals}"'
                           f' hx-include="#ws-version" title="以计算数替换填报数（记入修改记录）">采用计算数</button>')
        return mark_safe(
            f'<span class="figcell" id="{c.fig_id}"{swap}><button type="button" class="{cls}" hx-get="{escape(ctx.trace_url(c.cell.path))}"'
            f' hx-target="#trace-body" hx-swap="innerHTML" title="查看计算过程" aria-label="{label}：{shown}，查看计算过程">{pair}{shown}</button>'
            f'{stated}{_findings(c) if c.stated else ""}</span>')
    if c.reference:
        return mark_safe(
            f'<span class="ref" id="{c.fig_id}"{swap}><button type="button" class="link" hx-get="{escape(ctx.trace_url(c.cell.path))}"'
            f' hx-target="#trace-body" hx-swap="innerHTML" title="引擎的读数（仅供参考）">参考 {escape(c.reference)}</button>{_adopt(c)}</span>')
    if c.resolved is not None or c.cell.path in figures.PROSE_PATHS:
        inner = ""
        if c.resolved is not None:
            parts = []
            for kind, text in c.resolved.parts:
                if kind == "ref":
                    parts.append(f'<mark class="ref-value">{escape(text)}</mark>')
                elif kind == "bad":
                    parts.append(f'<mark class="ref-bad" title="引用不存在">{escape(text)}</mark>')
                else:
                    parts.append(escape(text))
            inner = '<span class="preview-label">预览：</span>' + "".join(parts)
        return mark_safe(f'<div class="preview" id="{c.fig_id}"{swap}>{inner}</div>')
    return mark_safe("")


def _adopt(c: CellView) -> str:
    """One click to enter the engine's reading where the unit has entered nothing (pages.js)."""
    if not c.adopt:
        return ""
    return (f'<button type="button" class="link adopt" data-for="{c.id}" data-value="{escape(c.adopt)}"'
            f' aria-label="{escape(c.cell.label)}：采用参考值 {escape(c.adopt)}">采用参考值</button>')


_NUMERIC = ("amount", "score", "percent", "count")
_WRAPPING = ("text", "target")


def field(c: CellView, ctx: Ctx) -> SafeString:
    """An input (or, read-only, its value), its error, the review's comment button and comments."""
    label = escape(c.cell.label)
    invalid = ' aria-invalid="true"' if c.error else ""
    if c.editable:
        hx = _hx(c, ctx)
        if c.field == "longtext":
            control = (f'<textarea id="{c.id}" name="value" rows="3" class="cell-input long" aria-label="{label}"'
                       f' aria-describedby="{c.err_id}"{hx}{invalid}>{escape(c.value)}</textarea>')
        elif c.field == "flag":
            checked = " checked" if c.value else ""
            control = f'<input type="checkbox" id="{c.id}" name="value" value="1"{checked} aria-label="{label}"{hx}>'
        elif c.field == "tier":
            opts = "".join(f'<option{" selected" if c.value == t else ""}>{t}</option>' for t in ("达成", "部分达成", "未达成"))
            control = f'<select id="{c.id}" name="value" aria-label="{label}"{hx}><option value="">（未选）</option>{opts}</select>'
        elif c.field in _WRAPPING:
            # A name or an indicator runs longer than its column: the box grows to show it whole
            # (pages.js sizes it; Enter still moves to the cell below).
            control = (f'<textarea id="{c.id}" name="value" rows="1" class="cell-input {c.field} wrap {escape(c.cell.width)}"'
                       f' aria-label="{label}" aria-describedby="{c.err_id}" autocomplete="off"{hx}{invalid}>{escape(c.value)}</textarea>')
        else:
            mode = ' inputmode="decimal"' if c.field in _NUMERIC else ""
            control = (f'<input type="text" id="{c.id}" name="value" value="{escape(c.value)}" class="cell-input {c.field} {escape(c.cell.width)}"'
                       f' aria-label="{label}" aria-describedby="{c.err_id}"{mode} autocomplete="off"{hx}{invalid}>')
    else:
        if c.field == "flag":
            shown = "是" if c.value else "否"
        elif c.field in ("amount", "score", "percent"):
            shown = escape(printed_text(c.field, c.value))
        else:
            shown = escape(c.value).replace("\n", "<br>")
        control = f'<span class="ro {c.field}" id="{c.id}" tabindex="0">{shown}</span>'
    out = [control, f'<span class="field-error" id="{c.err_id}" role="alert">{escape(c.error)}</span>']
    if ctx.review:
        out.append(f'<button type="button" class="comment-btn" data-path="{escape(c.cell.path)}" data-label="{label}"'
                   f' title="对此处写意见">意见</button>')
    for m in c.comments:
        out.append(f'<p class="comment"><b>{escape(m.author.name)}意见：</b>{escape(m.text)}</p>')
    out.append(_findings(c))
    return mark_safe("".join(out))


def _findings(c: CellView) -> str:
    """The audit's findings about this field, beside it (the bureau's read-only view fills them)."""
    out = []
    for f in c.findings:
        sev = {"error": "错误", "warning": "警告"}.get(f.severity, "提示")
        out.append(f'<p class="finding-inline sev-{escape(f.severity)}"><span class="sev">{sev}</span> {escape(f.message)}</p>')
    return "".join(out)


SHORT_HEADING = 4  # characters: 一级指标 fits any column of the forms at 1366 px


def cell(c: CellView, ctx: Ctx) -> SafeString:
    """A table cell of the official form."""
    span = (f' colspan="{c.cell.colspan}"' if c.cell.colspan > 1 else "") + (f' rowspan="{c.cell.rowspan}"' if c.cell.rowspan > 1 else "")
    if c.kind == "label":
        text = escape(c.cell.text).replace("\n", "<br>")
        if c.cell.head:  # a short heading (总分, 分值, 等次) is never broken one character a line
            short = ' class="short"' if len(c.cell.text) <= SHORT_HEADING else ""
            return mark_safe(f'<th scope="col"{span}{short}>{text}</th>')
        return mark_safe(f'<td class="label"{span}>{text}</td>')
    cls = f"cell cell-{c.kind} {c.field}" + (" has-error" if c.error else "") + (" has-comment" if c.comments else "")
    # a differing figure's findings are inside its figure (swapped with it after an edit)
    body = figure(c, ctx) + ("" if c.stated else _findings(c)) if c.kind == "figure" else field(c, ctx) + figure(c, ctx)
    return mark_safe(f'<td class="{cls}"{span}>{body}</td>')
