"""Presentation filters of issue 21: long values folded behind a click."""

import re

from django import template
from django.utils.html import format_html

from jixiao import services
from jixiao.web.field_names import shown

register = template.Library()


@register.filter
def folded(value) -> str:
    """A value as text; one longer than a table cell holds shows its start and opens to the whole."""
    text = shown(value)
    if not text.folded:
        return text.full
    return format_html('<details class="folded"><summary>{}<span class="hint">（展开全文，共{}字）</span></summary>'
                       '<div class="folded-full">{}</div></details>', text.short, len(text.full), text.full)


@register.filter
def profile_title(name: str) -> str:
    """A scoring profile by its Chinese title (its id is for the code and the command line)."""
    try:
        return services.profile(name=name).title if name else ""
    except services.ServiceError:
        return "（评分方案已不可用）"


_TARGET_KINDS = {"package": "数据包", "user": "用户", "username": "登录名", "audit-log": "审计日志", "task": "自评任务",
                 "bureau": "财政局"}
_REQUEST = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD) (/\S*)$")
_REQUEST_VERBS = {"GET": "打开", "HEAD": "打开", "POST": "提交", "PUT": "提交", "PATCH": "提交", "DELETE": "删除"}


@register.filter
def audit_target(target: str) -> str:
    """'package:4' → '数据包 4': the object of an audit entry by its kind's Chinese name; a request
    ('GET /b/t/1/use/', a refusal or a download) → '打开网址' and the address as code."""
    request = _REQUEST.match(target or "")
    if request:
        return format_html("{}网址 <code>{}</code>", _REQUEST_VERBS[request.group(1)], request.group(2))
    kind, _, ref = (target or "").partition(":")
    if kind in _TARGET_KINDS:
        return f"{_TARGET_KINDS[kind]} {ref}".strip()
    return target


@register.filter
def reviewer_side(user, package=None) -> str:
    """Who a reviewer speaks for: '财政部门' for a bureau user, '主管部门' for a user of another unit
    (the department reviewing the package's unit, issue 22), '单位负责人' for the unit's head."""
    if getattr(user, "bureau_id", None):
        return "财政部门"
    if package is not None and getattr(user, "unit_id", None) not in (None, package.unit_id):
        return "主管部门"
    return "单位负责人"


# A review comment is stored with its source's tag ('【财政退回】请补充'), which the views listing comments
# without their author need; where the author's side is printed beside it, the tag would say it twice.
_COMMENT_TAG = re.compile(r"^【([^】]{1,10})】")


@register.filter
def untagged(text: str) -> str:
    """'【财政退回】请补充' → '请补充': the comment without its source tag, for a line that names the speaker."""
    return _COMMENT_TAG.sub("", text or "", count=1)


@register.filter
def speaker(comment, package=None) -> str:
    """Who said it, once: '财政部门退回' for a return's reason (its tag ends in 退回), else the side alone."""
    side = reviewer_side(comment.author, package)
    tag = _COMMENT_TAG.match(comment.text or "")
    return f"{side}退回" if tag and tag.group(1).endswith("退回") else side
