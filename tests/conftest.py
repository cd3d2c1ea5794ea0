"""Shared test helpers: where the examples, fixtures and the seed live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"
FIXTURES = ROOT / "tests" / "fixtures"
SEED = ROOT.parent / "shared" / "seeds" / "000_ccaee7afe12d8f19.txt"


@pytest.fixture
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip(f"the seed document is not here ({SEED}); it lives in ../shared/seeds/ beside the repository")
    return SEED
