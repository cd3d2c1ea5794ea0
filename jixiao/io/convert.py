"""Old and Kingsoft office files (.doc, .wps, .xls, .et) read through LibreOffice.

Each file is copied into a private temporary directory and converted there by one
headless soffice run with its own profile (so parallel conversions and the PDF
renderer never share a profile lock), under a timeout; the .docx or .xlsx it writes
is read by the ordinary reader and the directory removed. The user sees a Chinese
message when LibreOffice is missing, fails, or takes too long — never a traceback.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..core.model import Package
from .canonical import PackageError
from .guards import check_size

TIMEOUT = 120  # seconds for one document; a real package converts in a few
# suffix → (target format, the filter LibreOffice is asked for, what the user calls it)
TARGETS = {".doc": ("docx", "docx:MS Word 2007 XML", "Word 97–2003 文档（.doc）"),
           ".wps": ("docx", "docx:MS Word 2007 XML", "WPS 文字文档（.wps）"),
           ".xls": ("xlsx", "xlsx:Calc MS Excel 2007 XML", "Excel 97–2003 工作簿（.xls）"),
           ".et": ("xlsx", "xlsx:Calc MS Excel 2007 XML", "WPS 表格文档（.et）")}
# The OLE compound file header every .doc/.xls/.wps/.et starts with.
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")


def find_soffice() -> str | None:
    env = os.environ.get("JIXIAO_SOFFICE")
    if env:
        return env if shutil.which(env) or Path(env).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_converted(path: str | Path) -> Package:
    """Read a .doc/.wps/.xls/.et file as the .docx/.xlsx LibreOffice turns it into."""
    p = Path(path)
    suffix = p.suffix.lower()
    target, _, kind = TARGETS[suffix]
    _guard(p, kind)
    with tempfile.TemporaryDirectory(prefix="jixiao-convert-") as tmp:
        converted = convert(p, Path(tmp), suffix)
        try:
            pkg = _read(converted, target)
        except PackageError as exc:  # name the user's file, not the converted copy
            raise PackageError(str(path), exc.problems) from None
    pkg.source_path = str(path)
    return pkg


def _read(converted: Path, target: str) -> Package:
    if target == "docx":
        from .docx_reader import docx_blocks
        from .forms import build_package

        return build_package(docx_blocks(converted))
    from .sheet_reader import read_xlsx_any

    return read_xlsx_any(converted)


def _guard(p: Path, kind: str) -> None:
    if check_size(p) == 0:
        raise PackageError(str(p), [f"文件为空，不是有效的{kind}"])
    with p.open("rb") as fh:
        head = fh.read(8)
    if head != _OLE:
        hint = "（若是新版文件，请把扩展名改为 .docx 或 .xlsx）" if head[:2] == b"PK" else ""
        raise PackageError(str(p), [f"不是有效的{kind}：文件格式与扩展名不符，可能已损坏{hint}"])


def convert(p: Path, workdir: Path, suffix: str, timeout: int | None = None) -> Path:
    """The converted file inside `workdir` (the caller removes it)."""
    timeout = timeout or TIMEOUT
    target, filter_name, kind = TARGETS[suffix]
    soffice = find_soffice()
    if soffice is None:
        raise PackageError(str(p), [f"读取{kind}需要 LibreOffice，但本机未安装（make setup 会安装）"])
    source = workdir / f"input{suffix}"  # a plain ASCII name: soffice mishandles some paths
    shutil.copyfile(p, source)
    profile = workdir / "profile"
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
           "--nolockcheck", "--convert-to", filter_name, "--outdir", str(workdir), str(source)]
    try:
        # A session of its own, so that a conversion that hangs is stopped with every process it started.
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir,
                                env={**os.environ, "HOME": str(workdir)}, start_new_session=True)
    except OSError as exc:
        raise PackageError(str(p), [f"无法启动 LibreOffice：{exc.strerror}"]) from None
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise PackageError(str(p), [f"LibreOffice 转换{kind}超时（{timeout} 秒），已中止；文件可能已损坏"]) from None
    out = workdir / f"input.{target}"
    if returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise PackageError(str(p), [f"LibreOffice 无法转换该{kind}，文件可能已损坏或不是此格式"])
    return out


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:  # already gone
        pass
    proc.wait()
