"""Charts for the narrative (matplotlib, Agg backend, a CJK font from fonts-noto-cjk).

Every plotted figure is an engine value: execution rate and score by project,
budget against spending by project.
"""

from __future__ import annotations

import functools
import io
from decimal import Decimal

from ..core.view import View

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")


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


def _short(name: str, n: int = 8) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


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


def _rate_and_score(projects) -> bytes:
    plt = _pyplot()
    names = [_short(t.table.name) for t in projects]
    rates = [_f(t.execution_rate.value) * 100 if t.execution_rate else 0.0 for t in projects]
    scores = [_f(t.total.value) if t.total else 0.0 for t in projects]
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    xs = range(len(names))
    bars = ax.bar([x - 0.2 for x in xs], rates, width=0.4, label="预算执行率（%）", color="#4472C4")
    ax.bar([x + 0.2 for x in xs], scores, width=0.4, label="自评得分（分）", color="#ED7D31")
    for bar, r in zip(bars, rates):
        ax.annotate(f"{r:.2f}%", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(list(xs), names, fontsize=8)
    ax.set_ylim(0, 130)
    ax.legend(fontsize=8, loc="upper center", ncol=2, frameon=False)
    fig.tight_layout()
    return _png(fig)


def _budget_vs_spending(projects) -> bytes:
    plt = _pyplot()
    names = [_short(t.table.name) for t in projects]
    annual = [_f(t.table.fund("total").annual) if t.table.fund("total") else 0.0 for t in projects]
    executed = [_f(t.table.fund("total").executed) if t.table.fund("total") else 0.0 for t in projects]
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    ys = range(len(names))
    ax.barh([y + 0.2 for y in ys], annual, height=0.4, label="全年预算数", color="#A5A5A5")
    ax.barh([y - 0.2 for y in ys], executed, height=0.4, label="全年执行数", color="#4472C4")
    ax.set_yticks(list(ys), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("万元", fontsize=8)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return _png(fig)
