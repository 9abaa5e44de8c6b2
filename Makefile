# SecureCart workbook. Two commands do everything on a fresh machine with python3 and pip:
#   make lab    venv + install + JupyterLab on your working copy in workbook/ (no solutions)
#   make test   venv + install + ruff + unit tests + nbval (moto, server) + re-run checks
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
XDIST ?= -n 2
NBVAL := $(BIN)/pytest -q $(XDIST) --dist loadfile --nbval notebooks --nbval-sanitize-with notebooks/nbval_sanitize.cfg -p no:cacheprovider

.PHONY: install lab lab-instructor fresh workbook test lint unit nbval nbval-server rerun notebooks student bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test]"
	touch $(STAMP)

install: $(STAMP)

# --allow-root only where the user is root (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The student's working copy: made on the first run, never overwritten (edits survive).
workbook: install
	$(BIN)/python tools/make_student.py

lab: workbook
	$(BIN)/jupyter lab workbook/ $(ROOT_FLAG)

# The instructor's notebooks, solutions filled in.
lab-instructor: install
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG)

# A fresh working copy of one notebook: make fresh NB=03 (the old copy is kept as .bak)
fresh: install
	@test -n "$(NB)" || { echo "usage: make fresh NB=03"; exit 2; }
	$(BIN)/python tools/make_student.py --fresh $(NB)

lint: install
	$(BIN)/ruff check helpers tests tools notebooks
	$(BIN)/lint-imports --no-cache

unit: install
	$(BIN)/pytest -q $(XDIST) -m "not notebooks" --doctest-modules helpers tests

nbval: install
	$(NBVAL)

nbval-server: install
	SECURECART_BACKEND=server $(NBVAL)

rerun: install
	$(BIN)/pytest -q $(XDIST) --dist loadfile -m notebooks

test: lint unit nbval nbval-server rerun

# Re-execute notebooks in place (commit their outputs): make notebooks [NB=notebooks/03_...ipynb]
notebooks: install
	$(BIN)/python tools/execute_notebooks.py $(NB)

# Student copies of every notebook (solutions replaced by starters) in build/student/
student: install
	$(BIN)/python tools/make_student.py --out build/student

bench: install
	$(BIN)/python tools/bench.py

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
