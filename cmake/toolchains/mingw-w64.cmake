# Cross-builds tcpkit for 64-bit Windows with Debian's MinGW-w64 GCC; the tests run under wine.
#
#   scripts/stage-windows-deps.sh build/windows-deps
#   cmake -S . -B build/windows -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64.cmake
#
# (`make windows` and `make test-windows` do both.) The header-only dependencies are found only in
# the staged folder, never in the host's /usr/include, whose glibc headers would break the build.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(TCPKIT_MINGW_TRIPLET x86_64-w64-mingw32)
# The posix thread model: the win32 one has no std::thread and no std::mutex in GCC 12.
set(CMAKE_C_COMPILER ${TCPKIT_MINGW_TRIPLET}-gcc-posix)
set(CMAKE_CXX_COMPILER ${TCPKIT_MINGW_TRIPLET}-g++-posix)
set(CMAKE_RC_COMPILER ${TCPKIT_MINGW_TRIPLET}-windres)

# Where scripts/stage-windows-deps.sh put the headers: -DTCPKIT_WINDOWS_DEPS=... or the
# environment variable of that name, else build/windows-deps in the source tree. The toolchain
# file is read again for every try_compile project, hence the environment variable.
if(NOT TCPKIT_WINDOWS_DEPS)
  if(DEFINED ENV{TCPKIT_WINDOWS_DEPS})
    set(TCPKIT_WINDOWS_DEPS "$ENV{TCPKIT_WINDOWS_DEPS}")
  else()
    get_filename_component(TCPKIT_WINDOWS_DEPS "${CMAKE_CURRENT_LIST_DIR}/../../build/windows-deps"
                           ABSOLUTE)
  endif()
endif()
set(ENV{TCPKIT_WINDOWS_DEPS} "${TCPKIT_WINDOWS_DEPS}")

list(APPEND CMAKE_FIND_ROOT_PATH "/usr/${TCPKIT_MINGW_TRIPLET}" "${TCPKIT_WINDOWS_DEPS}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# One .exe without DLLs (libstdc++, libgcc, winpthread): it runs anywhere, wine included.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# ctest (and catch_discover_tests at build time) run the test binaries through wine. Debian's
# /usr/bin/wine is a script that warns about wine32 on every run unless WINEDEBUG is -all.
find_program(TCPKIT_WINE NAMES wine wine64 wine-stable)
if(TCPKIT_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_COMMAND};-E;env;WINEDEBUG=-all;${TCPKIT_WINE}")
endif()
