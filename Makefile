# Mallard — `make run` serves the demo on http://127.0.0.1:8000; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE := config.settings

# PostgreSQL for the test suite (the local server by default).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mallard
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# pytest-xdist workers: the suite is faster on two than on one, even on two cores (docs/testing.md).
PYTEST_WORKERS ?= 2

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

# Two stamps: .installed for what production installs (requirements.txt), .installed-dev for the
# development and test tools on top (requirements-dev.txt). Each is redone when its file changes.
$(VENV)/.installed: requirements.txt scripts/find-python
	@set -e; PYTHON="$$(scripts/find-python)"; \
	  echo "Using $$PYTHON ($$($$PYTHON --version))"; \
	  [ -x $(PY) ] || $$PYTHON -m venv $(VENV); \
	  $(PIP) install --quiet --upgrade pip; \
	  $(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed  ## create .venv (Python >= 3.12) and install the pinned requirements.txt

install-dev: $(VENV)/.installed-dev  ## .venv plus the pinned development and test tools (requirements-dev.txt)

run: install  ## migrate, load the demo courses, create demo users, serve on 127.0.0.1:8000
	@# The interface's translations (docs/i18n.md): .po → .mo with polib, no GNU gettext needed.
	$(PY) manage.py compile_catalogues
	$(PY) manage.py migrate --no-input
	$(PY) manage.py import_course demo/spanish.yaml
	$(PY) manage.py import_course demo/english.yaml
	@# Audio for the demos (docs/media.md): needs espeak-ng, lame, oggenc; without them the demos run silent.
	@missing=""; for t in espeak-ng lame oggenc; do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	  if [ -z "$$missing" ]; then \
	    $(PY) manage.py synthesize_audio --course es || echo "Note: synthesize_audio failed; the Spanish course runs without audio."; \
	    $(PY) manage.py synthesize_audio --course en --voice en-us || echo "Note: synthesize_audio failed; the English course runs without audio."; \
	  else \
	    echo "Note:$$missing not installed, so the demo courses have no audio." \
	      "Install with: sudo apt-get install espeak-ng lame vorbis-tools, then run make run again."; \
	  fi
	$(PY) manage.py bootstrap_demo
	@# No Redis, no Celery beat: catch the periodic jobs up now (docs/jobs.md, "Without Redis").
	$(PY) manage.py run_jobs || echo "Note: a job reported a problem (above); the site runs anyway."
	@[ -n "$$REDIS_URL" ] || echo "Note: without REDIS_URL nothing runs the periodic jobs while the server runs;" \
	  "run 'make jobs' (in another terminal) whenever streaks should close and tiers decay."
	$(PY) manage.py runserver 127.0.0.1:8000

jobs: install  ## run every periodic job once, now (what Celery beat does over a day; for laptops without Redis)
	$(PY) manage.py run_jobs

system-packages:  ## install the Debian packages the tests need (as root; otherwise name the apt-get command)
	@scripts/ensure-system-packages

test: system-packages install-dev  ## lint, types, import layers, Django checks, migrations check and the whole pytest suite on PostgreSQL
	$(PY) manage.py compile_catalogues
	$(VENV)/bin/ruff check .
	@# Types of the app code (pyproject.toml [tool.mypy]; django-stubs and the DRF stubs).
	$(VENV)/bin/mypy
	@# No app imports a higher layer (docs/architecture.md; the contracts are in .importlinter).
	$(VENV)/bin/lint-imports --no-logo
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) manage.py check --fail-level WARNING
	@# Missing migrations are found from the models alone: no database needed.
	DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run
	@# The OpenAPI schema of /api/ must generate with no warning (docs/api.md).
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The benchmark (docs/performance.md, "make bench"): not part of `make test`. BENCH_ARGS="--compare-ref 42c665b --repeat 3".
bench: install-dev  ## Mallard beside a same-shape baseline app under gunicorn, driven by locust; prints throughput and latency
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) manage.py bench_learners $(BENCH_ARGS)

worker: install  ## Celery worker with the beat scheduler embedded (needs REDIS_URL; docs/jobs.md)
	@[ -n "$$REDIS_URL" ] || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run the worker and beat."; exit 1; }
	$(VENV)/bin/celery -A config worker -B -l info --schedule $(VENV)/celerybeat-schedule

messages: install-dev  ## find new interface strings into locale/es/LC_MESSAGES/django.po (needs gettext's xgettext; docs/i18n.md)
	$(PY) manage.py makemessages --locale es --no-obsolete --no-location --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'media/*'
	$(PY) manage.py compile_catalogues

.PHONY: messages help install install-dev system-packages run jobs test worker
