# Two commands on a fresh machine: `make run` (set up, index, start the app) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test index eval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

index: $(STAMP)
	$(PY) -m assistant index

run: $(STAMP)
	$(PY) app.py

test: $(STAMP)
	bash scripts/test-deps.sh
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) -m eval

bench: $(STAMP)
	$(PY) -m eval.bench

clean:
	rm -rf $(VENV) index/chroma index/docs index/lexicon index/tmp index/index_id index/.lock index/*.json index/gen-* eval/results
