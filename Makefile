# workbench: `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ready

# Nothing at set-up or run time may download from anywhere but the package registries.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export LITELLM_LOCAL_MODEL_COST_MAP := True
export TOKENIZERS_PARALLELISM := false

.PHONY: venv demo test lint bench lab clean data browser

venv: $(STAMP)

# Re-installs when pyproject.toml changes; pip's cache keeps the llama-cpp-python build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p build
	$(BIN)/python -m workbench.report notebooks/quickstart.ipynb --html build/quickstart.html
	@echo "Rendered: $(abspath build/quickstart.html)"

# The browser tests drive Debian's Chromium with Playwright (which cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing chromium (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks data
	$(BIN)/mypy workbench

test: $(STAMP) browser lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

data: $(STAMP)
	$(BIN)/python data/make_support_golden.py
	$(BIN)/python data/make_human_labels.py
	$(BIN)/python data/make_traffic.py
	$(BIN)/python data/make_pii_eval.py

clean:
	rm -rf build .workbench .pytest_cache .mypy_cache .ruff_cache
