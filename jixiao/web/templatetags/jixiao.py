from django import template

from jixiao.core.numbers import fmt_percent
from jixiao.web.drafts import cells, figures

register = template.Library()


@register.filter
def field_id(path: str) -> str:
    """The element id of a field's input."""
    return figures.dom_id("f", path) if path else "top"


ANY_FORM = "__form__"  # the slug a page puts into its form URL for the shared review partials (`form_url`)


@register.filter
def form_url(url: str, slug: str) -> str:
    """The reading audience's page of the form `slug`, from that page's URL reversed with ANY_FORM as
    the slug: a partial both audiences include links to each one's own pages without naming them."""
    return url.replace(ANY_FORM, slug)


@register.filter
def pct(value) -> str:
    return "—" if value is None else fmt_percent(value)


def _ctx(context):
    return context["cellctx"]


@register.simple_tag(takes_context=True)
def cell(context, c):
    return cells.cell(c, _ctx(context))


@register.simple_tag(takes_context=True)
def field(context, c):
    return cells.field(c, _ctx(context))


@register.simple_tag(takes_context=True)
def figure(context, c, oob=False):
    return cells.figure(c, _ctx(context), oob=oob)
