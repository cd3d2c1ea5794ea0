"""jixiao (绩效): budget performance self-evaluation packages, computed, audited and rendered."""

__version__ = "0.1.0"
