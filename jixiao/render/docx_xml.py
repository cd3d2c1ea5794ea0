"""WordprocessingML written as strings: paragraphs, runs and tables with merged cells.

python-docx's table API is quadratic in the number of cells (`table.cell(r, c)`
walks the grid every time); a package has a few thousand cells, so the body is
built here as XML text in one pass and written into word/document.xml as it is
(docx_writer.write_docx; docx_setup holds the frame it goes into). Nothing parses
it on the way: every text goes through esc(), every prefix used here is declared
in NSDECL, and the frame's <w:body> declares those the document root does not.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from ..core import references
from ..core.memo import text_cache
from . import words

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = (
    f'xmlns:w="{W_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
TEXT_WIDTH = 8844  # twips: A4 210 mm − 28 mm − 26 mm = 156 mm


def esc(text: str) -> str:
    """Text for XML content or a double-quoted attribute."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def run(text: str, bold: bool = False, size: int | None = None, font: str | None = None) -> str:
    """A run; line breaks in `text` become <w:br/>. A figure reference left in the text (one the
    editor could not resolve) prints as a Chinese marker, never as raw braces (core.references)."""
    if "{{" in text:
        text = references.mark(text)
    props = []
    if font:
        props.append(f'<w:rFonts w:ascii="{esc(font)}" w:hAnsi="{esc(font)}" w:eastAsia="{esc(font)}" w:hint="eastAsia"/>')
    if bold:
        props.append("<w:b/><w:bCs/>")
    if size:
        props.append(f'<w:sz w:val="{size * 2}"/><w:szCs w:val="{size * 2}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    if "\n" not in text:
        return f'<w:r>{rpr}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'
    pieces = text.split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{esc(p)}</w:t>' for p in pieces)
    return f"<w:r>{rpr}{body}</w:r>"


def para(content: str | list[str], style: str = "JxBody", align: str | None = None, indent: bool | None = None,
         page_break: bool = False, keep_next: bool = False, raw: bool = False) -> str:
    """A paragraph in `style`; `content` is text (escaped) or, with raw=True, ready-made runs."""
    ppr = [f'<w:pStyle w:val="{style}"/>']
    if keep_next:
        ppr.append("<w:keepNext/>")
    if page_break:
        ppr.append("<w:pageBreakBefore/>")
    if indent is False:
        ppr.append('<w:ind w:firstLine="0" w:firstLineChars="0"/>')
    if align:
        ppr.append(f'<w:jc w:val="{align}"/>')
    if raw:
        runs = content if isinstance(content, str) else "".join(content)
    else:
        runs = run(content) if isinstance(content, str) else "".join(run(t) for t in content)
    return f"<w:p><w:pPr>{''.join(ppr)}</w:pPr>{runs}</w:p>"


def hairline() -> str:
    """An empty 1 pt paragraph that keeps two tables apart without a visible gap, kept with the next table."""
    return ('<w:p><w:pPr><w:pStyle w:val="JxTable"/><w:keepNext/><w:spacing w:before="0" w:after="0" w:line="20" '
            'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


def page_break() -> str:
    return '<w:p><w:pPr><w:pStyle w:val="JxBody"/></w:pPr><w:r><w:br w:type="page"/></w:r></w:p>'


@dataclass(slots=True)
class Cell:
    text: str = ""
    span: int = 1  # gridSpan
    merge: str = ""  # "" | "restart" | "continue" (vertical merge)
    align: str = "center"  # left (justified) | flush (left, ragged) | center | right
    bold: bool = False
    shade: bool = False
    words: bool = False  # a name: its lines break only between its words (words.name_lines)
    label: bool = False  # a label ("服务对象满意度指标"): its lines break only between its words (_label_text)


def C(text: object = "", span: int = 1, merge: str = "", align: str = "center", bold: bool = False,
      shade: bool = False) -> Cell:
    return Cell("" if text is None else str(text), span, merge, align, bold, shade)


def L(text: object = "", span: int = 1, merge: str = "") -> Cell:
    """A left-aligned text cell."""
    return C(text, span, merge, align="left")


def N(text: object = "", span: int = 1) -> Cell:
    """A right-aligned figure cell."""
    return C(text, span, align="right")


def H(text: object = "", span: int = 1, merge: str = "") -> Cell:
    """A header cell."""
    return C(text, span, merge, bold=True, shade=True)


def Name(text: object = "", span: int = 1) -> Cell:
    """A left-aligned name (of a unit, a department, a project) that breaks only between its words."""
    # set flush left: justified, a line ended by a break would be spread over the cell's width
    return Cell("" if text is None else str(text), span, align="flush", words=True)


NAME_PIECE_CHARS = 10  # a name's longest unbreakable part widens its column up to this many characters


def set_text(cell: Cell, width: int, face: Face) -> str:
    """The cell's text as it prints in `width` twips: a name broken between its words where it needs
    more than one line."""
    if not cell.text or not (cell.words or is_label(cell)):
        return cell.text
    room = max(face.char, width - CELL_MARGINS - SLACK) // face.char
    return _name_text(cell.text, room) if cell.words else _label_text(cell.text, room * face.char, face)


def is_label(cell: Cell) -> bool:
    """A header, or a label ("服务对象满意度指标", "产出指标\n（50分）"): set in lines broken between
    its words (_label_text); a short figure stays whole anyway."""
    return (cell.bold or cell.label) and not is_short_figure(cell.text)


@text_cache(4096)  # holds cell text: emptied after each service call
def _label_text(text: str, room: int, face: Face) -> str:
    """`text` in lines of at most `room` twips broken only between its words (words.label_units, with
    禁则: a closing mark stays with the word before it, an opening one with the word after); a word
    wider than the room is broken where it must be. Lines the text already has are kept."""
    return "\n".join(line for part in text.split("\n") for line in _word_lines(part, room, face))


class _LabelText(str):
    """A label's text as _compact weighs it: its lines counted as _label_text sets them."""


@text_cache(8192)  # holds cell text: emptied after each service call
def _label_lines_in(text: str, room: int, face: Face) -> int:
    return _label_text(str(text), room, face).count("\n") + 1


def _word_lines(text: str, room: int, face: Face) -> list[str]:
    if text_twips(text, face) <= room:
        return [text]
    units: list[str] = []
    for unit in words.label_units(text):
        if units and (unit[0] in _NO_START or units[-1][-1] in _NO_END):
            units[-1] += unit
        else:
            units.append(unit)
    lines, line = [], ""
    for unit in units:
        if not line or text_twips(line + unit, face) <= room:
            line += unit
            continue
        lines.append(line)
        line = unit
    lines.append(line)
    out = []
    for line in lines:  # a word too wide for the room: by characters, as the renderer would break it
        while text_twips(line, face) > room and len(line) > 1:
            cut = 1
            while cut < len(line) - 1 and text_twips(line[:cut + 1], face) <= room:
                cut += 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


@text_cache(1024)  # holds cell text: emptied after each service call
def _name_text(name: str, room: int) -> str:
    return "\n".join(words.name_lines(name, room)) if words.width(name) > room else name


def Label(text: object = "", span: int = 1, merge: str = "", align: str = "center") -> Cell:
    """A label of a form's rows (an 一级 or 二级 indicator name, a fund's name) that breaks only between
    its words, as a header does; one not centred is set flush left (justified, a line ended by a break
    would be spread over the cell's width)."""
    return Cell("" if text is None else str(text), span, merge, align if align == "center" else "flush", label=True)


def V(span: int = 1) -> Cell:
    """The continuation of a vertically merged cell above."""
    return Cell("", span, "continue")


@dataclass(frozen=True, slots=True)
class Face:
    """A table's text size: a CJK character's width (twips), a line's height (pt), the paragraph styles."""
    char: int
    line: int
    body: str
    head: str

    def latin(self) -> int:
        return self.char // 2  # a figure or Latin letter: half an em (Times New Roman)


NORMAL = Face(210, 13, "JxTable", "JxTableHead")  # 五号, 10.5 pt
SMALL = Face(180, 10, "JxTableS", "JxTableHeadS")  # 小五, 9 pt: the nine-column indicator tables


@text_cache(8192)  # holds cell text: emptied after each service call
def text_twips(text: str, face: Face = NORMAL) -> int:
    """Width of one line of table text: a CJK character is a full em, a figure or Latin letter half of
    one ("2022年12月31日前" in 9 pt: 8 × 4.5 + 5 × 9 = 81 pt as measured in the PDF), and a quarter em
    where the two meet — without it such a date wrapped in a cell of exactly its width."""
    wide, narrow, gap = face.char, face.latin(), face.char // 4
    if text.isascii():
        return len(text) * narrow
    total, prev = 0, None
    for ch in text:
        cjk = ord(ch) > 0x2E7F
        total += wide if cjk else narrow
        if prev is not None and cjk != prev and not ch.isspace():
            total += gap
        prev = cjk
    return total


# A short figure, percentage or date — "100.00%", "≥300批次", "2022年12月31日前", "1,066.75" — must not
# wrap in its cell; nor may a word of up to three characters ("达成", "不适用"), and a cell's text of four
# ("等次：优") is kept on one line too, unless it is set in lines ("绩效\n指标").
_FIGURE = re.compile(r"^[≥≤＞＜><=＝约近超达计共不足低高于以上下内\s]*[\d.,，%％:：/\-～~年月日]+[\u4e00-\u9fff%％㎡]{0,4}$")
_LATIN_RUN = re.compile(r"[0-9A-Za-z.,%％:/\-]+")
SLACK = 40  # twips a line needs beyond its characters (LibreOffice and Word round glyph advances up)


def _is_cjk(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


@text_cache(8192)  # holds cell text: emptied after each service call (asked of every label and header as set)
def is_short_figure(text: str) -> bool:
    """A cell text that must stay on one line: a figure or date of a few characters, or a short word."""
    t = text.strip()
    if not t or "\n" in t:
        return False
    return (len(t) <= 16 and any(ch.isdigit() for ch in t) and _FIGURE.match(t) is not None) or len(t) <= 3


# A date and what qualifies it ("2022年12月31日前", "2023年6月底前完成"): in a tight table (one that
# would otherwise spill a row or two onto a page of their own) the date may end a line and its
# qualifier start the next — the only place a short figure may wrap; never inside the date.
_DATED = re.compile(r"^([≥≤＞＜><=＝]?\d{4}年(?:\d{1,2}月(?:\d{1,2}日|底|末|[上中下]旬)?|底|末)?)"
                    r"((?:之前|以前|前|以内|内|止|为止)?(?:完成|办结|到位|实现)?)$")


def date_break(text: str) -> tuple[str, str] | None:
    """(the date, its qualifier) where a tight table may break `text`, or None (not a qualified date)."""
    found = _DATED.match(text.strip())
    return (found.group(1), found.group(2)) if found and found.group(2) else None


def _min_twips(cell: Cell, face: Face, compact: bool = False, tight: bool = False) -> int:
    if not cell.text:
        return 0
    if cell.words:  # a name's column holds its longest unbreakable part (up to NAME_PIECE_CHARS)
        return min(max(text_twips(p, face) for p in words.pieces(cell.text)), NAME_PIECE_CHARS * face.char)
    # a header keeps its rules (a short one whole, a long one in four lines at most): it repeats on every page
    if compact and not cell.bold:
        least = _min_wrapped_twips(cell.text, face, tight)
    else:
        text = cell.text.strip()
        if tight and len(text) == 4 and _is_cjk(text):  # a tight table's "一级指标" two and two, as "绩效\n指标"
            least = text_twips(text[:2], face)
        else:
            least = _min_text_twips(cell.text, cell.bold, face)
    return max(least, _min_label_twips(cell.text, cell.bold, face)) if compact and is_label(cell) else least


LABEL_MIN_CHARS = 4  # a form's label column holds this many characters at least ("服务对象" / "满意度指标")


@text_cache(8192)  # holds cell text: emptied after each service call
def _min_label_twips(text: str, header: bool, face: Face) -> int:
    """The narrowest a compact form's label or header may be: its longest word whole (a header over
    figures holds their width too, as they share its column), and a label LABEL_MIN_CHARS characters
    (or its own width, if less) so that its lines are words, not one- or two-character shards. A label
    of LABEL_MIN_CHARS characters or fewer keeps its own rules ("数量\n指标", "等次：\n优": words too)."""
    longest = max((text_twips(u, face) for part in text.split("\n") for u in words.label_units(part)), default=0)
    if header or max(map(len, text.split("\n"))) <= LABEL_MIN_CHARS:
        return longest
    return max(longest, min(_longest_twips(text, face), LABEL_MIN_CHARS * face.char))


@text_cache(8192)  # holds cell text: emptied after each service call
def _min_wrapped_twips(text: str, face: Face, tight: bool = False) -> int:
    """The narrowest a column may be in a compact table: a short figure or word whole (in a tight
    table a qualified date broken before its qualifier: date_break), a label set in lines by its
    lines, else two characters a line (its longest Latin run whole) — how many lines a text then
    takes is for _compact to weigh."""
    text = text.strip()
    if is_short_figure(text):
        parts = date_break(text) if tight else None
        return max(text_twips(p, face) for p in parts) if parts else text_twips(text, face)
    if len(text) == 4 and _is_cjk(text):  # "数量指标" in two lines of two (table() breaks it so), not 3 + 1
        return text_twips(text[:2], face)
    if len(text) <= 4:  # "等次：优" whole, or broken after its colon
        head, colon, tail = text.partition("：")
        return max(text_twips(head + colon, face), text_twips(tail, face)) if colon and tail else text_twips(text, face)
    parts = text.split("\n")
    if len(parts) > 1 and all(len(p) <= 6 for p in parts):
        return max(text_twips(p, face) for p in parts)
    runs = max((text_twips(r, face) for r in _LATIN_RUN.findall(text)), default=0)
    return max(runs, min(face.char * 2, text_twips(text, face)))


@text_cache(8192)  # holds cell text: emptied after each service call
def _longest_twips(text: str, face: Face) -> int:
    return max(text_twips(line, face) for line in text.split("\n"))


@text_cache(8192)  # holds cell text: emptied after each service call
def _min_text_twips(text: str, bold: bool, face: Face) -> int:
    """The narrowest a column may be for this cell: a short figure whole, else its longest Latin run,
    and at least two characters (a header: a quarter of its text, as headers may take four lines)."""
    text = text.strip()
    if not text:
        return 0
    if is_short_figure(text) or (len(text) <= 4 and "\n" not in text):
        return text_twips(text, face)
    parts = text.split("\n")
    if len(parts) > 1 and all(len(p) <= 6 for p in parts):  # a label set in lines: "产出指标" / "（50分）"
        return max(text_twips(p, face) for p in parts)
    runs = max((text_twips(r, face) for r in _LATIN_RUN.findall(text)), default=0)
    # a short label ("满意度指标") in at most two lines; longer text may take more
    floor = face.char * (max(2, -(-len(text) // 4)) if bold else max(2, -(-len(text) // 2)) if len(text) <= 6 else 2)
    return max(runs, min(floor, text_twips(text, face)))


def fit_grid(rows: list[list[Cell]], total: int = TEXT_WIDTH, cap_chars: int = 30, face: Face = NORMAL,
             compact: bool = False, tight: bool = False) -> list[int] | None:
    """Column widths from the content, as a browser lays out an automatic table: every column gets
    the room its unbreakable content needs (a short figure or date whole; with `tight`, a compact
    table's qualified date may break before its qualifier: date_break), and the rest of the width
    goes to the columns in proportion to how much more their longest line would take (capped at
    `cap_chars` characters, so one long paragraph does not take the whole table). With `compact`
    the rest goes where it saves the most lines instead (`_compact`): a form whose rows are many and
    short (the indicator tables) then takes the fewest lines, so it stays on its page. A tight
    table whose columns cannot all have their least width is not set: None."""
    ncols = sum(c.span for c in rows[0])
    lo = [0] * ncols
    hi = [0] * ncols
    total_text = [0] * ncols  # Σ text widths of the column's cells, and how many: the room a column
    counts = [0] * ncols  # wants follows its typical text, not its one longest cell
    spanned = []
    pad = CELL_MARGINS + SLACK
    for cells in rows:
        col = 0
        for cell in cells:
            if cell.text:
                need_lo = _min_twips(cell, face, compact, tight)
                need_hi = min(_longest_twips(cell.text, face), cap_chars * face.char)
                if cell.span == 1:
                    lo[col] = max(lo[col], need_lo)
                    hi[col] = max(hi[col], need_hi)
                    if not cell.bold:
                        total_text[col] += need_hi
                        counts[col] += 1
                else:
                    spanned.append((col, cell.span, need_lo + pad, need_hi + pad))
            col += cell.span
    lo = [max(w, face.char * 2) + pad for w in lo]
    hi = [max(h + pad, m) for h, m in zip(hi, lo)]
    for col, span, need_lo, need_hi in spanned:  # a merged cell's need spread over its columns
        for need, have in ((need_lo, lo), (need_hi, hi)):
            short = need - sum(have[col:col + span])
            if short > 0:
                for k in range(col, col + span):
                    have[k] += -(-short // span)
    hi = [max(h, m) for h, m in zip(hi, lo)]
    if sum(lo) > total and tight:
        return None  # a tight table is set only where every column keeps its least width
    if sum(lo) >= total:
        return widths([float(w) for w in lo], total)
    if compact and sum(hi) > total:  # (every text on one line needs no weighing)
        return _compact(rows, lo, hi, total, face, tight)
    if sum(hi) <= total:
        return widths([float(w) for w in hi], total)
    room = total - sum(lo)
    typical = [t // n + pad if n else m for t, n, m in zip(total_text, counts, lo)]  # headers only: no more
    want = [max(0, min(h, t) - m) for h, t, m in zip(hi, typical, lo)] if any(
        t > m for t, m in zip(typical, lo)) else [h - m for h, m in zip(hi, lo)]
    share = sum(want)
    out = [int(m + room * w / share) for m, w in zip(lo, want)]
    out[-1] += total - sum(out)
    return out


COMPACT_STEPS = 8  # the spare width is handed out in this many parts


def _compact(rows: list[list[Cell]], lo: list[int], hi: list[int], total: int, face: Face,
             tight: bool = False) -> list[int]:
    """Widths from `lo` up that make the table's rows take the fewest lines: each part of the spare
    width goes to the column where it saves the most lines (ties: to the column furthest below its
    longest line), and what no column can use any more is shared by how far each is below it."""
    cells, runs = _row_cells(rows)
    grid = list(lo)
    step = max(face.char // 2, (total - sum(lo)) // COMPACT_STEPS)
    char, pad = face.char, CELL_MARGINS + SLACK

    def lines(text: str, width: int) -> int:  # _lines and count, inlined: the hottest call of a render
        room = width - pad if width - pad > char else char
        if type(text) is _LabelText:
            return _label_lines_in(text, room - room % char, face)
        return _lines_in(text, room - room % char, face)

    def count(text: str, room: int) -> int:  # a label's lines as set between its words (_LabelText)
        return _label_lines_in(text, room, face) if type(text) is _LabelText else _lines_in(text, room, face)

    # Each cell's width and lines and each row's lines are kept; a trial recomputes only the cells and
    # merged runs over the widened column, and the rows they are in.
    over = [[(i, k) for i, r in enumerate(cells) for k, (c0, span, _t) in enumerate(r) if c0 <= col < c0 + span]
            for col in range(len(grid))]
    cell_width = {(i, k): sum(grid[c:c + span]) for i, r in enumerate(cells) for k, (c, span, _t) in enumerate(r)}
    counts = [[lines(t, cell_width[(i, k)]) for k, (_c, _s, t) in enumerate(r)] for i, r in enumerate(cells)]
    per_row = [max(cs, default=1) for cs in counts]
    state = [sum(per_row), sum(map(sum, counts))]  # the rows' lines, the cells' lines

    run_width = [sum(grid[c:c + span]) for _f, _l, c, span, _t in runs]
    needs = [lines(t, w) for (*_x, t), w in zip(runs, run_width)]
    runs_over = [[j for j, (_f, _l, c0, span, _t) in enumerate(runs) if c0 <= col < c0 + span] for col in range(len(grid))]

    run_rows = [sum(per_row[first:end]) for first, end, *_rest in runs]  # the lines of the rows each run spans
    row_runs = [[j for j, (first, end, *_rest) in enumerate(runs) if first <= i < end] for i in range(len(cells))]

    def extra(rows_new: dict[int, int], needs_new: dict[int, int]) -> tuple[int, int]:
        """What merged labels taller than their rows add to the rows' lines, and the labels' lines."""
        have = list(run_rows)
        for i, n in rows_new.items():
            for j in row_runs[i]:
                have[j] += n - per_row[i]
        added = labels = 0
        for j, need in enumerate(needs):
            need = needs_new.get(j, need)
            labels += need
            if need > have[j]:
                added += need - have[j]
        return added, labels

    def height(rows_new: dict[int, int], cells_total: int, rows_total: int, needs_new: dict[int, int]) -> tuple[int, int]:
        """(the rows' lines, all cells' lines): the second decides where two columns hold a row up
        together, so that widening one of them, which saves no line yet, still counts. A merged
        label taller than its rows makes them taller."""
        added, labels = extra(rows_new, needs_new) if runs else (0, 0)
        return rows_total + added, cells_total + labels

    def drop(text: str, width: int, n: int) -> int:
        """The width at which `text`, in `n` lines at `width`, first takes fewer (lines only fall as a
        cell widens, a whole character at a time): a trial looks up only the cells it reaches."""
        if n <= 1:
            return total + 1
        room = max(char, width - pad)
        room -= room % char
        while room <= total:
            room += char
            if count(text, room) < n:
                return room + pad
        return total + 1

    threshold = {(i, k): drop(cells[i][k][2], cell_width[(i, k)], counts[i][k]) for i, r in enumerate(cells) for k in range(len(r))}
    run_threshold = [drop(t, w, n) for (*_x, t), w, n in zip(runs, run_width, needs)]

    def trial(col: int, width: int):
        changed = {(i, k): lines(cells[i][k][2], cell_width[(i, k)] + width) for i, k in over[col]
                   if cell_width[(i, k)] + width >= threshold[(i, k)]}
        rows_new = {}
        for (i, k), n in changed.items():
            # widening only takes lines away: a row is lower only where a cell that held it up got lower
            if n < counts[i][k] == per_row[i] and i not in rows_new:
                rows_new[i] = max(changed.get((i, kk), m) for kk, m in enumerate(counts[i]))
        rows_total = state[0] + sum(n - per_row[i] for i, n in rows_new.items())
        cells_total = state[1] + sum(n - counts[i][k] for (i, k), n in changed.items())
        needs_new = {j: lines(runs[j][4], run_width[j] + width) for j in runs_over[col] if run_width[j] + width >= run_threshold[j]}
        if not changed and not needs_new:
            return now, ({}, {}, state[0], state[1], {})
        return height(rows_new, cells_total, rows_total, needs_new), (changed, rows_new, rows_total, cells_total, needs_new)

    now = height({}, state[1], state[0], {})
    while total - sum(grid) >= face.char // 2:
        step = min(step, total - sum(grid))  # the last, smaller part too goes where it saves a line
        best, best_gain = None, None
        wrapped = {c0 + d for i, r in enumerate(cells) for (c0, span, _t), n in zip(r, counts[i]) if n > 1 for d in range(span)}
        wrapped |= {c + d for _f, _l, c, span, _t in runs for d in range(span)}
        for c in sorted(wrapped):  # only a column where a text wraps can save a line
            for k in (1, 2, 4):  # a few parts at once: a text saves a line only when a whole character fits more
                if grid[c] >= hi[c] or k * step > total - sum(grid):
                    break
                h, change = trial(c, k * step)
                if h >= now:
                    continue
                gain = ((now[0] - h[0]) / k, (now[1] - h[1]) / k, -k)
                if best_gain is None or gain > best_gain:
                    best, best_gain = (c, k, h, change), gain
                break  # the fewest parts that save something: more would save no more per part, as a rule
        if best is None:
            break
        c, k, now, (changed, rows_new, rows_total, cells_total, needs_new) = best
        grid[c] += k * step
        for i, j in over[c]:
            cell_width[(i, j)] += k * step
        for j in runs_over[c]:
            run_width[j] += k * step
        for (i, j), n in changed.items():
            counts[i][j] = n
        for i, j in over[c]:
            threshold[(i, j)] = drop(cells[i][j][2], cell_width[(i, j)], counts[i][j])
        for i, n in rows_new.items():
            for j in row_runs[i]:
                run_rows[j] += n - per_row[i]
            per_row[i] = n
        for j, n in needs_new.items():
            needs[j] = n
        for j in runs_over[c]:
            run_threshold[j] = drop(runs[j][4], run_width[j], needs[j])
        state[:] = [rows_total, cells_total]
    spare = total - sum(grid)
    short = [max(0, h - g) for h, g in zip(hi, grid)]
    weights = short if sum(short) else [1] * len(grid)
    out = [g + spare * w // sum(weights) for g, w in zip(grid, weights)]
    out[-1] += total - sum(out)
    return _trade(cells, runs, out, lo, lines, face) if tight else out


TRADES = 12  # a tight table's widths are bettered by at most this many trades


def _trade(cells: list[list[tuple]], runs: list[tuple], grid: list[int], lo: list[int], lines, face: Face) -> list[int]:
    """A tight table's widths bettered by trades: a column gives another just the width that lets
    that one hold one or two characters more a line, where the rows then take fewer lines. It finds
    what the greedy parts cannot: the width a column holds beyond its last whole character, a header
    word that needs two characters more to fit, one column's line traded for two of another. A trial
    recomputes only the cells over the two columns."""
    grid = list(grid)
    flat = [(i, c, span, t) for i, r in enumerate(cells) for c, span, t in r]
    in_row = [[j for j, f in enumerate(flat) if f[0] == i] for i in range(len(cells))]
    over = [[j for j, (_i, c, span, _t) in enumerate(flat) if c <= col < c + span] for col in range(len(grid))]
    runs_over = [[r for r, (_f, _e, c, span, _t) in enumerate(runs) if c <= col < c + span] for col in range(len(grid))]
    pairs: dict[tuple[int, int], tuple] = {}
    for _ in range(TRADES):
        widths_now = [sum(grid[c:c + span]) for _i, c, span, _t in flat]
        counts = [lines(t, w) for (_i, _c, _s, t), w in zip(flat, widths_now)]
        per_row = [max((counts[j] for j in js), default=1) for js in in_row]
        run_widths = [sum(grid[c:c + span]) for _f, _e, c, span, _t in runs]
        needs = [lines(t, w) for (*_x, t), w in zip(runs, run_widths)]
        counts_total = sum(counts)
        now = _trade_height(runs, per_row, needs, counts_total)
        wraps = {col for col in range(len(grid)) if any(counts[j] > 1 for j in over[col]) or runs_over[col]}
        best = None
        for to in sorted(wraps):
            room = grid[to] - CELL_MARGINS - SLACK
            need = face.char - room % face.char if room >= face.char else face.char - room
            for more in (need, need + face.char):
                # lines only grow as a column narrows: a trade saves no more than widening `to` alone
                alone = {j: lines(flat[j][3], widths_now[j] + more) for j in over[to]}
                if all(alone[j] == counts[j] for j in alone) and not runs_over[to]:
                    continue
                for give in range(len(grid)):
                    if give == to or grid[give] - more < lo[give]:
                        continue
                    both = pairs.get((give, to))
                    if both is None:
                        both = pairs[(give, to)] = (tuple(set(over[give]) | set(over[to])),
                                                    tuple(set(runs_over[give]) | set(runs_over[to])))
                    changed = {}
                    for j in both[0]:
                        _i, c, span, t = flat[j]
                        n = lines(t, widths_now[j] + (more if c <= to < c + span else 0) - (more if c <= give < c + span else 0))
                        if n != counts[j]:
                            changed[j] = n
                    needs_new = list(needs)
                    for r in both[1]:
                        _f, _e, c, span, t = runs[r]
                        needs_new[r] = lines(t, run_widths[r] + (more if c <= to < c + span else 0)
                                             - (more if c <= give < c + span else 0))
                    if not changed and needs_new == needs:
                        continue  # nothing moves: no better
                    rows_new = list(per_row)
                    for i in {flat[j][0] for j in changed}:
                        rows_new[i] = max(changed.get(j, counts[j]) for j in in_row[i])
                    h = _trade_height(runs, rows_new, needs_new, counts_total + sum(n - counts[j] for j, n in changed.items()))
                    if h < now and (best is None or (h, more) < best[:2]):
                        best = (h, more, give, to)
        if best is None:
            break
        _h, more, give, to = best
        grid[give] -= more
        grid[to] += more
    return grid


def _trade_height(runs: list[tuple], per_row: list[int], needs: list[int], cells_total: int) -> tuple[int, int]:
    extra = sum(max(0, n - sum(per_row[f:e])) for (f, e, *_rest), n in zip(runs, needs))
    return sum(per_row) + extra, cells_total + sum(needs)


def _row_cells(rows: list[list[Cell]]) -> tuple[list[list[tuple]], list[tuple]]:
    """The cells that hold their row up, per row, and the merged runs (first row, end row, column,
    span, text): a cell merged down (vMerge), or a label repeated in the rows below, which the
    writer merges into one (docx_writer.hierarchy)."""
    cells: list[list[tuple]] = [[] for _ in rows]
    runs = []
    open_runs: dict[tuple[int, int], list] = {}
    labels: set[tuple[int, int]] = set()  # (row, column) where a label's run starts
    for i, r in enumerate(rows):
        for c, cell in _placed(r):
            run = open_runs.get((c, cell.span))
            if run is not None and (cell.merge == "continue" or (cell.text and cell.text == run[4] and not cell.bold)):
                run[1] = i + 1
                continue
            if run is not None:
                runs.append(tuple(run))
                del open_runs[(c, cell.span)]
            if cell.text and cell.merge != "continue":
                open_runs[(c, cell.span)] = [i, i + 1, c, cell.span, cell.text, cell.merge]
                if is_label(cell):
                    labels.add((i, c))
    runs.extend(tuple(r) for r in open_runs.values())
    merged = []
    for first, end, c, span, text, merge in runs:  # (the merge of the run's first cell)
        if (first, c) in labels:
            text = _LabelText(text)
        if end - first == 1 and not merge:
            cells[first].append((c, span, text))
        else:
            merged.append((first, end, c, span, text))
    return cells, merged


def _placed(cells: list[Cell]):
    col = 0
    for cell in cells:
        yield col, cell
        col += cell.span


def widths(weights: list[float], total: int = TEXT_WIDTH) -> list[int]:
    s = sum(weights)
    out = [int(total * w / s) for w in weights]
    out[-1] += total - sum(out)
    return out


_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


def table(rows: list[list[Cell]], grid: list[int] | None = None, header_rows: int = 0,
          keep: frozenset[int] | set[int] = frozenset(), face: Face = NORMAL) -> str:
    """A bordered table on `grid` (twips; None: fitted to the content); rows hold Cells whose spans add
    up to len(grid). Rows in `keep` stay on the page of the row after them (their paragraphs keep with
    the next), and so do the header rows."""
    if grid is None:
        grid = fit_grid(rows, face=face)
    total = sum(grid)
    out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="JxTableGrid"/><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
           f"<w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
           f'<w:tblCellMar><w:left w:w="{CELL_MARGIN}" w:type="dxa"/><w:right w:w="{CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>'
           '<w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>']
    out.extend(f'<w:gridCol w:w="{w}"/>' for w in grid)
    out.append("</w:tblGrid>")
    ncols = len(grid)
    for i, cells in enumerate(rows):
        col = 0
        tallest = 1
        tcs = []
        for cell in cells:
            span = cell.span
            width = grid[col] if span == 1 else sum(grid[col:col + span])
            col += span
            text = set_text(cell, width, face)
            if text != cell.text:
                cell = replace(cell, text=text)
            if len(text) == 4 and _is_cjk(text) and text_twips(text, face) > width - CELL_MARGINS - SLACK:
                cell = replace(cell, text=f"{text[:2]}\n{text[2:]}")  # a four-character word: two and two
                text = cell.text
            if text:
                lines = _lines(text, width, face)
                if lines > tallest:
                    tallest = lines
            tcs.append(_cell(cell, width, i in keep or i < header_rows, face))
        if col != ncols:
            raise ValueError(f"row {i} spans {col} grid columns, the table has {ncols}")
        # Header rows repeat on every page; a row is kept whole unless it is so tall (long prose) that
        # holding it back would leave most of a page empty — or, taller than a page, could not be placed at all.
        if i < header_rows:
            out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        elif tallest * face.line <= MAX_UNSPLIT_PT:
            out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        else:
            out.append("<w:tr><w:trPr></w:trPr>")
        out.extend(tcs)
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


TABLE_LINE_PT = NORMAL.line  # the table styles' line: 260 twips at least
TABLE_CHAR_TWIPS = NORMAL.char  # a 10.5 pt character
CELL_MARGIN = 40  # twips each side (0.7 mm): the nine-column forms need every character's width
CELL_MARGINS = 2 * CELL_MARGIN
MAX_UNSPLIT_PT = 200  # about a third of the 225 mm type area


def row_height_pt(cells: list[Cell], grid: list[int], face: Face = NORMAL) -> int:
    """A row's height estimated from its text: lines of characters wrapped in each cell's width."""
    tallest, col = 1, 0
    for cell in cells:
        width = sum(grid[col:col + cell.span])
        col += cell.span
        tallest = max(tallest, _lines(set_text(cell, width, face), width, face))
    return tallest * face.line


def _lines(text: str, width: int, face: Face = NORMAL) -> int:
    """Lines `text` takes in a cell `width` twips wide. A line holds whole characters: the room is
    counted in full-width characters (a narrow cell holds 4 where its width would hold 4.7)."""
    room = max(face.char, width - CELL_MARGINS - SLACK)
    return _lines_in(text, room - room % face.char, face)


@text_cache(32768)  # holds cell text: emptied after each service call
def _lines_in(text: str, room: int, face: Face) -> int:
    """Lines `text` takes in `room` twips, a whole number of characters: many widths share one room."""
    total = 0
    for part in text.split("\n"):
        need = text_twips(part, face)
        if need <= room:
            total += 1
        elif room < NARROW_CHARS * face.char:
            total += _set_lines(part, room, face)
        else:  # a wide cell: what line breaking costs evens out over its long lines
            total += -(-need // room)
    return total


NARROW_CHARS = 12  # in a cell narrower than this many characters, lines are counted as they are set
_NO_START = frozenset("，。、；：？！）》」』”’%％…·,.;:?!)]}")  # never at a line's start (GB/T 15834 禁则)
_NO_END = frozenset("（《「『“‘([{")  # never at a line's end
_UNIT = re.compile(r"[0-9A-Za-z.,%％:/\-+]+|.", re.S)  # a run of figures or Latin letters, or one character


@text_cache(16384)  # holds cell text: emptied after each service call
def _set_lines(text: str, room: int, face: Face) -> int:
    """Lines `text` takes in `room` twips when set as LibreOffice and Word set it: a figure or Latin
    run is not broken (unless longer than a line), a closing mark stays with the character before it
    and an opening one with the character after — so "项目总投资额（第3项）" takes three lines of five."""
    units: list[str] = []
    for found in _UNIT.finditer(text):
        unit = found.group()
        if units and (unit[0] in _NO_START or units[-1][-1] in _NO_END):
            units[-1] += unit
        else:
            units.append(unit)
    lines, used = 1, 0
    for unit in units:
        width = text_twips(unit, face)
        if used + width <= room:
            used += width
            continue
        if used:
            lines += 1
        lines += (width - 1) // room  # a unit longer than a line is broken where it must be
        used = width - (width - 1) // room * room
    return lines


_JC = {"left": "both", "center": "center", "right": "right", "flush": "left"}


@functools.lru_cache(maxsize=1024)
def _cell_open(width: int, span: int, merge: str, shade: bool, bold: bool, align: str,
               keep: bool = False, face: Face = NORMAL) -> tuple[str, str]:
    """A cell's start tag and properties, and its paragraphs' start with properties: the same few
    dozen combinations recur in every table."""
    tcpr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if span > 1:
        tcpr.append(f'<w:gridSpan w:val="{span}"/>')
    if merge == "restart":
        tcpr.append('<w:vMerge w:val="restart"/>')
    elif merge == "continue":
        tcpr.append("<w:vMerge/>")
    if shade:
        tcpr.append('<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>')
    tcpr.append('<w:vAlign w:val="center"/>')
    style = face.head if bold else face.body
    return (f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr>",
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{"<w:keepNext/>" if keep else ""}<w:jc w:val="{_JC[align]}"/></w:pPr>')


def _cell(cell: Cell, width: int, keep: bool = False, face: Face = NORMAL) -> str:
    start, p = _cell_open(width, cell.span, cell.merge, cell.shade, cell.bold, cell.align, keep, face)
    text = cell.text
    if not text:
        return f"{start}{p}</w:p></w:tc>"
    if "\n\n" not in text:
        return f"{start}{p}{run(text)}</w:p></w:tc>"
    body = "".join(f"{p}{run(t) if t else ''}</w:p>" for t in text.split("\n\n"))
    return f"{start}{body}</w:tc>"
