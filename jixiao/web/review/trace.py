"""How a figure of a version read by a reviewer was reached: the body of the trace dialog on the
read-only forms of the 主管部门 (a subordinate unit's version) and of the bureau (a version sent to
it). Each input links to its field on the audience's own form page, so the pages stay apart
(tests/test_contract.py) while the trace is one."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.web.drafts import computation, fields, figures, layout


def version_trace(request: HttpRequest, package, content: dict, form_url: Callable[[str], str]) -> HttpResponse:
    """The trace of the figure at `?path=` in `content` (a version's canonical dict); `form_url(slug)`
    is the audience's page of the form with that slug. A path with no computed figure is a 404 in words."""
    comp = computation.compute(content)
    path = request.GET.get("path", "")
    try:
        fig = comp.figure(path)
    except fields.PathError:  # a hand-made path: said as "no figure here"
        fig = None
    if fig is None:
        return render(request, "web/message_oob.html" if request.htmx else "web/message.html",
                      {"text": "这里没有计算出的数字"}, status=404)
    labels = computation.field_labels(content, comp.layouts)
    inputs = figures.trace_inputs(fig, {q: lbl.split(" › ", 1)[-1] for q, lbl in labels.items()})
    links = [(i, _field_link(content, i.path, form_url)) for i in inputs]
    return render(request, "web/trace.html", {"fig": fig, "kind": figures.kind_of(fig, comp.report), "links": links,
                                              "kind_labels": figures.KIND_LABELS, "package": package, "path": path,
                                              "label": labels.get(path, fig.label)})


def _field_link(content: dict, path: str, form_url: Callable[[str], str]) -> str:
    """Where an input stands: its form's page, at its field; "" for an input without a form (listed unlinked)."""
    if not path:
        return ""
    try:
        return form_url(layout.slug_for_path(content, path)) + "#" + figures.dom_id("f", path)
    except fields.PathError:
        return ""
