# jixiao — make setup | make run | make test
# Each target installs what is missing first, so a fresh machine needs nothing else.

PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
DEB_STAMP := $(VENV)/.debian
DEB_PKGS  := libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils chromium
OUT       := out
EXAMPLE   := examples/xiangxi-beijing-office-2022.yaml

.PHONY: setup run run-cli test test-web-pg lint bench bench-web bench-load clean

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

# The web application with the demo data on 127.0.0.1:8000 (worker included); Ctrl-C stops both.
run: setup
	@bash scripts/run-web.sh

# The command-line walk-through: score, audit and render the example into out/.
run-cli: setup
	@bash scripts/run-demo.sh $(EXAMPLE) $(OUT)

test: setup
	$(BIN)/ruff check jixiao tests bench
	$(BIN)/python -m pytest

# The web suite again on PostgreSQL (DATABASE_URL, default the local test database); skipped without a server.
PG_URL ?= postgres://127.0.0.1:5432/test
test-web-pg: setup
	@if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
	  DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest tests/web -m "not browser"; \
	else echo "PostgreSQL 未运行：跳过 PostgreSQL 上的 Web 测试"; fi

lint: setup
	$(BIN)/ruff check jixiao tests bench

bench: setup
	$(BIN)/python bench/score.py

bench-web: setup
	$(BIN)/python bench/web.py

# 50 simulated users for 5 minutes against gunicorn + PostgreSQL (docs/security.md §5); the load
# generator (locust) is an extra of its own, installed here only.
bench-load: setup
	$(BIN)/pip install -q -e '.[load]'
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) $(OUT) var .pytest_cache .ruff_cache
