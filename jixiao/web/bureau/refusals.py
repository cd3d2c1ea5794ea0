"""The 绩效评价股's own working pages (抽评, 批量处理, 外部导入): a 归口业务科室 user who types their
address is refused on opening with a 403 that says who does this work and where the desk reads its
units instead — the same rule as the navigation, which does not offer these tabs to the desk."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from jixiao.web.models import EvaluationTask
from jixiao.web.review import performance_work, selectors


@dataclass(frozen=True)
class Refusal:
    text: str
    link_name: str  # the page of the task where the desk reads what it needs instead
    link_text: str


SPOT = Refusal(performance_work.SPOT, "web:bureau_results_use", "查看结果应用")
BATCH = Refusal(performance_work.BATCH, "web:bureau_dashboard", "查看自评情况")
PACKAGES = Refusal(performance_work.PACKAGES, "web:bureau_dashboard", "查看自评情况")


def performance_task(request: HttpRequest, task: int, refusal: Refusal) -> tuple[EvaluationTask, HttpResponse | None]:
    """The task (a 404 for anyone outside the bureau, as every bureau page) and, for a bureau user
    who is not of the 绩效评价股, the 403 page saying why."""
    t = selectors.task_for(request.user, task)
    if not performance_work.refused(request.user, refusal.text):
        return t, None
    link = reverse(refusal.link_name, kwargs={"task": t.pk})
    return t, render(request, "web/message.html", {"text": refusal.text, "link": link, "link_text": refusal.link_text},
                     status=403)
