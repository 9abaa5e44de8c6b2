# SecureCart workbook. Two commands do everything on a fresh machine with python3 (>= 3.11) and pip:
#   make lab    venv + the notebooks' packages + JupyterLab on your working copy in workbook/
#   make test   venv + test tools + ruff, mypy, unit tests, nbval (moto: fresh kernel then a
#               re-run in it; server), the website build and a real-browser run through JupyterLab
# Every package comes at the version in requirements/lock.txt (`make lock` refreshes it).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/lock.txt
# setuptools prints a framed notice on every editable install ("Editable installation. Please
# be careful with folders ... same name as your package") that looks like an error to a student.
EDITABLE_QUIET = PYTHONWARNINGS="ignore:Editable installation"
XDIST ?= -n 2
# A hung cell or call fails its own test after this many seconds, not the whole CI run.
TIMEOUT ?= 900
# nbval with tools/nbval_rerun.py loaded (its --nbval-rerun runs each notebook twice in one kernel).
NBVAL := PYTHONPATH=tools $(BIN)/pytest -q $(XDIST) --dist loadfile --timeout $(TIMEOUT) -p nbval_rerun --nbval --nbval-sanitize-with notebooks/nbval_sanitize.cfg -p no:cacheprovider
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# Extra arguments for `jupyter lab`: make lab ARGS="--no-browser --ip=0.0.0.0 --port=8888"
ARGS ?=

.PHONY: install install-lab lab lab-instructor fresh workbook test lint typecheck unit nbval \
        nbval-server rerun browser book slides notebooks student student-branch bench lock \
        lock-check format pre-commit test-aws moto-report clean

# pyproject.toml and the lock must agree before anything is installed (names the package).
lock-check:
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "SecureCart needs Python >= 3.11; $(PY) is $$($(PY) -V 2>&1). Run e.g. make PY=python3.11 $(MAKECMDGOALS)"; exit 1; }
	@$(PY) tools/lock.py check

# The venv, made once per Python: a .venv left by another Python (or a failed install with one)
# is rebuilt, not reused. $(1): the extras to install.
define make_venv
	@want=$$($(PY) -c 'import sys; print(sys.version.split()[0])'); \
	have=$$($(BIN)/python -c 'import sys; print(sys.version.split()[0])' 2>/dev/null); \
	if [ -e $(VENV) ] && [ "$$have" != "$$want" ]; then \
	  echo "$(VENV) was made by another Python ($${have:-it does not run}; $(PY) is $$want): rebuilding it (make clean does the same)"; \
	  rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "Installing the pinned packages ($(1)) into $(VENV): a few minutes the first time..."
	$(EDITABLE_QUIET) $(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e ".[$(1)]"
endef

# Students: the notebooks' packages only.
$(VENV)/.stamp-lab: pyproject.toml $(LOCK) | lock-check
	$(call make_venv,lab)
	touch $@

# make test and the maintainers' targets: the test tools too.
$(VENV)/.stamp-test: pyproject.toml $(LOCK) | lock-check
	$(call make_venv,lab$(comma)test)
	touch $(VENV)/.stamp-lab $@

comma := ,
install-lab: lock-check $(VENV)/.stamp-lab
install: lock-check $(VENV)/.stamp-test

# --allow-root only where the user is root (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The student's working copy: made on the first run, never overwritten (edits survive).
workbook: install-lab
	$(BIN)/python tools/make_student.py

# JupyterLab on workbook/: prints the URL (with its token) once the server is up, or the URL of
# the server already running on workbook/ instead of starting a second one.
lab: workbook
	$(BIN)/python tools/lab.py workbook $(ROOT_FLAG) $(ARGS)

# The instructor's notebooks, solutions filled in.
lab-instructor: install-lab
	$(BIN)/python tools/lab.py notebooks $(ROOT_FLAG) $(ARGS)

# A fresh working copy of one notebook: make fresh NB=3 (the old copy is kept, named with the time)
fresh: install-lab
	@test -n "$(NB)" || { echo "usage: make fresh NB=3   (or NB=03, NB=03_lab1)"; exit 2; }
	$(BIN)/python tools/make_student.py --fresh $(NB) $(if $(FORCE),--force,)

lint: install
	$(BIN)/ruff check helpers tests tools notebooks
	$(BIN)/lint-imports --no-cache

# Type checking of the layers everything stands on (pyproject's [tool.mypy]).
typecheck: install
	$(BIN)/mypy

# The unit tests; UNIT_MARKS="not browser and not book" adds the two tests that execute
# notebook 03 (make test does: xdist spreads them over both cores with the rest).
UNIT_MARKS ?= not notebooks and not browser and not book
unit: install
	$(BIN)/pytest -q $(XDIST) --timeout $(TIMEOUT) -m "$(UNIT_MARKS)" --doctest-modules helpers tests tools

# Every notebook from a fresh kernel, then every cell again in that kernel (students re-run
# cells), each output compared with the committed one.
nbval: install
	$(NBVAL) --nbval-rerun $(NOTEBOOKS)

# The same over HTTP, in reverse order: no notebook may lean on what another left behind. It runs
# on a copy of the notebooks (what a notebook writes beside itself, such as 08's export, must not
# meet the moto run's files when make test runs both at once).
NBVAL_SERVER_DIR := build/nbval-server
nbval-server: install
	rm -rf $(NBVAL_SERVER_DIR) && mkdir -p $(NBVAL_SERVER_DIR) && cp $(NOTEBOOKS) $(NBVAL_SERVER_DIR)/
	SECURECART_BACKEND=server $(NBVAL) $(shell printf '%s\n' $(NOTEBOOKS) | sort -r | sed 's|^notebooks/|$(NBVAL_SERVER_DIR)/|')

# The tests that execute notebook 03 as a student would after Run All, and its student edition.
rerun: install
	$(BIN)/pytest -q $(XDIST) --timeout $(TIMEOUT) -m notebooks

# Headless Chromium through JupyterLab on a fresh workbook/ (Debian's chromium, installed when
# missing and we are root, as on CI).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser test..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; \
	else echo "The browser test needs Chromium at $(CHROMIUM) (Debian: apt-get install chromium; or make CHROMIUM=/path/to/chromium)"; exit 1; fi

# Restart Kernel and Run All of every notebook in the browser, then the website; make browser
# BROWSER_NOTEBOOKS="03 06" runs only those (the others: committed outputs drawn).
browser: install $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) BROWSER_NOTEBOOKS="$(BROWSER_NOTEBOOKS)" $(BIN)/pytest -q -n 0 --timeout $(TIMEOUT) -m "browser or book" tests/delivery/test_browser.py tests/delivery/test_book.py

# Two phases of concurrent stages: the browser stage mostly waits (on chromium, the kernel, the
# page), so it runs beside the unit tests, which leave a core idle while their subprocesses
# start; then both nbval runs. Each stage's output is printed whole when it ends.
test: lint typecheck
	$(MAKE) --no-print-directory -j3 --output-sync=target unit browser UNIT_MARKS="not browser and not book"
	$(MAKE) --no-print-directory -j2 --output-sync=target nbval nbval-server

# The course as a website: the student edition, outputs as committed, in build/book/html.
book: install
	$(BIN)/python tools/build_book.py

# reveal.js slides of every notebook (student edition), one slide per section: build/slides/
slides: install-lab
	$(BIN)/python tools/make_slides.py

# Re-execute notebooks in place (commit their outputs): make notebooks [NB=notebooks/03_...ipynb]
notebooks: install
	$(BIN)/python tools/execute_notebooks.py $(NB)

# Student copies of every notebook (solutions replaced by starters) in build/student/
student: install-lab
	$(BIN)/python tools/make_student.py --out build/student

# The student edition committed on the branch `student` (for nbgitpuller): see docs/instructors.md
student-branch: install-lab
	$(BIN)/python tools/student_branch.py

# Notebooks on a real AWS account (costs money: asks first). See docs/instructors.md.
test-aws: install
	$(BIN)/python tools/aws_run.py $(ARGS)

bench: install
	$(BIN)/python tools/bench.py $(ARGS)

# Which stand-ins the newest moto (installed from PyPI into build/moto-latest) no longer needs,
# and which patched moto functions changed.
moto-report: install
	$(BIN)/python tools/moto_report.py

# Re-resolve every package from PyPI after a pin in pyproject.toml changed; commit both files.
lock:
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$$(sed -n 's/^uv==\([^ ]*\).*/\1/p' $(LOCK) | head -1)"
	$(BIN)/python tools/lock.py compile $(BIN)/uv

# ruff format on the files you name (the tree is not formatted yet): make format FILES="tools/x.py"
FILES ?= tools/lab.py tools/lock.py tools/nbval_tags.py
format: install
	$(BIN)/ruff format $(FILES)

pre-commit: install
	$(EDITABLE_QUIET) $(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[dev]"
	$(BIN)/pre-commit install

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis .mypy_cache
