# toll: convenience targets over CMake, pip and pytest.
#   make demo   install the C dependencies, build the toll command alone,
#               and summarize the bundled example
#   make test   install dependencies, then run every test (what CI runs)
#   make bench  the benchmark (bench/run.py) on a Release build with the
#               bench programs (TOLL_BUILD_BENCH=ON) in $(BENCH_BUILD)
# Tests that read the real datasets run when TOLL_SHARED_DATA names their
# directory and say that they skip otherwise.
PYTHON ?= python3
JOBS   ?= 2
BUILD  ?= build
ASAN   ?= build-asan
BENCH_BUILD ?= build-bench
PREFIX ?= $(CURDIR)/$(BUILD)/prefix

.PHONY: all deps deps-c build build-cli build-bench demo test test-layers test-docs test-wheel test-c test-asan test-valgrind test-cli \
        test-example test-python test-python-asan test-notebooks test-bench-smoke \
        test-fuzz bench clean

all: build

deps:
	scripts/install-deps.sh

deps-c:
	scripts/install-deps.sh --c-only

build:
	cmake -S . -B $(BUILD) -DTOLL_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

build-cli:
	cmake -S . -B $(BUILD) -DTOLL_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS) --target toll_cli

build-bench:
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DTOLL_BUILD_TESTS=OFF \
	  -DTOLL_BUILD_BENCH=ON -DTOLL_WERROR=ON >/dev/null
	cmake --build $(BENCH_BUILD) -j$(JOBS) --target toll_cli toll_phases toll_ceilings

demo: deps-c build-cli
	./$(BUILD)/toll summarize --by actor,period:month

test: deps test-layers test-c test-asan test-valgrind test-example test-python test-docs test-wheel test-python-asan test-notebooks test-bench-smoke test-fuzz
	@echo "make test: all suites passed"

test-layers:
	$(PYTHON) scripts/check-layers.py

test-c: build
	cd $(BUILD) && ctest --output-on-failure

test-asan:
	cmake -S . -B $(ASAN) -DTOLL_WERROR=ON -DTOLL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN) -j$(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  CK_TIMEOUT_MULTIPLIER=4 ctest --output-on-failure

test-valgrind: build
	scripts/valgrind-tests.sh $(BUILD)

test-cli: build
	sh tests/cli/test_cli.sh $(BUILD)/toll $(CURDIR)

test-example: build
	cmake --install $(BUILD) --prefix $(PREFIX) >/dev/null
	PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig $(MAKE) -C examples clean run
	cmake -S examples/cmake -B $(BUILD)/example-cmake -DCMAKE_PREFIX_PATH=$(PREFIX) >/dev/null
	cmake --build $(BUILD)/example-cmake >/dev/null
	./$(BUILD)/example-cmake/reconcile_static $(PREFIX)/share/toll/seeds.jsonl >/dev/null
	./$(BUILD)/example-cmake/reconcile_shared $(PREFIX)/share/toll/seeds.jsonl >/dev/null
	@echo "examples: pkg-config and find_package(toll) builds ran"

test-python:
	TOLL_WERROR=1 $(PYTHON) -m pip install -q .
	cd tests/python && TOLL_TEST_INSTALLED=1 $(PYTHON) -m pytest -q

# the code blocks of README.md and docs/*.md, run (scripts/check-docs.py)
test-docs: build
	$(PYTHON) scripts/check-docs.py --toll $(BUILD)/toll

# the self-contained wheel and the sdist, the wheel tested in a fresh venv
test-wheel:
	scripts/build-wheel.sh

test-python-asan:
	TOLL_WERROR=1 scripts/pytest-asan.sh -q

test-fuzz:
	scripts/fuzz-smoke.sh 30

test-notebooks:
	$(PYTHON) scripts/run-notebooks.py notebooks

test-bench-smoke: build
	$(PYTHON) -m pip install -q -r bench/requirements.txt
	TOLL_CLI=$(CURDIR)/$(BUILD)/toll $(PYTHON) bench/run.py --smoke

bench: build-bench
	$(PYTHON) -m pip install -q -r bench/requirements.txt
	TOLL_CLI=$(CURDIR)/$(BENCH_BUILD)/toll $(PYTHON) bench/run.py

clean:
	rm -rf $(BUILD) $(ASAN) $(BENCH_BUILD) build-* python/toll/*.so
