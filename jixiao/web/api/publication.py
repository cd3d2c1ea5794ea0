"""Publication (信息公开): the bureau publishes an accepted package; anyone reads what was published
and the year's open data (a Fiscal Data Package of the masked copies) — over `web/publication.py`
and `review.services.publish`, as the public pages and the bureau's page are."""

from __future__ import annotations

import csv
import json

from ninja import Query, Router, Schema

from jixiao import services
from jixiao.web import publication
from jixiao.web.api.common import Paged, amount, answers, moment, page_bounds, percent
from jixiao.web.review import selectors
from jixiao.web.review import services as review_services
from jixiao.web.versions import ActionError

router = Router(tags=["信息公开"])
public = Router(tags=["信息公开"], auth=None)  # what was published is public: no login, no token


class PublishedOut(Schema):
    year: int
    budget_code: str
    unit: str
    version: int
    content_hash: str
    published_at: str


class PublishedTable(Schema):
    title: str
    total_score: str | None
    grade: str
    execution_rate: str | None  # in percent, two decimals


class PublishedDetail(PublishedOut):
    title: str
    contact: str
    phone: str
    tables: list[PublishedTable]
    opinions: list[dict[str, str]]
    content: dict


class PublishedPage(Paged):
    items: list[PublishedOut]


class Listing(Schema):
    year: int | None = None
    q: str = ""
    page: int = 1
    page_size: int = 100


class OpenData(Schema):
    year: int
    datapackage: dict
    tables: dict[str, list[dict[str, str]]]  # each resource's CSV rows, every value as written


def published_out(pub) -> PublishedOut:
    return PublishedOut(year=pub.package.task.year, budget_code=pub.package.unit.budget_code, unit=pub.package.unit.name,
                        version=pub.submission.number, content_hash=pub.submission.content_hash,
                        published_at=moment(pub.published_at))


def _value(computed, fmt) -> str | None:
    """A computed figure of the engine as the API writes numbers (None when it could not be computed)."""
    return None if computed is None or computed.value is None else fmt(computed.value)


@router.post("/reviews/{pk}/publish", response=answers(PublishedOut, ok=201), summary="公开审核通过的数据包（绩效评价股）")
def publish(request, pk: int):
    p = selectors.package_for(request.auth, pk)
    pub = review_services.publish(package_id=p.pk, user=request.auth)
    return 201, published_out(pub)


@public.get("/open/publications", response=answers(PublishedPage), summary="已公开的自评结果（按年度、名称或预算编码查找）")
def list_published(request, filters: Query[Listing]):
    page, size = page_bounds(filters.page, filters.page_size)
    qs = publication.published(filters.year, filters.q.strip()[:100])
    total = qs.count()
    pages = max(1, -(-total // size))
    page = min(page, pages)
    return PublishedPage(page=page, page_size=size, total=total, pages=pages,
                         items=[published_out(p) for p in qs[(page - 1) * size: page * size]])


@public.get("/open/publications/{year}/{code}", response=answers(PublishedDetail), summary="一个单位一个年度公开的自评结果（已脱敏）")
def get_published(request, year: int, code: str):
    pub = publication.publication_of(year, code)
    page = publication.public_page(pub)
    tables = [PublishedTable(title=t, total_score=_value(total, amount), grade=grade.shown() if grade else "",
                             execution_rate=_value(rate, percent))
              for t, total, grade, rate in page.tables]
    opinions = [{"role": r, "text": x, "signer": s, "date": str(d)} for r, x, s, d in page.opinions]
    return PublishedDetail(**published_out(pub).dict(), title=page.title, contact=page.contact, phone=page.phone,
                           tables=tables, opinions=opinions, content=publication.published_content(pub.submission.content))


@public.get("/open/data/{year}", response=answers(OpenData), summary="年度公开数据（财政数据包标准：描述与各表）")
def open_data(request, year: int):
    try:
        with publication.year_open_data(year) as out:
            descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
            tables = {}
            for res in descriptor.get("resources", []):
                path = res.get("path")
                if isinstance(path, str) and (out / path).is_file():
                    with open(out / path, encoding="utf-8", newline="") as f:
                        tables[path] = list(csv.DictReader(f))
    except services.ServiceError as exc:
        raise ActionError(exc.message, 422) from None
    return OpenData(year=year, datapackage=descriptor, tables=tables)
