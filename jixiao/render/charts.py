"""Charts for the narrative (matplotlib, Agg backend, a CJK font from fonts-noto-cjk).

Every plotted figure is an engine value: execution rate and score by project,
budget against spending by project.
"""

from __future__ import annotations

import functools
import io
from decimal import Decimal

from ..core.view import View

CJK_FAMILIES = ("FandolHei", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")


@functools.lru_cache(maxsize=1)
def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    names = {f.name for f in font_manager.fontManager.ttflist}
    family = next((f for f in CJK_FAMILIES if f in names), None)
    if family is None:  # register the .ttc files fontconfig knows, once
        for path in font_manager.findSystemFonts():
            if "CJK" in path or "cjk" in path:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError):
                    continue
        names = {f.name for f in font_manager.fontManager.ttflist}
        family = next((f for f in CJK_FAMILIES if f in names), None)
    plt.rcParams["font.sans-serif"] = [family] if family else ["DejaVu Sans"]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _f(v: Decimal | None) -> float:
    # Plotting only: matplotlib needs floats; no figure printed in the document comes from here.
    return float(v) if v is not None else 0.0


def _label(name: str, n: int = 10) -> str:
    """A project's full name, in lines of at most `n` characters (a chart never truncates a name)."""
    if not name:
        return "—"
    lines = -(-len(name) // n)
    step = -(-len(name) // lines)  # lines of even length: no last line of one character
    return "\n".join(name[i:i + step] for i in range(0, len(name), step))


def make_charts(view: View) -> list[tuple[str, bytes]]:
    projects = [t for t in view.report.tables if t.table.kind == "project"]
    if not projects:
        return []
    return [("图1 各项目预算执行率与自评得分", _rate_and_score(projects)),
            ("图2 各项目全年预算数与执行数（万元）", _budget_vs_spending(projects))]


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    _pyplot().close(fig)
    return buf.getvalue()


def _height(n: int) -> float:
    return 1.0 + 0.55 * n


def _rate_and_score(projects) -> bytes:
    """Two panels, one quantity each: execution rate (%) and self-evaluation score (分)."""
    plt = _pyplot()
    names = [_label(t.table.name) for t in projects]
    rates = [_f(t.execution_rate.value) * 100 if t.execution_rate else 0.0 for t in projects]
    scores = [_f(t.total.value) if t.total else 0.0 for t in projects]
    fig, (left, right) = plt.subplots(1, 2, sharey=True, figsize=(6.2, _height(len(names))))
    ys = list(range(len(names)))
    left.barh(ys, rates, height=0.6, color="#4472C4")
    right.barh(ys, scores, height=0.6, color="#ED7D31")
    for ax, values, unit, top in ((left, rates, "%", max(100.0, *rates)), (right, scores, "分", 100.0)):
        for y, v in zip(ys, values):
            ax.annotate(f"{v:.2f}{unit}", (v, y), xytext=(2, 0), textcoords="offset points", va="center", fontsize=7)
        ax.set_xlim(0, top * 1.22)
        ax.tick_params(axis="x", labelsize=7)
    left.set_xlabel("预算执行率（%）", fontsize=8)
    right.set_xlabel("自评得分（分）", fontsize=8)
    left.set_yticks(ys, names, fontsize=8)
    left.invert_yaxis()
    fig.tight_layout()
    return _png(fig)


def _budget_vs_spending(projects) -> bytes:
    plt = _pyplot()
    names = [_label(t.table.name) for t in projects]
    annual = [_f(t.table.fund("total").annual) if t.table.fund("total") else 0.0 for t in projects]
    executed = [_f(t.table.fund("total").executed) if t.table.fund("total") else 0.0 for t in projects]
    fig, ax = plt.subplots(figsize=(6.2, _height(len(names))))
    ys = range(len(names))
    ax.barh([y - 0.2 for y in ys], annual, height=0.4, label="全年预算数", color="#A5A5A5")
    ax.barh([y + 0.2 for y in ys], executed, height=0.4, label="全年执行数", color="#4472C4")
    ax.set_yticks(list(ys), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("万元", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return _png(fig)
