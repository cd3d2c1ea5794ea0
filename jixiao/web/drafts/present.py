"""The form's cells with everything a template needs: value, error, figure, comments, element ids.

The layout says what the official form holds; this adds the current draft, the engine's figures,
the rejected entries kept for the user, and the reviewer's comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jixiao.web.drafts import fields, figures, layout
from jixiao.web.drafts.computation import Computation


@dataclass
class CellView:
    cell: layout.Cell
    id: str = ""
    value: str = ""
    error: str = ""
    editable: bool = False
    figure: Any = None  # Computed
    figure_kind: str = ""
    stated: str = ""  # the draft's value where it differs from the engine's
    reference: str = ""  # the engine's reading beside a judged figure
    adopt: str = ""  # that reading as an entry, offered (never filled) where the unit has entered nothing
    comments: list = field(default_factory=list)
    resolved: Any = None  # narrative prose with references resolved
    findings: list = field(default_factory=list)  # audit findings about this field (the bureau's read-only view)

    @property
    def kind(self) -> str:
        return self.cell.kind

    @property
    def field(self) -> str:
        return self.cell.field

    @property
    def fig_id(self) -> str:
        return figures.dom_id("fig", self.cell.path)

    @property
    def err_id(self) -> str:
        return figures.dom_id("err", self.cell.path)


@dataclass
class TableView:
    table: layout.Table
    head: list[list[CellView]]
    rows: list[tuple[str, list[CellView]]]  # (item path, cells)


@dataclass
class BlockView:
    block: layout.Block
    items: list[Any]


def present(form: layout.Form, comp: Computation, *, editable: bool, rejected: dict[str, tuple[str, str]],
            comments: dict[str, list]) -> list[BlockView]:
    out = []
    for b in form.blocks:
        items: list[Any] = []
        for it in b.items:
            if isinstance(it, layout.Table):
                head = [[_cell(c, comp, editable, rejected, comments) for c in r] for r in it.head]
                rows = []
                for k, r in enumerate(it.rows):
                    item = it.row_paths[k] if k < len(it.row_paths) else ""
                    rows.append((item, [_cell(c, comp, editable, rejected, comments) for c in r]))
                items.append(TableView(it, head, rows))
            elif isinstance(it, layout.Fields):
                items.append([_cell(c, comp, editable, rejected, comments) for c in it.cells])
            else:
                items.append(it)
        out.append(BlockView(b, items))
    return out


def _cell(c: layout.Cell, comp: Computation, editable: bool, rejected, comments) -> CellView:
    v = CellView(c)
    if c.kind not in ("input", "figure"):
        return v
    v.id = figures.dom_id("f", c.path)
    stored = fields.get(comp.doc, c.path)
    v.value = fields.shown_entry(c.field, stored)
    v.comments = comments.get(c.path, [])
    if c.kind == "figure":
        fig = comp.figure(c.path)
        if fig is not None:
            v.figure = fig
            v.figure_kind = figures.kind_of(fig, comp.report)
            if v.figure_kind != "judged":
                if fig.has_stated and fig.agrees is False:
                    v.stated = fig.shown_stated()
                    v.editable = editable  # the preparer may take the computed value (采用计算数)
                return v
            v.reference = fig.shown() if fig.value is not None or fig.text else "无"
            allowed = figures.allowed_range(fig)
            if allowed:
                v.reference += f"（允许 {allowed}）"
        # judged, or not computed by the engine: the unit's entry
        v.cell = layout.Cell("input", path=c.path, fkind=c.field, label=c.label, row=c.row, colspan=c.colspan, width=c.width)
    v.editable = editable
    if editable and v.reference and v.figure is not None and v.figure.value is not None and stored in (None, ""):
        v.adopt = v.figure.shown()
    if c.path in rejected:
        v.value, v.error = rejected[c.path]
    if c.path in figures.PROSE_PATHS and isinstance(stored, str) and figures.TOKEN.search(stored):
        v.resolved = figures.resolve(stored, comp.refs, comp.report)
    return v


def figure_cells(blocks: list[BlockView]) -> list[CellView]:
    """Every cell of the page whose content the engine decides: figures, references beside judged
    entries, and prose previews — what an edit's response swaps."""
    out = []
    for b in blocks:
        for it in b.items:
            cells = []
            if isinstance(it, TableView):
                cells = [c for r in it.head for c in r] + [c for _, r in it.rows for c in r]
            elif isinstance(it, list):
                cells = it
            out += [c for c in cells if c.figure is not None or c.resolved is not None or c.cell.path in figures.PROSE_PATHS]
    return out


def _findings_by_path(groups, slug: str) -> tuple[dict[str, list], list]:
    """The findings of the form `slug` (`groups`: `selectors.findings_by_form`) by the field they are
    about, and those about no single field."""
    by_path: dict[str, list] = {}
    loose = []
    for _title, form_slug, items in groups:
        if form_slug == slug:
            for f in items:
                if f.path:
                    by_path.setdefault(f.path, []).append(f)
                else:
                    loose.append(f)
    return by_path, loose


def attach_differing_findings(blocks: list[BlockView], groups, slug: str) -> None:
    """The audit's findings about a figure whose stated value differs from the engine's, set beside
    that figure (`groups`: `selectors.findings_by_form`), so the pair and the reason come together."""
    by_path, _ = _findings_by_path(groups, slug)
    for c in figure_cells(blocks):
        if c.stated and c.cell.path in by_path:
            c.findings = by_path[c.cell.path]


def place_findings(blocks: list[BlockView], groups, slug: str) -> list:
    """A reviewer's read-only form (the bureau's, the 主管部门's): every finding of the form set beside the
    field it is about (its first cell on the page); returns the rest — about no single field, or a
    field this form does not show — for the box above the form (web/review/_unplaced_findings.html)."""
    by_path, unplaced = _findings_by_path(groups, slug)
    shown = set()
    for b in blocks:
        for it in b.items:
            cells = ([c for r in it.head for c in r] + [c for _, r in it.rows for c in r]) if isinstance(it, TableView) \
                else (it if isinstance(it, list) else [])
            for c in cells:
                if c.cell.path in by_path and c.cell.path not in shown:
                    c.findings = by_path[c.cell.path]
                    shown.add(c.cell.path)
    return unplaced + [f for path, found in by_path.items() if path not in shown for f in found]
