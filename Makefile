# toll: convenience targets over CMake, pip and pytest.
#   make demo   install dependencies, build, and summarize the bundled example
#   make test   install dependencies, then run every test (what CI runs)
PYTHON ?= python3
JOBS   ?= 2
BUILD  ?= build
ASAN   ?= build-asan
PREFIX ?= $(CURDIR)/$(BUILD)/prefix

.PHONY: all deps build demo test test-layers test-c test-asan test-valgrind test-cli \
        test-example test-python test-python-asan test-notebooks test-bench-smoke \
        test-fuzz bench clean

all: build

deps:
	scripts/install-deps.sh

build:
	cmake -S . -B $(BUILD) -DTOLL_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

demo: deps build
	./$(BUILD)/toll summarize --by actor,period:month

test: deps test-layers test-c test-asan test-valgrind test-example test-python test-python-asan test-notebooks test-bench-smoke test-fuzz
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
	$(PYTHON) -m pip install -q .
	cd tests/python && TOLL_TEST_INSTALLED=1 $(PYTHON) -m pytest -q

test-python-asan:
	scripts/pytest-asan.sh -q

test-fuzz:
	scripts/fuzz-smoke.sh 30

test-notebooks:
	$(PYTHON) scripts/run-notebooks.py notebooks

test-bench-smoke: build
	$(PYTHON) -m pip install -q -r bench/requirements.txt
	TOLL_CLI=$(CURDIR)/$(BUILD)/toll $(PYTHON) bench/run.py --smoke

bench: build
	$(PYTHON) -m pip install -q -r bench/requirements.txt
	$(PYTHON) bench/run.py

clean:
	rm -rf $(BUILD) $(ASAN) build-* python/toll/*.so
