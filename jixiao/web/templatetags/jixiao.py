from django import template

from .. import figures as FG

register = template.Library()


@register.filter
def field_id(path: str) -> str:
    """The element id of a field's input."""
    return FG.dom_id("f", path) if path else "top"


@register.filter
def pct(value) -> str:
    from ...core.numbers import fmt_percent

    return "—" if value is None else fmt_percent(value)


def _ctx(context):
    return context["cellctx"]


@register.simple_tag(takes_context=True)
def cell(context, c):
    from .. import cells

    return cells.cell(c, _ctx(context))


@register.simple_tag(takes_context=True)
def field(context, c):
    from .. import cells

    return cells.field(c, _ctx(context))


@register.simple_tag(takes_context=True)
def figure(context, c, oob=False):
    from .. import cells

    return cells.figure(c, _ctx(context), oob=oob)
