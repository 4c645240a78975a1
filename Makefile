# Thin wrapper over CMake presets. The commands a newcomer needs:
#   make run      install what is missing, build, run the baseline (runs/baseline.h5), print KPIs
#   make report   the same, then the HTML report of it: open report/baseline/report.html
#   make test     install what is missing, build, run every test (release, asan and tsan)
.PHONY: all deps build validate-optimize test test-release test-asan test-tsan test-slurm bench run report bench-report fuzz format clean docs-img

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
	$(CMAKE) --build --preset asan -j $(JOBS) --target unit_tests mss
	ctest --preset asan

# ThreadSanitizer over the threaded sweep machinery: sweep_parts_tests and the thread and
# resume sweeps of tests/cluster (the tsan test preset), through an instrumented mss.
test-tsan: deps
	@test -f build/tsan/build.ninja || $(CMAKE) --preset tsan
	$(CMAKE) --build --preset tsan -j $(JOBS)
	ctest --preset tsan

test: test-release test-asan test-tsan

# A real single-node Slurm (munged, slurmctld, slurmd under a temporary directory) running the
# shipped scripts in scenarios/cluster/; needs root. See docs/cluster.md.
test-slurm: build
	tests/cluster/slurm_test.sh $(BUILD_DIR)/sim/app/mss

# The validations of the optimisation procedure, outside CI. The M/M/c one (docs/optimize.md
# "Validation: M/M/c with known answers"): 400 macro-replications, the procedure and then the
# weakened one (report only); then the catch on normal outputs, where the procedure must pass
# and the weakened one must be rejected; about a minute on 2 threads. Then the mission one
# ("Validation: a mission problem"; tools/validate_optimize_mission.py): 100 macro-replications
# of `mss optimize` against a 10,000-replication truth kept in runs/; about 3 minutes on 2
# threads, 2 more the first time. MISSION_ARGS go to it, e.g. MISSION_ARGS="-M 200".
validate-optimize: deps
	@test -f $(BUILD_DIR)/build.ninja || $(CMAKE) --preset release
	$(CMAKE) --build --preset release -j $(JOBS) --target mss-validate-optimize mss
	$(BUILD_DIR)/tests/mss-validate-optimize --jobs 2 $(VALIDATE_ARGS)
	-$(BUILD_DIR)/tests/mss-validate-optimize --jobs 2 --weakened $(VALIDATE_ARGS)
	$(BUILD_DIR)/tests/mss-validate-optimize --jobs 2 --problem normal-catch
	$(BUILD_DIR)/tests/mss-validate-optimize --jobs 2 --problem normal-catch --weakened --expect-reject
	/usr/bin/python3 tools/validate_optimize_mission.py --mss $(BUILD_DIR)/sim/app/mss --jobs 2 $(MISSION_ARGS)

bench: build
	$(BUILD_DIR)/tests/bench/mss-bench --benchmark_min_time=0.5 $(BENCH_ARGS)

run: build
	$(BUILD_DIR)/sim/app/mss run scenarios/baseline.toml --force $(RUN_ARGS)

fuzz: deps
	@test -f build/fuzz/build.ninja || $(CMAKE) --preset fuzz
	$(CMAKE) --build --preset fuzz -j $(JOBS)

# The report of runs/baseline.h5 (REPORT_FILE, REPORT_DIR to change them), replaced if there.
REPORT_FILE ?= runs/baseline.h5
REPORT_DIR ?= report/baseline
report: run
	/usr/bin/python3 -m analysis report $(REPORT_FILE) -o $(REPORT_DIR) --force

# How long `analysis report` takes on the baseline (100 and 2,000 runs) and the hypercube.
bench-report: build
	tools/bench_report.py

docs-img: build
	tools/make_docs_img.sh

format:
	find sim tests -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf build
