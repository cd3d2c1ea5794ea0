"""Render packages to their official outputs: .docx, .xlsx and (batched) PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.model import Package
from ..core.profiles import Profile, load_profile
from ..core.view import View, build_view


@dataclass
class Rendered:
    source: str
    docx: Path
    xlsx: Path
    pdf: Path | None = None
    charts: int = 0
    notes: list[str] = field(default_factory=list)


def safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "", text)[:120] or "单位"


def output_names(pkg: Package) -> tuple[str, str]:
    base = safe_name(f"{pkg.unit.name}{pkg.year}年度")
    return f"{base}部门整体支出绩效自评报告.docx", f"{base}绩效自评表.xlsx"


def charts_enabled(profile: Profile, override: bool | None) -> bool:
    """The profile's optional `render_charts` parameter; on when the profile does not say."""
    if override is not None:
        return override
    param = profile.parameters.get("render_charts")
    return True if param is None else bool(param.value)


def render_package(pkg: Package, outdir: Path, profile: str | Profile | None = None, charts: bool | None = None,
                   source: str = "") -> Rendered:
    """Write the .docx and .xlsx of one package into `outdir` (PDF is done in batch, see pdf.convert_batch)."""
    from .docx_writer import write_docx
    from .xlsx_writer import write_xlsx

    prof = profile if isinstance(profile, Profile) else load_profile(profile or pkg.profile)
    view = build_view(pkg, prof)
    outdir.mkdir(parents=True, exist_ok=True)
    docx_name, xlsx_name = output_names(view.package)
    pics = []
    if charts_enabled(prof, charts):
        from .charts import make_charts

        pics = make_charts(view)
    docx = write_docx(view, outdir / docx_name, pics)
    xlsx = write_xlsx(view, outdir / xlsx_name)
    return Rendered(source or pkg.source_path, docx, xlsx, charts=len(pics))


def render_view(view: View, outdir: Path, charts: bool = False) -> Rendered:
    """For callers that already hold a view (bench, web)."""
    from .docx_writer import write_docx
    from .xlsx_writer import write_xlsx

    docx_name, xlsx_name = output_names(view.package)
    pics = []
    if charts:
        from .charts import make_charts

        pics = make_charts(view)
    return Rendered(view.package.source_path, write_docx(view, outdir / docx_name, pics),
                    write_xlsx(view, outdir / xlsx_name), charts=len(pics))
