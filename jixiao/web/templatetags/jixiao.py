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
