"""Print the catalogue of audit checks as Markdown: `python -m jixiao.audit.catalogue > docs/checks.md`.

Generated from the registry (rule id, title, description), grouped by family —
the part of the rule id before the first dot. A test keeps docs/checks.md current.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .registry import CHECKS, _load_all, run_checks
from .service import SERVICE_RULES

COMMAND = "python -m jixiao.audit.catalogue > docs/checks.md"

# Families in the order of DESIGN §5; others follow alphabetically.
FAMILY_TITLES = {
    "table": "表内运算", "funds": "资金表恒等式", "rate": "比率", "score": "得分", "reason": "偏差与低执行率的说明",
    "xref": "前后一致", "cross": "前后一致", "prose": "正文中的数字", "date": "年份与日期", "text": "文字规范",
    "plaus": "合理性", "plausibility": "合理性", "forms": "材料完整性", "targets": "批复绩效目标", "input": "输入文件", "internal": "内部",
}
_ORDER = list(FAMILY_TITLES)

INTERNAL_RULES = {
    "internal.check_failed": ("审核规则运行出错", "某条审核规则自身出错时以警告报告，其余规则的结果照常给出；请将该文件反馈给开发者。"),
    "input.unreadable": ("文件无法读取", "文件不存在、类型不受支持、过大、损坏或格式错误。此时退出码为 2，JSON 中该文件带 `error` 字段，其余文件照常审核。"),
}


def rows() -> list[tuple[str, str, str]]:
    _load_all()
    out = [(c.rule, c.title, c.description) for c in CHECKS.values()]
    out += [(rule, title, desc) for rule, (title, desc) in {**SERVICE_RULES, **INTERNAL_RULES}.items()]
    return out


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "xiangxi-beijing-office-2022.yaml"


def examples() -> dict[str, str]:
    """For each rule, its first finding on the example package (the seed unit), as a reviewer reads it."""
    if not EXAMPLE.exists():
        return {}
    from ..io.canonical import read_package

    out: dict[str, str] = {}
    for f in run_checks(read_package(EXAMPLE)):
        if f.rule not in out:
            shown = f.formula or f"{f.stated} → {f.expected}".strip(" →")
            out[f.rule] = f"{f.message}" + (f"（{shown}）" if shown and shown not in f.message else "")
    return out


def family(rule: str) -> str:
    return rule.split(".", 1)[0]


def _family_key(name: str) -> tuple:
    return (_ORDER.index(name), "") if name in FAMILY_TITLES else (len(_ORDER), name)


def render() -> str:
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows():
        groups.setdefault(family(row[0]), []).append(row)
    lines = [
        "# 审核规则一览（jixiao audit）", "",
        f"<!-- 由 `{COMMAND}` 生成，请勿手工修改。 -->", "",
        f"共 {sum(len(g) for g in groups.values())} 条规则。每条问题给出规则编号、严重程度（错误 / 警告 / 提示）、"
        "位置、填报值、应为值、计算过程和原文。“示例”一栏是该规则在示例数据包"
        "（examples/xiangxi-beijing-office-2022.yaml，样本单位照录的数据）上报出的第一条问题。", "",
    ]
    lines += COVERAGE_SECTION
    seen = examples()
    for name in sorted(groups, key=_family_key):
        title = FAMILY_TITLES.get(name, name)
        lines += [f"## {title}（`{name}`）", "", "| 规则 | 名称 | 说明 | 示例 |", "|---|---|---|---|"]
        for rule, rtitle, desc in sorted(groups[name]):
            lines.append(f"| `{rule}` | {_cell(rtitle)} | {_cell(desc)} | {_cell(seen.get(rule, '—'))} |")
        lines.append("")
    return "\n".join(lines)


# What every report says besides its findings (jixiao/audit/coverage.py).
COVERAGE_SECTION = [
    "## 核对范围（`summary.coverage`）", "",
    "每份文件的审核结果都写明读懂了什么、核对了什么：读懂的每张表格（位置、类别、行数、数字个数）、"
    "审核实际复算核对的关系数、未能读懂的部分及原因。文本与 HTML 报告列在“核对范围”下，"
    "XLSX 汇总表有“核对范围”一栏，JSON 在每份文件的 `summary.coverage` 中：", "",
    "| 字段 | 含义 |", "|---|---|",
    "| `status` | `checked`：读到了数字并复算了其间的关系，没有未读懂的部分；`partial`：另有部分未能读懂（列在 "
    "`unread`），只就读懂的部分报告；`unchecked`：没有读到任何数字，或读到的数字之间没有可复算的关系——"
    "报告写“未能核对”及原因，绝不写“未发现问题”。 |",
    "| `tables` | 读懂的表格张数。由本系统数据包（YAML/JSON、本系统工作簿）读入的，按数据包中的各表计。 |",
    "| `figures` | 从这些表格读到的数字个数（金额、比率、分值、得分、指标值）。 |",
    "| `checks` | 审核规则实际核对的关系个数：每一处填报数与其复算值（合计与各项、执行率与两项金额、得分与分值、"
    "总分与各项得分……）比较一次计一项，同一关系被几条规则查看也只计一次。由审核规则运行时计数，不是估计。 |",
    "| `unread` | 未能读懂的部分：`[{\"where\": 位置, \"why\": 原因}]`，如表头未能识别的表格。 |", "",
    "文本与 HTML 报告在“核对范围”下逐表列出读懂的表格：位置、类别、行数、数字个数，以及在该表上核对的关系数"
    "（一项关系计在其填报数所在的表上）。", "",
    "退出码不受核对范围影响（0 无错误级问题，1 有错误级问题，2 有文件无法读取）；无法读取的文件 `status` 为 "
    "`unchecked`。", "",
]


def _cell(s: str) -> str:
    return " ".join((s or "").split()).replace("|", "\\|")


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
