#!/usr/bin/env sh
# Installs what tcpkit needs to build and test, and nothing that is already there.
# Knows apt (Debian, Ubuntu), Homebrew (macOS) and dnf (Fedora). Safe to run again and again.
# --package: also what `make package` needs to build the Debian package (apt only).
# --bench: also the peers the benchmarks compare against (nc, ncat, socat, iperf3, and for TLS
#          openssl's s_server, which also makes the benchmarks' certificates; rlwrap, which line
#          mode is compared with), OpenSSL's headers for the load generator's TLS, gnuplot for the
#          chart and python3 for the runner; not installed for everyone.
# --windows: also the MinGW-w64 cross compiler and wine, for `make windows` and `make test-windows`
#          (apt only).
# --fuzz:  also Clang and its libFuzzer and sanitizer runtimes, for `make fuzz` (Debian: clang-14,
#          and libclang-rt-14-dev, which has libclang_rt.fuzzer*.a).
set -eu

with_package_tools=false
with_bench_tools=false
with_windows_tools=false
with_fuzz_tools=false
for arg in "$@"; do
    case "$arg" in
        --package) with_package_tools=true ;;
        --bench) with_bench_tools=true ;;
        --windows) with_windows_tools=true ;;
        --fuzz) with_fuzz_tools=true ;;
        *) echo "usage: $0 [--package] [--bench] [--windows] [--fuzz]" >&2; exit 2 ;;
    esac
done

need_sudo() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "install-deps: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

install_apt() {
    # groff-base renders the man pages in the test suite; util-linux (unshare) and iproute2 (ip)
    # give the tests that need them a network, hosts file or resolver of their own.
    packages="cmake ninja-build g++ make pkg-config libasio-dev libcli11-dev libfmt-dev catch2 groff-base"
    packages="$packages util-linux iproute2"
    # TLS builds on OpenSSL 3 (libssl-dev); its tests make certificates and run peers with the
    # openssl command.
    packages="$packages libssl-dev openssl"
    # Line mode (connect and listen at a terminal) edits the typed line with libedit.
    packages="$packages libedit-dev"
    # listen's tests talk to the real nc and ncat, as clients and as servers.
    packages="$packages netcat-openbsd ncat"
    # chat-server --cluster talks to Redis with hiredis; its tests start their own redis-server.
    packages="$packages libhiredis-dev redis-server"
    # The nickname rules' Unicode tables are generated from ICU at build time (not needed to run).
    packages="$packages libicu-dev"
    # Line mode's tests run tcpkit in a real terminal: a tmux pane they type into and read.
    packages="$packages tmux"
    # CPack computes the package's Depends with dpkg-shlibdeps (dpkg-dev), and finds binaries with file.
    if [ "$with_package_tools" = true ]; then
        packages="$packages dpkg-dev file"
    fi
    if [ "$with_bench_tools" = true ]; then
        packages="$packages netcat-openbsd ncat socat iperf3 openssl libssl-dev gnuplot-nox python3 binutils rlwrap"
    fi
    if [ "$with_windows_tools" = true ]; then
        packages="$packages g++-mingw-w64-x86-64-posix wine"
    fi
    if [ "$with_fuzz_tools" = true ]; then
        packages="$packages clang-14 libclang-rt-14-dev"
    fi
    missing=""
    for package in $packages; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
            missing="$missing $package"
    done
    [ -z "$missing" ] && return 0
    echo "install-deps: installing$missing"
    need_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    need_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

install_brew() {
    # openssl@3 is keg-only: CMake finds it with -DOPENSSL_ROOT_DIR="$(brew --prefix openssl@3)".
    formulas="cmake ninja pkg-config asio cli11 fmt catch2 openssl@3 libedit nmap"  # nmap: ncat for the tests
    formulas="$formulas tmux"  # line mode's tests run tcpkit in a tmux pane
    formulas="$formulas hiredis redis"  # chat-server --cluster, and its tests' redis-server
    # The nickname rules' tables come from ICU at build time. icu4c is keg-only:
    # PKG_CONFIG_PATH=$(brew --prefix icu4c)/lib/pkgconfig.
    formulas="$formulas icu4c"
    if [ "$with_bench_tools" = true ]; then
        formulas="$formulas netcat nmap socat iperf3 openssl@3 gnuplot python rlwrap"
    fi
    if [ "$with_fuzz_tools" = true ]; then
        formulas="$formulas llvm"  # Apple's clang has no libFuzzer: make fuzz FUZZ_CXX=$(brew --prefix llvm)/bin/clang++
    fi
    for formula in $formulas; do
        brew list --formula "$formula" >/dev/null 2>&1 || brew install "$formula"
    done
}

install_dnf() {
    packages="cmake ninja-build gcc-c++ make pkgconf asio-devel cli11-devel fmt-devel catch2-devel"
    packages="$packages util-linux iproute openssl-devel openssl nmap-ncat netcat libedit-devel"
    packages="$packages tmux"  # line mode's tests run tcpkit in a tmux pane
    packages="$packages hiredis-devel redis"  # chat-server --cluster, and its tests' redis-server
    packages="$packages libicu-devel"  # the nickname rules' tables, generated at build time
    if [ "$with_fuzz_tools" = true ]; then
        packages="$packages clang compiler-rt"  # make fuzz: libFuzzer and the sanitizers
    fi
    missing=""
    for package in $packages; do
        rpm -q "$package" >/dev/null 2>&1 || missing="$missing $package"
    done
    [ -z "$missing" ] && return 0
    # shellcheck disable=SC2086
    need_sudo dnf install -y $missing
}

if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
    install_apt
elif command -v brew >/dev/null 2>&1; then
    install_brew
elif command -v dnf >/dev/null 2>&1; then
    install_dnf
else
    echo "install-deps: no apt, brew or dnf found; install CMake, a C++20 compiler, Asio, CLI11, fmt, OpenSSL 3, libedit, hiredis, redis-server, ICU and Catch2 yourself" >&2
    exit 1
fi
