# Thin wrapper over CMake presets. The two commands a newcomer needs:
#   make run    install what is missing, build, run the baseline, print its KPIs
#   make test   install what is missing, build, run every test (release and asan)
.PHONY: all deps build test test-release test-asan bench run fuzz format clean

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
BUILD_DIR := build/release

all: build

deps:
	@tools/install-deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt CMakePresets.json | deps
	$(CMAKE) --preset release

build: deps
	@test -f $(BUILD_DIR)/build.ninja || $(CMAKE) --preset release
	$(CMAKE) --build --preset release -j $(JOBS)

test-release: build
	ctest --preset release

test-asan: deps
	@test -f build/asan/build.ninja || $(CMAKE) --preset asan
	$(CMAKE) --build --preset asan -j $(JOBS)
	ctest --preset asan

test: test-release test-asan

bench: build
	$(BUILD_DIR)/tests/bench/mss-bench --benchmark_min_time=0.5 $(BENCH_ARGS)

run: build
	$(BUILD_DIR)/sim/kernel/mss-example-mmc

fuzz: deps
	@test -f build/fuzz/build.ninja || $(CMAKE) --preset fuzz
	$(CMAKE) --build --preset fuzz -j $(JOBS)

format:
	find sim tests -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf build
