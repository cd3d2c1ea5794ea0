"""An imported file merged into the draft, field by field, instead of replacing it.

A file read by the core is a canonical dict like the draft. What it would change is every field it
*holds* whose value differs from the draft's; a field the file does not hold — absent, empty, an
empty table — is kept as the draft has it (a workbook without the narrative's sections does not
delete them). A row the file has beyond the draft's rows is one change (a new row); rows the draft
has beyond the file's are kept. Each change carries the label a preparer knows — the form, the
table, the row and the column, as the editor labels its fields — never the path.

Pure: no Django.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal

from jixiao.web.drafts import fields, layout

# Keys that are not the unit's data: the task fixes the profile; the format's own version.
NOT_MERGED = ("profile", "jixiao")


@dataclass
class Change:
    path: str
    label: str
    old: object
    new: object

    @property
    def old_shown(self) -> str:
        return shown(self.old, self.path)

    @property
    def new_shown(self) -> str:
        return shown(self.new, self.path)


def _absent(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _equal(a, b) -> bool:
    """One value: '12.5' in the draft and '12.50' from a workbook, '90%' and '90.00%'."""
    if a == b:
        return True
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (str, int, Decimal)) or not isinstance(b, (str, int, Decimal)):
        return False
    sa, sb = str(a).strip(), str(b).strip()
    if sa.endswith("%") != sb.endswith("%"):
        return False
    try:
        return Decimal(sa.rstrip("%")) == Decimal(sb.rstrip("%"))
    except ArithmeticError:
        return False


def _walk(old, new, path: str, out: list[tuple[str, object, object]]) -> None:
    if _absent(new):
        return
    if isinstance(new, dict) and (old is None or isinstance(old, dict)):
        old = old or {}  # a part the draft lacks: field by field, each with its own label
        for key, value in new.items():
            if not path and key in NOT_MERGED:
                continue
            _walk(old.get(key), value, f"{path}.{key}" if path else key, out)
    elif isinstance(old, list) and isinstance(new, list):
        for i, value in enumerate(new):
            if i < len(old):
                _walk(old[i], value, f"{path}[{i}]", out)
            else:
                out.append((f"{path}[{i}]", None, value))
    elif not _equal(old, new):
        out.append((path, old, new))


def changes(draft: dict, incoming: dict) -> list[tuple[str, object, object]]:
    """(path, old, new) of every field the incoming file holds with another value than the draft."""
    out: list[tuple[str, object, object]] = []
    _walk(draft, incoming, "", out)
    return out


def preview(draft: dict, incoming: dict, restated: dict[str, object] | None = None) -> list[Change]:
    """The changes with the preparer's labels, in the order of the forms. `restated`: the engine's
    value of each computed figure of the draft — a file that carries the engine's figure where the
    unit stated another (a workbook's formula cell) does not propose to replace the stated one."""
    restated = restated or {}
    raw = [(path, old, new) for path, old, new in changes(draft, incoming)
           if not (path in restated and _equal(restated[path], new))]
    labels = Labels(draft, incoming)
    return [Change(path, labels.of(path), old, new) for path, old, new in raw]


def apply(draft: dict, chosen: list[tuple[str, object, object]]) -> dict:
    """A copy of the draft with the chosen changes made (a new row appended in its place)."""
    out = json.loads(json.dumps(draft))
    for path, _old, new in chosen:
        _put(out, path, new)
    return out


def _put(doc: dict, path: str, value) -> None:
    parts = fields.split_path(path)
    if isinstance(parts[-1], int):  # a new row: its list must end just before it
        items = fields.get(doc, fields.join_path(parts[:-1]))
        if items is None:
            fields.put(doc, fields.join_path(parts[:-1]), [], inplace=True)
            items = fields.get(doc, fields.join_path(parts[:-1]))
        if not isinstance(items, list):
            raise fields.PathError(f"字段不存在：{path}")
        if parts[-1] < len(items):
            items[parts[-1]] = value
        elif parts[-1] == len(items):
            items.append(value)
        else:
            raise fields.PathError(f"字段不存在：{path}")
        return
    fields.put(doc, path, value, inplace=True)


# --- labels ------------------------------------------------------------------------------------------

# Fields the forms do not show as cells: named here in the words of the forms.
_KEY_NAMES = {
    "year": "年度", "title": "标题", "name": "名称", "parent": "上级行", "partial": "仅列“其中”项", "summary": "汇总行",
    "columns": "列名", "form_label": "表名", "row_label": "行名", "kind": "类别", "key": "行类别", "label": "行名",
    "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "id": "序号", "sections": "正文章节",
    "figures": "正文引用的数字", "subject": "所指事项", "text": "原文", "unit": "计量单位", "value": "数值",
    "derived": "计算列", "total": "合计行", "role": "意见类别", "jurisdiction": "行政区划", "code": "代码",
    "level": "级次", "inputs": "计算依据", "tables": "表格", "lines": "行", "opinions": "意见", "signer": "签署人",
    "date": "日期", "weight": "分值", "score": "得分", "indicators": "绩效指标", "funds": "资金", "goals": "年度目标",
    "actual": "实际完成值", "target": "年度指标值", "budget": "预算数", "prior_actual": "上年决算数", "diff": "增减",
    "evaluators": "评价人员", "remark": "备注", "formula": "文中公式", "rate": "比率", "notice": "附件1 通知",
    "basic_data": "附件2 基础数据表", "narrative": "绩效评价报告", "cover": "自评报告", "overall": "附件3",
    "projects": "附件4", "fund_types": "附件5–7", "costs": "支出", "staffing": "人员编制", "buildings": "楼堂馆所",
}


class Labels:
    """The label of a field path: the editor's own where the forms show the field, else the label of
    the nearest field of the same row with the key named in words."""

    def __init__(self, *docs: dict):
        self.known: dict[str, str] = {}
        for doc in reversed(docs):  # the draft's labels win
            for _slug, title, form in layout.Layouts(doc).all():
                for c in form.cells():
                    if c.path:
                        self.known[c.path] = f"{title} › {c.label or c.row}"
        self.rows: dict[str, str] = {}  # a row's path → its label without the column
        self.titles: dict[str, str] = {}  # any other enclosing path → the form's title
        for path, label in self.known.items():
            parts = fields.split_path(path)
            for n in range(len(parts) - 1, 0, -1):
                prefix = fields.join_path(parts[:n])
                if n == len(parts) - 1:
                    self.rows.setdefault(prefix, _row_part(label))
                self.titles.setdefault(prefix, label.split(" › ", 1)[0])

    def of(self, path: str) -> str:
        if path in self.known:
            return self.known[path]
        parts = fields.split_path(path)
        for n in range(len(parts) - 1, 0, -1):
            prefix = fields.join_path(parts[:n])
            place = self.rows.get(prefix) or self.titles.get(prefix)
            if place:
                rest = _words(parts[n:])
                return f"{place}·{rest}" if prefix in self.rows else f"{place} › {rest}"
        return _words(parts) or "数据包"


def _row_part(label: str) -> str:
    """'附件4 项目甲 › 接待人次·实际完成值' → '附件4 项目甲 › 接待人次' (the row without the column)."""
    return label.rsplit("·", 1)[0]


def _words(parts) -> str:
    out = []
    for p in parts:
        if isinstance(p, int):
            out.append(f"第{p + 1}行" if out else f"第{p + 1}项")
        elif re.fullmatch(r"[\x00-\x7f]+", p):
            out.append(_KEY_NAMES.get(p, "其他"))
        else:  # a key in Chinese already (§七's inputs: 在职人员数)
            out.append(p)
    return "·".join(out)


def shown(value, path: str = "") -> str:
    """A value as the preview prints it: a figure as the forms print it (万元, points, rates)."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, (str, Decimal)) and path:
        return fields.printed_entry(path, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        named = value.get("name") or value.get("label") or value.get("text")
        return f"（新的一行：{named}）" if isinstance(named, str) and named else f"（{len(value)} 项内容）"
    if isinstance(value, list):
        return f"（{len(value)} 项）"
    return str(value)
