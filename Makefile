# The README's two commands are `make run` and `make test`; everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DB_URL ?=

.PHONY: run test setup system-packages lint fmt typecheck pytest demo worker bench vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

setup: $(VENV)/.installed

## Run the platform: SQLite (WAL), migrations, the demo county, the worker, port 8000.
run: setup
	$(BIN)/xinfang migrate --noinput -v0
	$(BIN)/xinfang load_demo --if-empty
	$(BIN)/xinfang serve

## Run the whole test suite with lint and type checks (DATABASE_URL picks the database).
test: setup system-packages lint typecheck pytest

system-packages:
	@bash scripts/system-packages

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: setup
	$(BIN)/mypy xinfang

pytest: setup
	$(BIN)/pytest -q -n 2

demo: setup
	$(BIN)/xinfang migrate --noinput -v0
	$(BIN)/xinfang load_demo

worker: setup
	$(BIN)/xinfang run_huey

lock:
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --no-emit-index-url \
		--no-emit-find-links --python-version 3.11 -o requirements.lock

vendor:
	cd $$(mktemp -d) && npm init -y >/dev/null && npm install --silent htmx.org@2.0.11 && \
		cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE \
		$(CURDIR)/xinfang/static/vendor/htmx/
	cd $$(mktemp -d) && npm init -y >/dev/null && npm install --silent echarts@5.6.0 && \
		cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE \
		$(CURDIR)/xinfang/static/vendor/echarts/
	cd $$(mktemp -d) && npm init -y >/dev/null && npm install --silent leaflet@1.9.4 && \
		cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
		node_modules/leaflet/LICENSE $(CURDIR)/xinfang/static/vendor/leaflet/ && \
		cp node_modules/leaflet/dist/images/*.png $(CURDIR)/xinfang/static/vendor/leaflet/images/

clean:
	rm -rf $(VENV) var
