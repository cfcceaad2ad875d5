#!/usr/bin/env sh
# Copies the header-only dependencies of tcpkit from the host's packages into a folder of the
# build tree, for the Windows cross build (cmake/toolchains/mingw-w64.cmake searches only there):
# adding the host's /usr/include to a MinGW build would let glibc headers leak in.
#
#   scripts/stage-windows-deps.sh [DESTINATION]     (default: build/windows-deps)
#
# Staged: standalone Asio, CLI11, fmt (used with FMT_HEADER_ONLY) and the Catch2 v2 single
# header with its Catch.cmake (catch_discover_tests); and name_tables.cpp, generated with the host's
# ICU. Safe to run again: it starts over each time.
set -eu

destination=${1:-build/windows-deps}
include_source=${TCPKIT_HOST_INCLUDE:-/usr/include}
catch2_cmake_source=${TCPKIT_HOST_CATCH2_CMAKE:-/usr/lib/cmake/Catch2}

require() {
    if [ ! -e "$1" ]; then
        echo "stage-windows-deps: missing $1 (install $2)" >&2
        exit 1
    fi
}
require "$include_source/asio.hpp" libasio-dev
require "$include_source/asio" libasio-dev
require "$include_source/CLI/CLI.hpp" libcli11-dev
require "$include_source/fmt/format.h" libfmt-dev
require "$include_source/catch2/catch.hpp" "catch2 (v2)"
require "$catch2_cmake_source/Catch.cmake" "catch2 (v2)"

rm -rf "$destination/include" "$destination/lib"
mkdir -p "$destination/include" "$destination/lib/cmake/Catch2"
cp "$include_source/asio.hpp" "$destination/include/"
cp -R "$include_source/asio" "$include_source/CLI" "$include_source/fmt" "$include_source/catch2" \
    "$destination/include/"
cp "$catch2_cmake_source/Catch.cmake" "$catch2_cmake_source/CatchAddTests.cmake" \
    "$destination/lib/cmake/Catch2/"

# The nickname rules' Unicode tables: generated here, on the host, from its ICU (the .exe cannot
# run on the build machine, and there is no MinGW ICU). A native build generates the same file
# itself (libcore/chat/CMakeLists.txt).
source_dir=$(cd "$(dirname "$0")/.." && pwd)
pkg-config --exists icu-uc icu-i18n || { echo "stage-windows-deps: missing ICU (install libicu-dev)" >&2; exit 1; }
mkdir -p "$destination/bin"
# shellcheck disable=SC2046
${CXX:-c++} -std=c++20 -O1 -o "$destination/bin/generate_name_tables" \
    "$source_dir/libcore/chat/tools/generate_name_tables.cpp" $(pkg-config --cflags --libs icu-uc icu-i18n)
"$destination/bin/generate_name_tables" "$destination/name_tables.cpp"
echo "stage-windows-deps: staged asio, CLI11, fmt and Catch2 headers and the name tables in $destination"
