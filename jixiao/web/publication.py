"""The one publication layer: everything an anonymous reader gets of a published package — the public
page, the PDF, the .docx and the open data — is made from one masked copy of the version the
bureau published (`published_content`), never from the version itself; and the reads
that find a publication by year and unit.

Masked in that copy (personal data, not the figures the public is owed):
- telephone numbers wherever they stand — the unit's 联系电话, the narrative, the opinions — in any
  spacing or punctuation: mobile (15901285480, 138 1234 5678, 138-1234-5678, +86 138…), fixed line
  with its area code (0743-8221234, (010) 8523 4567, （0743）8221234), and a bare local number
  where a label says it is one (电话：8221234);
- the evaluation team (评价人员): each member's post or title removed, the name shown by its family
  name (杨某某), as the public page has never listed them. The unit's contact person stays named,
  as on the public page, with the number masked.

The version itself (its content and hash) is not changed: the content hash the page shows is the one
of the version the bureau accepted, and the published .docx and PDF carry it in their document
properties; the page also shows the SM3 of the PDF file exactly as it is served (`file_digest`),
which is what a downloaded copy is checked against (`jixiao verify 文件`).
"""

from __future__ import annotations

import contextlib
import functools
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404

from jixiao import integrity, services
from jixiao.web.models import Publication

MASK = "****"

_SEP = r"[ \u3000\-－—–.·]?"  # one separator between digit groups: space, ideographic space, dashes, dot
_MOBILE = rf"(?:(?:\+|＋)?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}"
_FIXED = rf"(?:[(（]0\d{{2,3}}[)）]|0\d{{2,3}}){_SEP}\d{{3,4}}{_SEP}\d{{4}}(?:(?:转|-|－|ext\.?)\d{{1,5}})?"
# Not inside a longer run of figures: no digit, decimal point or digit group just before or after.
_PHONE = re.compile(rf"(?<![\d.．])(?:{_MOBILE}|{_FIXED})(?![\d.．]\d|\d)")
# A local number without its area code counts only where a label names it a telephone number.
_LABELLED = re.compile(r"((?:电话|手机|传真|联系方式|Tel|TEL|tel)[^\d\n]{0,6})(\d{3,4}" + _SEP + r"\d{4})(?![\d.])")
_NUMERIC = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")
_PHONE_KEYS = ("phone", "tel", "fax", "mobile")


def _masked_digits(text: str) -> str:
    digits = [ch for ch in text if ch.isdigit()]
    return "".join(digits[:3]) + MASK + "".join(digits[-2:])


def mask_phones(text: str) -> str:
    """Telephone numbers in `text` shown as 138****78 (the first three and last two digits kept);
    amounts, dates, years and codes untouched."""
    if not text:
        return text or ""
    out = _PHONE.sub(lambda m: _masked_digits(m.group(0)), text)
    return _LABELLED.sub(lambda m: m.group(1) + _masked_digits(m.group(2)), out)


def mask_name(name: str) -> str:
    """A person's name by its family name: 杨再贵 → 杨某某, 罗琳 → 罗某."""
    name = (name or "").strip()
    return name[:1] + "某" * max(1, len(name) - 1) if name else ""


def _mask_value(key: str, value):
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(key, v) for v in value]
    if not isinstance(value, str):
        return value
    if _NUMERIC.match(value.strip()):  # an amount, a count, a rate — unless the field is a telephone's
        phone_field = any(word in key.lower() for word in _PHONE_KEYS)
        return _masked_digits(value) if phone_field else value
    return mask_phones(value)


def _team(evaluators) -> list:
    return [{**e, "name": mask_name(str(e.get("name", ""))), "title": ""} if isinstance(e, dict) else e
            for e in evaluators or []]


def published_content(content: dict) -> dict:
    """The copy of a version the public gets: every telephone number masked, the evaluation team by
    family name without posts. The version's own content is left as it is."""
    masked = _mask_value("", content)
    if "evaluators" in masked:
        masked["evaluators"] = _team(masked["evaluators"])
    return masked


def published_package(pub):
    """The masked copy read as a package, for the writers and the open data."""
    return services.from_canonical(data=published_content(pub.submission.content), name=pub.package.unit.name)


# --- the public page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPage:
    title: str
    unit_name: str
    contact: str
    phone: str
    tables: list  # (title, total, grade, execution rate) per self-evaluation table
    opinions: list  # (role, text, signer, date)


def public_page(pub) -> PublicPage:
    content = published_content(pub.submission.content)
    unit = content.get("unit") or {}
    report = services.score(package=services.from_canonical(data=content, name=pub.package.unit.name))
    return PublicPage(
        title=content.get("title", ""), unit_name=unit.get("name", pub.package.unit.name),
        contact=unit.get("contact", ""), phone=str(unit.get("phone", "") or ""),
        tables=[(t.title, t.total, t.grade, t.execution_rate) for t in report.tables],
        opinions=[(o.get("role", ""), o.get("text", ""), o.get("signer", ""), o.get("date", ""))
                  for o in content.get("opinions") or []])


# --- the documents ------------------------------------------------------------------------------------------


def render_documents(pub, outdir: Path) -> tuple[Path, Path]:
    """(.docx, .pdf) of the masked copy written into `outdir` (LibreOffice makes the PDF)."""
    result = services.render(package=published_package(pub), outdir=outdir, charts=False,
                             content_hash=pub.submission.content_hash)
    pdf = services.render_pdfs(docx_paths=[result.docx], outdir=outdir)[0]
    return Path(result.docx), Path(pdf)


def publish_files(pub, media_root: Path, folder_prefix: str = "tmp") -> tuple[str, str]:
    """The published .docx and PDF, rendered once into a temporary folder beside their place and
    moved into it when both are complete (the folder named by `folder_prefix`, so that a job's
    recovery can clear what a killed run left). Returns their paths relative to `media_root`."""
    out_dir = media_root / "public"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{pub.pk}-{pub.submission.content_hash[:16]}"
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=folder_prefix) as tmp:
        docx, pdf = render_documents(pub, Path(tmp))
        docx.replace(out_dir / f"{stem}.docx")
        pdf.replace(out_dir / f"{stem}.pdf")
    return f"public/{stem}.docx", f"public/{stem}.pdf"


def served_file(pub, suffix: str = ".pdf") -> Path | None:
    """The published document as it is served (the PDF, or the .docx beside it), when it is there."""
    if not pub.pdf:
        return None
    path = (Path(settings.MEDIA_ROOT) / pub.pdf).with_suffix(suffix)
    return path if path.is_file() else None


@functools.lru_cache(maxsize=256)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    return integrity.sm3_file(Path(path))


def file_digest(pub, suffix: str = ".pdf") -> str:
    """The SM3 of the exact bytes the public download serves ("" while there is no file): what
    `jixiao verify 文件 --hash` compares a downloaded copy with. Remembered per file and modification
    time, so a page view hashes a file once."""
    path = served_file(pub, suffix)
    if path is None:
        return ""
    st = path.stat()
    return _file_digest(str(path), st.st_size, st.st_mtime_ns)


def publications_of_content(content_hash: str):
    """The publications made from the version with this content hash (the hash a published PDF carries)."""
    return Publication.objects.select_related("package__unit", "package__task", "submission").filter(
        submission__content_hash__iexact=content_hash)


def open_data(pubs, outdir: Path, title: str) -> Path:
    """The open data (Fiscal Data Package) of published packages, each its masked copy."""
    items = [(published_package(p), p.submission.content_hash) for p in pubs]
    return Path(services.open_data(published=items, outdir=outdir, title=title))


@contextlib.contextmanager
def year_open_data(year: int):
    """The year's open data written to a temporary folder for the caller to read or zip (removed on
    exit): what the public download and the API's open data both serve. No publication that year →
    Http404; a package the open-data writer cannot read → services.ServiceError."""
    pubs = list(published(year))
    if not pubs:
        raise Http404("该年度没有公开的自评结果")
    with tempfile.TemporaryDirectory() as tmp:
        yield open_data(pubs, Path(tmp) / "data", f"{year}年度预算绩效自评结果公开数据")


# --- the reads ---------------------------------------------------------------------------------------------


def published(year: int | None = None, q: str = ""):
    qs = Publication.objects.select_related("package", "package__unit", "package__task", "submission")
    if year is not None:
        qs = qs.filter(package__task__year=year)
    if q:
        qs = qs.filter(Q(package__unit__name__icontains=q) | Q(package__unit__budget_code__startswith=q))
    return qs.order_by("package__unit__budget_code")


def published_years() -> list[tuple[int, int]]:
    return list(Publication.objects.values_list("package__task__year").annotate(n=Count("id")).order_by("-package__task__year"))


def publication_of(year: int, code: str):
    try:
        return Publication.objects.select_related("package", "package__unit", "package__task", "submission").get(
            package__task__year=year, package__unit__budget_code=code)
    except (Publication.DoesNotExist, Publication.MultipleObjectsReturned):
        raise Http404("没有公开该单位该年度的自评结果") from None
