# Packaging with CPack: a Debian package (`make package` runs `cpack -G DEB` in build/package).
#
# Included at the end of the top-level CMakeLists.txt, after every install() rule, so the package
# holds exactly what `cmake --install` installs: the binary, the man pages and the completions.
# What Debian policy adds on top (gzipped man pages, /usr/share/doc/tcpkit/copyright and
# changelog.gz) is done by a CPack pre-build script in the package's staging directory only, so a
# plain `cmake --install` is left as it is. The source tarball is `make dist` (git archive), not
# CPack's package_source.
#
# Runtime dependencies come from dpkg-shlibdeps (package dpkg-dev, which CPack drives with `file`):
# fmt is a shared library on Debian, so Depends names libfmt9 next to libc6, libstdc++6 and
# libgcc-s1, TLS links OpenSSL's libssl.so.3 and libcrypto.so.3, which bring libssl3, and line
# mode links libedit.so.2 (built against libedit-dev), which brings libedit2. Without those tools
# CPack would quietly write an empty Depends; the check in
# CPackProjectConfig.cmake below stops it instead.

include(GNUInstallDirs)

set(CPACK_PACKAGE_NAME "${PROJECT_NAME}")
set(CPACK_PACKAGE_VENDOR "the tcpkit developers")
set(CPACK_PACKAGE_CONTACT "tcpkit developers <tcpkit@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "netcat-style TCP toolkit: echo and chat servers, client, sender")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/tcpkit/tcpkit")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_STRIP_FILES ON)

find_program(TCPKIT_DPKG_EXECUTABLE dpkg)
mark_as_advanced(TCPKIT_DPKG_EXECUTABLE)
if(WIN32)
  set(CPACK_GENERATOR "ZIP")
elseif(TCPKIT_DPKG_EXECUTABLE)
  set(CPACK_GENERATOR "DEB")
else()
  set(CPACK_GENERATOR "TGZ")
endif()

# Debian: tcpkit_<version>_<arch>.deb, installing under /usr.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${CPACK_PACKAGE_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The extended description; CPack puts the summary above it as the synopsis and indents it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"tcpkit is one executable with five subcommands for working with TCP:
echo-server echoes every byte back (optionally UDP datagrams), chat-server
runs a chat room with nicknames, commands, history and per-client limits,
connect relays standard input and output to a server like nc, send
sends one message, prints the reply and exits, and listen waits for
clients like nc -l, relaying them or running a program for each
connection. Every subcommand speaks TLS
(OpenSSL 3): clients verify certificates by default or pin one, servers make
a self-signed certificate when given none and can require client
certificates.

Servers listen on localhost unless told otherwise, --port 0 picks a free
port and reports it on stderr, and every limit is an option.")

# Read by cpack, not by cmake: they reach the scripts below through CPackConfig.cmake.
set(CPACK_TCPKIT_LICENSE_FILE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_TCPKIT_DOC_DIR "${CMAKE_INSTALL_DOCDIR}")  # share/doc/tcpkit
set(CPACK_TCPKIT_MAN_DIR "${CMAKE_INSTALL_MANDIR}")  # share/man
set(CPACK_TCPKIT_BIN_DIR "${CMAKE_INSTALL_BINDIR}")  # bin
set(CPACK_TCPKIT_STRIP "${CMAKE_STRIP}")

# Runs in cpack for each generator, before it starts: DEB needs dpkg-shlibdeps and file.
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_BINARY_DIR}/CPackProjectConfig.cmake")
file(CONFIGURE OUTPUT "${CPACK_PROJECT_CONFIG_FILE}" @ONLY CONTENT [==[
# Generated from cmake/Packaging.cmake.
if(CPACK_GENERATOR STREQUAL "DEB" AND CPACK_DEBIAN_PACKAGE_SHLIBDEPS)
  find_program(_tcpkit_shlibdeps dpkg-shlibdeps)
  find_program(_tcpkit_file file)
  if(NOT _tcpkit_shlibdeps OR NOT _tcpkit_file)
    message(FATAL_ERROR "tcpkit: the Debian package needs dpkg-shlibdeps and file to compute its "
                        "dependencies: run `scripts/install-deps.sh --package` (apt-get install dpkg-dev file)")
  endif()
endif()
]==])

# Runs in cpack after the files are installed into the staging directory, before they are packed.
set(CPACK_PRE_BUILD_SCRIPTS "${PROJECT_BINARY_DIR}/CPackDebianPolicy.cmake")
file(CONFIGURE OUTPUT "${PROJECT_BINARY_DIR}/CPackDebianPolicy.cmake" @ONLY CONTENT [==[
# Generated from cmake/Packaging.cmake: what Debian policy wants on top of `cmake --install`.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
find_program(_tcpkit_gzip gzip REQUIRED)
set(_root "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")
if(NOT IS_DIRECTORY "${_root}")
  message(FATAL_ERROR "tcpkit: no staging directory at ${_root}")
endif()

# CPACK_STRIP_FILES ran plain strip; drop the sections it leaves too, as dh_strip does.
if(CPACK_TCPKIT_STRIP)
  file(GLOB _programs LIST_DIRECTORIES false "${_root}/${CPACK_TCPKIT_BIN_DIR}/*")
  foreach(_program IN LISTS _programs)
    execute_process(COMMAND "${CPACK_TCPKIT_STRIP}" --remove-section=.comment --remove-section=.note
                            "${_program}" COMMAND_ERROR_IS_FATAL ANY)
  endforeach()
endif()

# Man pages gzipped with maximum compression and without a timestamp (policy 12.1).
file(GLOB_RECURSE _pages LIST_DIRECTORIES false "${_root}/${CPACK_TCPKIT_MAN_DIR}/*.[1-9]")
foreach(_page IN LISTS _pages)
  execute_process(COMMAND "${_tcpkit_gzip}" -9nf "${_page}" COMMAND_ERROR_IS_FATAL ANY)
endforeach()

# The licence as /usr/share/doc/tcpkit/copyright (policy 12.5).
set(_doc "${_root}/${CPACK_TCPKIT_DOC_DIR}")
file(MAKE_DIRECTORY "${_doc}")
file(READ "${CPACK_TCPKIT_LICENSE_FILE}" _licence)
file(WRITE "${_doc}/copyright" "${_licence}")
file(CHMOD "${_doc}/copyright" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# A native package's changelog.gz, in Debian's format (policy 12.7); CHANGELOG.md has the details.
# The date honours SOURCE_DATE_EPOCH, which `make package` sets to the commit's date.
string(TIMESTAMP _date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(WRITE "${_doc}/changelog"
"${CPACK_PACKAGE_NAME} (${CPACK_PACKAGE_VERSION}) unstable; urgency=medium

  * Release ${CPACK_PACKAGE_VERSION}; see CHANGELOG.md in the source for the changes.

 -- ${CPACK_PACKAGE_CONTACT}  ${_date}
")
execute_process(COMMAND "${_tcpkit_gzip}" -9nf "${_doc}/changelog" COMMAND_ERROR_IS_FATAL ANY)
]==])

include(CPack)
