"""PDF through LibreOffice headless: one soffice process for a whole batch.

Each run uses a private LibreOffice profile directory, so parallel runs do not
collide; the .docx files are first copied with the official font names replaced
by the stand-ins installed here (fonts.yaml), so the PDF looks right without the
proprietary fonts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from . import fonts

DEFAULT_TIMEOUT = 600  # seconds for a whole batch
SOFFICE_NAMES = ("soffice", "libreoffice")


class PdfError(RuntimeError):
    """LibreOffice is missing or failed; the message is for the user."""


def find_soffice() -> str | None:
    env = os.environ.get("JIXIAO_SOFFICE")
    if env:
        return env if shutil.which(env) or Path(env).exists() else None
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


_RFONTS = re.compile(r"<w:rFonts\b[^>]*/>")
_FONT_ATTR = re.compile(r'(w:(?:ascii|hAnsi|eastAsia|cs)=")([^"]+)(")')
_EAST_ASIA = re.compile(r'w:eastAsia="([^"]+)"')


def substitute_fonts_xml(xml: str, table: dict[str, fonts.Substitute]) -> str:
    """Replace official font names by their stand-ins; embolden where the table says so."""

    def attr(m: re.Match) -> str:
        sub = table.get(m.group(2))
        return m.group(1) + (sub.family if sub else m.group(2)) + m.group(3)

    def element(m: re.Match) -> str:
        el = m.group(0)
        ea = _EAST_ASIA.search(el)
        bold = ea is not None and ea.group(1) in table and table[ea.group(1)].bold
        new = _FONT_ATTR.sub(attr, el)
        if bold and not xml.startswith("<w:b/>", m.end()):
            new += "<w:b/><w:bCs/>"
        return new

    return _RFONTS.sub(element, xml)


# LibreOffice gives a character two grid cells when it is wider than the cell; Word
# compresses it instead. With 16 pt characters and 28 per line (15.79 pt cells), the
# copy for LibreOffice drops the character grid and tightens the body styles by
# 0.25 pt per character, which again gives 28 characters per line.
_TIGHT_STYLES = ("JxBody", "JxH1", "JxH2", "JxH3", "JxSign", "JxAnnex")


def _tighten_body_styles(xml: str) -> str:
    for sid in _TIGHT_STYLES:
        start = xml.find(f'w:styleId="{sid}"')
        if start < 0:
            continue
        end = xml.find("</w:style>", start)
        block = xml[start:end]
        if "<w:spacing w:val=" not in block:
            block = block.replace("<w:sz ", '<w:spacing w:val="-5"/><w:sz ', 1)
        xml = xml[:start] + block + xml[end:]
    return xml


# Characters the Fandol faces lack, which LibreOffice would take from Noto CJK, whose collections embed
# under their Japanese name: in the PDF copy they become the same sign in a form the faces have.
_GLYPH_STAND_INS = str.maketrans({"㎡": "m²", "−": "－", "≧": "≥", "≦": "≤"})


def font_substituted_copy(src: Path, dst: Path) -> Path:
    """A copy of `src` whose document, styles and footers name installed fonts."""
    table = fonts.substitution_table()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("word/") and item.filename.endswith(".xml"):
                text = substitute_fonts_xml(data.decode("utf-8"), table)
                if item.filename == "word/document.xml":
                    text = text.replace('w:type="linesAndChars"', 'w:type="lines"').translate(_GLYPH_STAND_INS)
                elif item.filename == "word/styles.xml":
                    text = _tighten_body_styles(text)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return dst


def convert_batch(docx_files: list[Path], outdir: Path, timeout: int = DEFAULT_TIMEOUT,
                  substitute: bool = True) -> list[Path]:
    """Convert every .docx to PDF in `outdir` with ONE soffice process; returns the PDFs."""
    if not docx_files:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise PdfError("未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice"
                       "（Debian/Ubuntu：apt-get install libreoffice-writer-nogui，或运行 make setup），"
                       "或设置环境变量 JIXIAO_SOFFICE 指向 soffice。")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as tmp:
        tmpdir = Path(tmp)
        profile = tmpdir / "lo-profile"
        work = tmpdir / "in"
        work.mkdir()
        inputs = []
        for f in docx_files:
            target = work / Path(f).name
            if substitute:
                font_substituted_copy(Path(f), target)
            else:
                shutil.copyfile(f, target)
            inputs.append(target)
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
               "--convert-to", "pdf", "--outdir", str(outdir), *map(str, inputs)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                                  env={**os.environ, "HOME": str(tmpdir)})
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice 转换 PDF 超时（{timeout} 秒），已中止。") from None
        except OSError as exc:
            raise PdfError(f"无法启动 LibreOffice：{exc}") from None
    pdfs = [outdir / (Path(f).stem + ".pdf") for f in docx_files]
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-3:]
        raise PdfError(f"LibreOffice 未能生成 {'、'.join(missing)}（退出码 {proc.returncode}）：{' '.join(detail)}")
    return pdfs
