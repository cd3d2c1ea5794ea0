"""Reader for a package published as an HTML page (a government site's article, or
LibreOffice's HTML export of a .docx).

The page's own furniture — navigation, header, footer, scripts, link lists — is
dropped first; the report is the element holding most of the remaining text with
few links (a site's article container), or the whole body when nothing stands out.
Inside it, every data `<table>` becomes a Table laid out on its grid (rowspan and
colspan expanded the way the .docx reader returns merged cells, `blocks.grid_rows`),
and every block element (p, div, h1–h6, li, a line between <br>s) a Paragraph. A
table that holds other tables is page layout, not data: it is walked into instead.
Line numbers are block indices, as in the .docx reader.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.model import Package
from .blocks import Block, Paragraph, Table, grid_rows, is_page_number
from .canonical import PackageError
from .guards import check_size

_DROP = {"script", "style", "noscript", "nav", "form", "select", "button", "iframe", "svg", "template", "head",
         "object", "embed"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "section", "article", "blockquote",
          "pre", "center", "address", "caption", "tr", "ul", "ol", "dl", "main", "aside", "figure", "td", "th"}
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2014\u2018-\u201d]")
# Class or id words of the furniture that government CMSs print around an article.
_FURNITURE = re.compile(r"(?:^|[-_\s])(nav|menu|breadcrumb|crumb|footer|header|sidebar|share|toolbar|position|"
                        r"pagination|pager|copyright|related|friend-?link|topbar|search)(?:$|[-_\s\d])", re.I)
MAX_CELLS = 200_000  # a grid beyond this is not a report table


def read_html(path: str | Path) -> Package:
    from .forms import build_package

    p = Path(path)
    return build_package(html_blocks(_decode(p), str(p)), source_path=str(path))


def _decode(p: Path) -> str:
    if check_size(p) == 0:
        raise PackageError(str(p), ["文件为空，没有可读取的内容"])
    data = p.read_bytes()
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _without_declaration(data[len(bom):].decode(codec, errors="replace"))
    if b"\x00" in data[:4096]:
        raise PackageError(str(p), ["这不是 HTML 网页文件（含有二进制内容）"])
    return _without_declaration(decode_page(data))


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# <meta charset="gbk">, <meta http-equiv="Content-Type" content="text/html; charset=gb2312">, <?xml encoding=…?>
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# The Chinese single- and double-byte codes a page may declare; GB18030 reads all of them.
_GB = ("gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312")


def decode_page(data: bytes) -> str:
    """A page's text: by the charset it declares (a <meta>, its http-equiv form, an XML declaration),
    else UTF-8 if the bytes are UTF-8, else GB18030 — never Latin-1, which would turn a Chinese page
    without a declaration into mojibake that no header or label matches."""
    m = _DECLARED.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else ""
    codecs = (["gb18030"] if declared in _GB else [declared] if declared else []) + ["utf-8", "gb18030"]
    for codec in codecs:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", errors="replace")


def _without_declaration(text: str) -> str:
    """lxml refuses a str that keeps an XML encoding declaration: the text is decoded already."""
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)


def html_blocks(data: bytes | str, name: str = "") -> list[Block]:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(data)
    except Exception as exc:  # lxml raises ParserError or ValueError for a page it cannot parse
        raise PackageError(name, [f"无法解析 HTML 网页：{type(exc).__name__}"]) from None
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in _DROP or _is_furniture(el):
            if el.getparent() is not None:
                el.drop_tree()
    body = root.find("body")
    content = _content_root(body if body is not None else root)
    walker = _Walker()
    walker.walk(content)
    walker.flush()
    if not walker.blocks:
        raise PackageError(name, ["网页中没有可读取的正文内容"])
    return walker.blocks


def _is_furniture(el) -> bool:
    """A site's header, footer, menu or breadcrumb: named so (or a <header>/<footer>) and made mostly of
    links. An article's own header (its title and date) has few links and stays."""
    if el.tag in ("html", "body"):
        return False
    words = f"{el.get('class', '')} {el.get('id', '')}"
    named = el.tag in ("header", "footer") or (bool(words.strip()) and bool(_FURNITURE.search(words)))
    if not named or _holds_report(el):
        return False
    text = _text_len(el)
    return text == 0 or _link_len(el) >= 0.3 * text or el.tag == "footer" or "footer" in words.lower()


def _holds_report(el) -> bool:
    """A container named like furniture that still holds the report's tables (some CMSs call it 'main-nav')."""
    return el.find(".//table") is not None and len(el.text_content()) > 2000


def _text_len(el) -> int:
    return len(re.sub(r"\s", "", el.text_content()))


def _link_len(el) -> int:
    return sum(_text_len(a) for a in el.iter("a"))


def _content_root(body):
    """The article container: the deepest element with at least 70% of the page's non-link text."""
    total = _text_len(body) - _link_len(body)
    if total <= 0:
        return body
    best = body
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag not in ("div", "td", "article", "section", "main"):
            continue
        own = _text_len(el) - _link_len(el)
        if own >= 0.7 * total and _link_len(el) <= 0.2 * max(_text_len(el), 1):
            best = el  # iter() is document order, so a later hit is inside (deeper than) an earlier one or after it
    return best


def _collapse(text: str) -> str:
    """HTML white space as CSS Text 3 renders it: a run becomes one space, and a run holding a line
    break between two wide (CJK) characters disappears — the source was wrapped, the text was not."""

    def one(m: re.Match) -> str:
        run = m.group(0)
        if "\n" in run or "\r" in run:
            before = text[m.start() - 1] if m.start() > 0 else ""
            after = text[m.end()] if m.end() < len(text) else ""
            if (not before or _WIDE.match(before)) and (not after or _WIDE.match(after)):
                return ""
        return " "

    return _WHITESPACE.sub(one, text)


def _inline_text(el) -> str:
    """An element's text with <br> as a line break and the source's own line breaks dropped."""
    parts: list[str] = []

    def add(text: str | None) -> None:
        if text:
            parts.append(_collapse(text))

    def visit(node) -> None:
        add(node.text)
        for child in node:
            if not isinstance(child.tag, str):
                add(child.tail)
                continue
            if child.tag == "br":
                parts.append("\n")
            elif child.tag in ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"):
                parts.append("\n")
                visit(child)
                parts.append("\n")
            else:
                visit(child)
            add(child.tail)

    visit(el)
    lines = [ln.strip(" \u00a0") for ln in "".join(parts).split("\n")]
    return "\n".join(ln for ln in lines if ln)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.inline: list[str] = []  # text met outside a block element, waiting for the block to end

    def walk(self, el) -> None:
        self._add_text(el.text)
        for child in el:
            if not isinstance(child.tag, str):
                self._add_text(child.tail)
                continue
            tag = child.tag
            if tag == "table" and child.find(".//table") is None:
                self.flush()
                table = _table(child, len(self.blocks) + 1)
                if table.rows:
                    self.blocks.append(table)
            elif tag == "br":
                self.flush()
            elif tag in _BLOCK or tag == "table":
                self.flush()
                if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "pre", "address", "caption") \
                        and child.find(".//table") is None:
                    # One paragraph, its <br>s line breaks inside it (as a .docx paragraph with breaks).
                    self._paragraph(_inline_text(child))
                else:
                    self.walk(child)
                    self.flush()
            else:
                self.inline.append(_inline_text(child))
            self._add_text(child.tail)

    def _add_text(self, text: str | None) -> None:
        if text and text.strip():
            self.inline.append(_collapse(text))

    def flush(self) -> None:
        if self.inline:
            for line in "".join(self.inline).split("\n"):
                self._paragraph(line)
            self.inline = []

    def _paragraph(self, text: str) -> None:
        text = "\n".join(ln.strip(" \u00a0") for ln in text.split("\n") if ln.strip(" \u00a0"))
        if text and not is_page_number(text):
            self.blocks.append(Paragraph(text, len(self.blocks) + 1))


def _table(el, line: int) -> Table:
    """The table on its grid: each <td>/<th> fills rowspan × colspan positions."""
    rows = [tr for tr in el.iter("tr") if _own_row(tr, el)]
    grid: list[list[tuple[object, str] | None]] = []
    for r, tr in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            text = _inline_text(td)
            rowspan, colspan = _span(td.get("rowspan")), _span(td.get("colspan"))
            if (len(grid) + rowspan) * (c + colspan) > MAX_CELLS:
                break
            for dr in range(rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                line_cells = grid[r + dr]
                while len(line_cells) < c + colspan:
                    line_cells.append(None)
                for dc in range(colspan):
                    line_cells[c + dc] = (td, text)
            c += colspan
    grid = grid[:len(rows)]  # a rowspan reaching past the last row does not add rows
    filled = [[pos if pos is not None else (object(), "") for pos in row] for row in grid]
    out = Table(line=line)
    out.rows = [row for row in grid_rows(filled, line) if row]
    return out


def _own_row(tr, table) -> bool:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent is table


def _span(value: str | None) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    return max(1, min(int(m.group(1)), 1000)) if m else 1
