# A thin wrapper over CMake: every target here is one or two cmake/ctest calls.
# `make run` and `make test` also install what is missing (scripts/install-deps.sh).

BUILD_DIR      ?= build
JOBS           ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
# Recursive (=), so it is decided when a build directory is first configured, after
# install-deps.sh has had the chance to install ninja.
GENERATOR       = $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
CTEST_FLAGS    ?= --output-on-failure -j $(JOBS) --timeout 300
PORT           ?= 8080

RELEASE  := $(BUILD_DIR)/release
DEBUG    := $(BUILD_DIR)/debug
SANITIZE := $(BUILD_DIR)/sanitize

.PHONY: all deps build release run test test-sanitize format tidy clean package dist

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
# process is out of file descriptors (UBSan then reports "invalid vptr" for sound objects): the
# tests that exhaust them on purpose run only above.
test-sanitize: deps $(SANITIZE)/CMakeCache.txt
	cmake --build $(SANITIZE) -j $(JOBS)
	cd $(SANITIZE) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest $(CTEST_FLAGS) -E 'running out of file descriptors|above the limit of file descriptors'

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

# clang-tidy cannot read GCC's precompiled headers: it gets a configuration without them. The
# Windows files (*_windows.cpp, and tls_unavailable.cpp of builds without TLS) are not part of a
# build here, so they have no compile command.
# Clang 14 with libstdc++ needs telling that C++20 coroutines are there (Asio 1.22 only looks
# for libc++'s <experimental/coroutine> under Clang).
TIDY_ARGS := --extra-arg=-D__cpp_impl_coroutine=201902L --extra-arg=-DASIO_HAS_CO_AWAIT=1 \
             --extra-arg=-DASIO_HAS_STD_COROUTINE=1
tidy:
	cmake -S . -B $(BUILD_DIR)/tidy $(GENERATOR) -DTCPKIT_USE_PCH=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
	clang-tidy -p $(BUILD_DIR)/tidy --quiet $(TIDY_ARGS) \
		$$(git ls-files 'cmd/*.cpp' 'libcore/*/src/*.cpp' | grep -v -e '_windows\.cpp$$' -e 'tls_unavailable\.cpp$$')

clean:
	rm -rf $(BUILD_DIR)

# Benchmarks (bench/run_benchmarks.py): a Release build with the load generator, the peers
# installed (install-deps.sh --bench), then every scenario. `make bench` writes
# docs/benchmarks.md and docs/benchmarks.json; `make bench-smoke` runs each scenario tiny, in
# well under a minute, into build/bench-smoke (CI runs it so the benchmark code cannot rot).
# BASELINE=DIR (a bench build of the code before a change) also runs DIR's tcpkit, in turns with
# this one's, and adds "Before and after" to the report; BENCH_ARGS passes more options, e.g.
# BENCH_ARGS="--only echo --runs 7" (a run of some scenarios merges into the last full one).
BENCH := $(BUILD_DIR)/bench
BENCH_FLAGS = $(if $(BASELINE),--baseline $(BASELINE)) $(BENCH_ARGS)
.PHONY: bench bench-smoke bench-build bench-deps

bench-deps:
	@scripts/install-deps.sh --bench

$(BENCH)/CMakeCache.txt: | bench-deps
	cmake -S . -B $(BENCH) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DTCPKIT_BUILD_BENCH=ON -DTCPKIT_BUILD_TESTS=OFF

bench-build: bench-deps $(BENCH)/CMakeCache.txt
	cmake --build $(BENCH) -j $(JOBS)

bench: bench-build
	python3 bench/run_benchmarks.py --build $(BENCH) --out docs $(BENCH_FLAGS)

bench-smoke: bench-build
	python3 bench/run_benchmarks.py --build $(BENCH) --smoke --out $(BUILD_DIR)/bench-smoke $(BENCH_FLAGS)

# Hostile input from outside (issue 14), on the bench build. `make fuzz-servers` fuzzes a real
# chat-server and echo-server for FUZZ_SECONDS each with tcpkit-fuzz-client and checks them
# afterwards (bench/fuzz_servers.py); `make soak` holds SOAK_CLIENTS churning clients in one
# chat-server for SOAK_SECONDS and checks that no line is lost or repeated and that memory stays
# flat (bench/soak.py). CI: `make soak SOAK_SECONDS=60 SOAK_CLIENTS=500`. FUZZ_ARGS and SOAK_ARGS
# pass more options, e.g. SOAK_ARGS="--seed 42" or FUZZ_ARGS="--record docs".
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 600
SOAK_CLIENTS ?= 2000
.PHONY: fuzz-servers soak

fuzz-servers: bench-build
	python3 bench/fuzz_servers.py --build $(BENCH) --seconds $(FUZZ_SECONDS) $(FUZZ_ARGS)

soak: bench-build
	python3 bench/soak.py --build $(BENCH) --seconds $(SOAK_SECONDS) --clients $(SOAK_CLIENTS) $(SOAK_ARGS)

# Fuzzing (tests/fuzz/): the libFuzzer targets built with Clang, AddressSanitizer and UBSan in
# build/fuzz, then each run for FUZZ_SECONDS on its corpus (scripts/fuzz.sh: one at a time, new
# inputs kept in build/fuzz/corpus, a table at the end; a crash fails it and says how to add the
# input to tests/fuzz/corpus/). FUZZ_TARGETS="utf8 nickname" runs only those. `make test` replays
# every corpus without Clang.
FUZZ         := $(BUILD_DIR)/fuzz
# FUZZ_SECONDS (default 60) is the one of fuzz-servers above.
FUZZ_TARGETS ?=
# Recursive (=), so that it is looked for after install-deps.sh --fuzz has installed Clang.
FUZZ_CXX      = $(shell command -v clang++-14 2>/dev/null || echo clang++)
.PHONY: fuzz fuzz-deps

fuzz-deps:
	@scripts/install-deps.sh --fuzz

$(FUZZ)/CMakeCache.txt: | fuzz-deps
	cmake -S . -B $(FUZZ) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) \
		-DTCPKIT_FUZZ=ON -DTCPKIT_BUILD_TESTS=OFF -DTCPKIT_USE_PCH=OFF

fuzz: fuzz-deps $(FUZZ)/CMakeCache.txt
	cmake --build $(FUZZ) -j $(JOBS) --target tcpkit_fuzz_targets
	scripts/fuzz.sh $(FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Packaging. VERSION is project(VERSION) in CMakeLists.txt, the one place it is set.
VERSION = $(shell sed -n 's/^project.tcpkit VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)
PACKAGE := $(BUILD_DIR)/package
DIST    := $(BUILD_DIR)/dist

# build/package/tcpkit_<version>_<arch>.deb (cmake/Packaging.cmake): a Release build without the
# tests, for /usr, hardened with Debian's flags (dpkg-buildflags; CMake reads CXXFLAGS and LDFLAGS
# when it first configures). SOURCE_DATE_EPOCH dates the package's changelog with the commit.
PACKAGE_BUILDFLAGS := DEB_BUILD_MAINT_OPTIONS=hardening=+all DEB_CXXFLAGS_MAINT_STRIP=-g dpkg-buildflags
package:
	@scripts/install-deps.sh --package
	test -f $(PACKAGE)/CMakeCache.txt || \
	CXXFLAGS="$$($(PACKAGE_BUILDFLAGS) --get CPPFLAGS) $$($(PACKAGE_BUILDFLAGS) --get CXXFLAGS)" \
	LDFLAGS="$$($(PACKAGE_BUILDFLAGS) --get LDFLAGS)" \
		cmake -S . -B $(PACKAGE) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
		-DTCPKIT_BUILD_TESTS=OFF
	cmake --build $(PACKAGE) -j $(JOBS)
	rm -f $(PACKAGE)/tcpkit_*.deb
	cd $(PACKAGE) && SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null || date +%s) cpack -G DEB
	@ls $(PACKAGE)/tcpkit_*.deb

# build/dist/tcpkit-<version>.tar.gz: the committed tree at HEAD (uncommitted changes are not in it),
# and its checksum beside it for the Homebrew formula.
dist:
	@test -n "$(VERSION)" || { echo "make dist: no project(tcpkit VERSION ...) in CMakeLists.txt" >&2; exit 1; }
	@git diff --quiet HEAD 2>/dev/null || echo "make dist: warning: uncommitted changes are not in the tarball (it is HEAD)" >&2
	mkdir -p $(DIST)
	git archive --format=tar.gz --prefix=tcpkit-$(VERSION)/ -o $(DIST)/tcpkit-$(VERSION).tar.gz HEAD
	cd $(DIST) && sha256sum tcpkit-$(VERSION).tar.gz > tcpkit-$(VERSION).tar.gz.sha256
	@cat $(DIST)/tcpkit-$(VERSION).tar.gz.sha256

# Windows: tcpkit.exe cross-built with MinGW-w64 (cmake/toolchains/mingw-w64.cmake), one static
# .exe; the tests run under wine. Needs the Debian packages g++-mingw-w64-x86-64-posix and wine
# (wine64). The header-only dependencies are staged from the host's packages into WINDOWS_DEPS.
WINDOWS      := $(BUILD_DIR)/windows
WINDOWS_DEPS := $(BUILD_DIR)/windows-deps
# wine's own diagnostics (and Debian's wine32 hint) would only clutter the test output.
WINE_ENV     := WINEDEBUG=-all
# The first wine program of a session starts wine's background services, which keep its
# stdout and stderr open until the session ends: started by a test, they would make ctest (or
# ninja, for catch_discover_tests) wait for them. So start the session here, on /dev/null, and
# keep it until 60 s after the last wine program has exited. A server left from the build
# (catch_discover_tests runs the tests under wine) is ended first: running out its own 60 s, it
# could exit just as the first test starts, which then fails with "wine client error: recvmsg:
# Connection reset by peer".
WINE_SESSION := $(WINE_ENV) wineserver -k </dev/null >/dev/null 2>&1; \
                $(WINE_ENV) wineserver -w </dev/null >/dev/null 2>&1; \
                $(WINE_ENV) wineserver -p60 </dev/null >/dev/null 2>&1; \
                $(WINE_ENV) wine wineboot.exe </dev/null >/dev/null 2>&1

.PHONY: windows test-windows windows-deps

windows-deps:
	@scripts/install-deps.sh --windows

$(WINDOWS_DEPS)/include/asio.hpp: | windows-deps
	@command -v x86_64-w64-mingw32-g++-posix >/dev/null 2>&1 || { echo "make windows: needs x86_64-w64-mingw32-g++-posix (apt-get install g++-mingw-w64-x86-64-posix wine)" >&2; exit 1; }
	scripts/stage-windows-deps.sh $(WINDOWS_DEPS)

$(WINDOWS)/CMakeCache.txt: | $(WINDOWS_DEPS)/include/asio.hpp
	cmake -S . -B $(WINDOWS) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/toolchains/mingw-w64.cmake \
		-DTCPKIT_WINDOWS_DEPS=$(abspath $(WINDOWS_DEPS)) \
		-DTCPKIT_NAME_TABLES=$(abspath $(WINDOWS_DEPS))/name_tables.cpp

# build/windows/cmd/tcpkit.exe
windows: windows-deps $(WINDOWS)/CMakeCache.txt
	cmake --build $(WINDOWS) -j $(JOBS) --target tcpkit

# Builds everything and runs the suite under wine. The bash completion check is left out: it
# runs tcpkit --help itself, which a cross-built .exe cannot do outside wine, and it checks a
# file that does not depend on the platform (`make test` runs it).
# wine now and then fails to run a program at all: the test exits non-zero having printed
# nothing, not even Catch2's header (seen here for 1 launch in 400 to 1 in 1,300, more when the
# machine is busy, never for the same test twice). So a test that fails is run again, up to
# twice more; one that fails three times in a row fails the run. The native suite (`make test`,
# `make test-sanitize`) runs every test once.
WINE_CTEST_FLAGS := --repeat until-pass:3
# Left out under wine: the overload test whose one client never reads waits for that client's
# queue to fill, and under wine it did not within 120 s (three tries, seen once; not yet
# understood: wine's socket buffers). It runs in `make test` and `make test-sanitize`.
WINE_EXCLUDED    := ^completion: bash|the one client that never reads
test-windows: windows-deps $(WINDOWS)/CMakeCache.txt
	$(WINE_SESSION)
	$(WINE_ENV) cmake --build $(WINDOWS) -j $(JOBS)
	$(WINE_SESSION)
	cd $(WINDOWS) && $(WINE_ENV) ctest $(CTEST_FLAGS) $(WINE_CTEST_FLAGS) -E '$(WINE_EXCLUDED)'

