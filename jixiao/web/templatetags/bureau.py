"""Template filters of the bureau's pages."""

from django import template

register = template.Library()


@register.filter
def sortq(query, column: str) -> str:
    """The dashboard's query string with the sort set to `column` (flipped when it is the current one)."""
    return query.params(sort=query.sort_param(column))


@register.filter
def arrow(query, column: str) -> str:
    if query.sort != column:
        return ""
    return " ▼" if query.desc else " ▲"


@register.filter
def signed(value) -> str:
    """A difference with its sign: +1.50 / −2.00 / 0.00."""
    if value is None:
        return "—"
    return f"+{value:.2f}" if value > 0 else (f"−{-value:.2f}" if value < 0 else f"{value:.2f}")
