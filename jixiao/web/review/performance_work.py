"""The 绩效评价股's own working areas (抽评, 批量处理, 外部导入): one rule for the pages and the API.

A 归口业务科室 user reads the results of this work elsewhere (结果应用, 自评情况), so opening any of
these areas, by page or by API, is refused with a 403 that says who does the work; the navigation
does not offer them either."""

from __future__ import annotations

from jixiao.web import versions
from jixiao.web.review import selectors

SPOT = "抽评由绩效评价股抽取和评分，归口业务科室不参与。本科室单位的抽评结果已计入“结果应用”。"
BATCH = "批量审核和批量生成 PDF 由绩效评价股办理。本科室单位的数据包请在“自评情况”中逐个查看。"
PACKAGES = "外部数据包由绩效评价股导入。导入后的数据包在“自评情况”中查看。"


def refused(user, reason: str) -> str:
    """`reason` when `user` is a bureau user outside the 绩效评价股, else ''."""
    return "" if selectors.may_run_spot_check(user) else reason


def require(user, reason: str) -> None:
    """Raise the 403 refusal (an ActionError carrying `reason`) for a user outside the 绩效评价股."""
    if refused(user, reason):
        raise versions.ActionError(reason, status=403)
