# jixiao — make setup | make run | make test
# Each target installs what is missing first, so a fresh machine needs nothing else.

PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
DEB_STAMP := $(VENV)/.debian
DEB_PKGS  := libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils
OUT       := out
EXAMPLE   := examples/xiangxi-beijing-office-2022.yaml

.PHONY: setup run test lint bench clean

setup: $(STAMP) $(DEB_STAMP)

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian packages for PDF output and CJK fonts (Noto CJK SC for 黑体 and 小标宋, Fandol for 仿宋
# and 楷体, see the script); installed only where missing.
$(DEB_STAMP): scripts/install-debian-packages.sh scripts/install-fandol-fonts.sh | $(BIN)/python
	@bash scripts/install-debian-packages.sh $(DEB_PKGS)
	@bash scripts/install-fandol-fonts.sh
	touch $(DEB_STAMP)

run: setup
	@bash scripts/run-demo.sh $(EXAMPLE) $(OUT)

test: setup
	$(BIN)/ruff check jixiao tests bench
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check jixiao tests bench

bench: setup
	$(BIN)/python bench/score.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
