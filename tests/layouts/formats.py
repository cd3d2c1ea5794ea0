"""Print a layout's grid as a file a bureau receives: text (TAB, aligned spaces, pipes, the TAB-per-cell
dump of a Word table), an HTML page, an .xlsx workbook, a .docx document, or PDF (through LibreOffice)."""

from __future__ import annotations

import html
import shutil
import subprocess
import unicodedata
from pathlib import Path

from .grid import Grid

# tab keeps a row's empty trailing cells (as copying a Word or web table gives); tab_trim drops them
# (as an editor that strips trailing blanks leaves it).
# spaces_right: aligned columns with figures set flush right, as a fixed-width view prints numbers.
TEXT_FORMATS = ("tab", "tab_trim", "spaces", "spaces_right", "pipes", "dump")
# html_gb: a page saved in GB18030 that declares no charset (older government sites).
FORMATS = (*TEXT_FORMATS, "html", "html_gb", "xlsx", "docx", "pdf")
SUFFIX = {"tab": ".txt", "tab_trim": ".txt", "spaces": ".txt", "spaces_right": ".txt", "pipes": ".txt", "dump": ".txt",
          "html": ".html", "html_gb": ".html", "xlsx": ".xlsx", "docx": ".docx", "pdf": ".pdf"}
UNIT_LINE = "金额单位：万元"
YEAR_LINE = "（2023年度）"


def write(grid: Grid, fmt: str, folder: Path, stem: str = "自评表") -> Path:
    path = folder / f"{stem}{SUFFIX[fmt]}"
    if fmt in TEXT_FORMATS:
        path.write_text(text(grid, fmt), encoding="utf-8")
    elif fmt == "html":
        path.write_text(page(grid), encoding="utf-8")
    elif fmt == "html_gb":
        path.write_bytes(page(grid).replace('<meta charset="utf-8">', "").encode("gb18030"))
    elif fmt == "xlsx":
        workbook(grid, path)
    elif fmt == "docx":
        document(grid, path)
    elif fmt == "pdf":
        path = pdf(grid, folder, stem)
    else:
        raise ValueError(fmt)
    return path


def _heading(grid: Grid) -> list[str]:
    return [line for line in (grid.title, YEAR_LINE, UNIT_LINE) if line]


def _trimmed(row: list[str]) -> list[str]:
    cells = list(row)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _tables(grid: Grid):
    while grid is not None:
        yield grid
        grid = grid.after


def text(grid: Grid, fmt: str) -> str:
    return "\n".join(_text_table(g, fmt, first=g is grid) for g in _tables(grid))


def _text_table(grid: Grid, fmt: str, first: bool) -> str:
    lines = (_heading(grid) if first else [grid.title]) + [""]
    if fmt == "dump":  # a Word table's cells one per line, each after a TAB; a blank line ends a row
        for row in grid.rows:
            lines += [f"\t{cell}" for cell in row] + [""]
        return "\n".join(lines) + "\n"
    widths = [max(_width(r[c]) for r in grid.rows) for c in range(grid.width)]
    for row in grid.rows:
        cells = _trimmed(row)
        if fmt == "tab":
            lines.append("\t".join(row))
        elif fmt == "tab_trim":
            lines.append("\t".join(cells))
        elif fmt == "pipes":
            lines.append("| " + " | ".join(row) + " |")
        elif fmt == "spaces_right":  # figures flush right in their columns, text flush left
            lines.append("  ".join(_pad(cell, widths[c], _is_figure(cell)) for c, cell in enumerate(row)).rstrip())
        else:  # aligned columns, as a table copied from a fixed-width view
            lines.append("  ".join(cell + " " * (widths[c] - _width(cell)) for c, cell in enumerate(row)).rstrip())
    return "\n".join(lines) + "\n"


def _pad(cell: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(cell))
    return gap + cell if right else cell + gap


def _is_figure(cell: str) -> bool:
    return bool(cell) and all(ch.isdigit() or ch in ",.%" for ch in cell)


def _width(cell: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in cell)


def _covered(grid: Grid) -> dict[tuple[int, int], tuple[int, int] | None]:
    """Each cell inside a merged block → (rows, cols) at its top-left, None elsewhere in the block."""
    out: dict[tuple[int, int], tuple[int, int] | None] = {}
    for r, c, nr, nc in grid.spans:
        for dr in range(nr):
            for dc in range(nc):
                out[(r + dr, c + dc)] = None
        out[(r, c)] = (nr, nc)
    return out


def page(grid: Grid) -> str:
    tables = "".join(_html_table(g, first=g is grid) for g in _tables(grid))
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>自评表</title></head><body>'
            f"{tables}</body></html>\n")


def _html_table(grid: Grid, first: bool) -> str:
    covered = _covered(grid)
    body = []
    for r, row in enumerate(grid.rows):
        tds = []
        for c, cell in enumerate(row):
            span = covered.get((r, c), (1, 1))
            if span is None:
                continue
            attrs = (f' rowspan="{span[0]}"' if span[0] > 1 else "") + (f' colspan="{span[1]}"' if span[1] > 1 else "")
            tds.append(f"<td{attrs}>{html.escape(cell)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    heading = "".join(f"<p>{html.escape(line)}</p>" for line in (_heading(grid) if first else [grid.title]))
    return f'{heading}<table border="1">' + "\n".join(body) + "</table>"


def workbook(grid: Grid, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    for table in _tables(grid):
        if table is not grid:
            ws.append([])
        for line in _heading(table) if table is grid else [table.title]:
            ws.append([line])
        offset = ws.max_row if ws.max_row > 1 or ws["A1"].value is not None else 0
        for row in table.rows:
            ws.append([_cell_value(c) for c in row])
        for r, c, nr, nc in table.spans:
            if nr > 1 or nc > 1:
                ws.merge_cells(start_row=offset + r + 1, start_column=c + 1, end_row=offset + r + nr,
                               end_column=c + nc)
    wb.save(path)


def _cell_value(cell: str):
    """Amounts and points as numbers, as a workbook made by hand holds them; everything else as text."""
    from decimal import Decimal, InvalidOperation

    plain = cell.replace(",", "")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        return cell
    return float(value) if plain and plain[0].isdigit() else cell


def document(grid: Grid, path: Path) -> None:
    from docx import Document

    doc = Document()
    for part in _tables(grid):
        for line in _heading(part) if part is grid else [part.title]:
            doc.add_paragraph(line)
        table = doc.add_table(rows=len(part.rows), cols=part.width)
        table.style = "Table Grid"
        covered = _covered(part)
        for r, row in enumerate(part.rows):
            for c, cell in enumerate(row):
                if covered.get((r, c), (1, 1)) is not None and cell:
                    table.cell(r, c).text = cell
        for r, c, nr, nc in part.spans:
            if nr > 1 or nc > 1:
                table.cell(r, c).merge(table.cell(r + nr - 1, c + nc - 1))
    doc.save(path)


def pdf(grid: Grid, folder: Path, stem: str) -> Path:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise RuntimeError("LibreOffice is needed for the PDF layouts")
    source = folder / f"{stem}-pdf源.docx"
    document(grid, source)
    profile = folder / "lo-profile"
    subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(source)], check=True, capture_output=True, timeout=180)
    made = folder / f"{stem}-pdf源.pdf"
    target = folder / f"{stem}.pdf"
    made.rename(target)
    source.unlink()
    return target
