# SecureCart workbook. Two commands do everything on a fresh machine with python3 (>= 3.11) and pip:
#   make lab    venv + install + JupyterLab on your working copy in workbook/ (no solutions)
#   make test   venv + install + ruff + unit tests + nbval (moto, server) + re-run checks
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
XDIST ?= -n 2
NBVAL := $(BIN)/pytest -q $(XDIST) --dist loadfile --nbval notebooks --nbval-sanitize-with notebooks/nbval_sanitize.cfg -p no:cacheprovider

.PHONY: install lab lab-instructor fresh workbook test lint unit nbval nbval-server rerun notebooks student bench moto-report clean

# A .venv left by another Python (or a failed install with one) is rebuilt, not reused.
$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "SecureCart needs Python >= 3.11; $(PY) is $$($(PY) -V 2>&1). Run e.g. make PY=python3.11 $(MAKECMDGOALS)"; exit 1; }
	@want=$$($(PY) -c 'import sys; print(sys.version.split()[0])'); \
	have=$$($(BIN)/python -c 'import sys; print(sys.version.split()[0])' 2>/dev/null); \
	if [ -e $(VENV) ] && [ "$$have" != "$$want" ]; then \
	  echo "$(VENV) was made by another Python ($${have:-it does not run}; $(PY) is $$want): rebuilding it (make clean does the same)"; \
	  rm -rf $(VENV); fi
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

# Which stand-ins the newest moto (installed from PyPI into build/moto-latest) no longer needs,
# and which patched moto functions changed.
moto-report: install
	$(BIN)/python tools/moto_report.py

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
