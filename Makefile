# A thin wrapper over CMake: every target here is one or two cmake/ctest calls.
# `make run` and `make test` also install what is missing (scripts/install-deps.sh).

BUILD_DIR      ?= build
JOBS           ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
GENERATOR      := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
CTEST_FLAGS    ?= --output-on-failure -j $(JOBS) --timeout 300
PORT           ?= 8080

RELEASE  := $(BUILD_DIR)/release
DEBUG    := $(BUILD_DIR)/debug
SANITIZE := $(BUILD_DIR)/sanitize

.PHONY: all deps build release run test test-sanitize format tidy clean

all: build

deps:
	@scripts/install-deps.sh

$(RELEASE)/CMakeCache.txt:
	cmake -S . -B $(RELEASE) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release

$(DEBUG)/CMakeCache.txt:
	cmake -S . -B $(DEBUG) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug

$(SANITIZE)/CMakeCache.txt:
	cmake -S . -B $(SANITIZE) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DTCPKIT_SANITIZE=ON

build release: deps $(RELEASE)/CMakeCache.txt
	cmake --build $(RELEASE) -j $(JOBS)

run: build
	$(RELEASE)/cmd/tcpkit chat-server --port $(PORT)

test: deps $(DEBUG)/CMakeCache.txt
	cmake --build $(DEBUG) -j $(JOBS)
	cd $(DEBUG) && ctest $(CTEST_FLAGS)

# The sanitizer runtimes open pipes of their own to check memory, so they misreport once the
# process is out of file descriptors: the test that exhausts them on purpose runs only above.
test-sanitize: deps $(SANITIZE)/CMakeCache.txt
	cmake --build $(SANITIZE) -j $(JOBS)
	cd $(SANITIZE) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest $(CTEST_FLAGS) -E 'running out of file descriptors'

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

# clang-tidy cannot read GCC's precompiled headers: it gets a configuration without them.
# Clang 14 with libstdc++ needs telling that C++20 coroutines are there (Asio 1.22 only looks
# for libc++'s <experimental/coroutine> under Clang).
TIDY_ARGS := --extra-arg=-D__cpp_impl_coroutine=201902L --extra-arg=-DASIO_HAS_CO_AWAIT=1 \
             --extra-arg=-DASIO_HAS_STD_COROUTINE=1
tidy:
	cmake -S . -B $(BUILD_DIR)/tidy $(GENERATOR) -DTCPKIT_USE_PCH=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
	clang-tidy -p $(BUILD_DIR)/tidy --quiet $(TIDY_ARGS) $$(git ls-files 'cmd/*.cpp' 'libcore/src/*.cpp')

clean:
	rm -rf $(BUILD_DIR)
