# Finds standalone Asio (header-only) and provides the Asio::Asio target.
#
# Debian's libasio-dev ships neither a CMake config nor a pkg-config file;
# Homebrew ships asio.pc. pkg-config is only a hint, the header decides.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_ASIO QUIET asio)
endif()

find_path(Asio_INCLUDE_DIR
  NAMES asio.hpp
  HINTS ${PC_ASIO_INCLUDEDIR} ${PC_ASIO_INCLUDE_DIRS})

if(Asio_INCLUDE_DIR AND EXISTS "${Asio_INCLUDE_DIR}/asio/version.hpp")
  file(STRINGS "${Asio_INCLUDE_DIR}/asio/version.hpp" _asio_version_line
       REGEX "^#define ASIO_VERSION [0-9]+")
  string(REGEX REPLACE "^#define ASIO_VERSION ([0-9]+).*" "\\1" _asio_version_number
         "${_asio_version_line}")
  math(EXPR _asio_major "${_asio_version_number} / 100000")
  math(EXPR _asio_minor "${_asio_version_number} / 100 % 1000")
  math(EXPR _asio_patch "${_asio_version_number} % 100")
  set(Asio_VERSION "${_asio_major}.${_asio_minor}.${_asio_patch}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Asio
  REQUIRED_VARS Asio_INCLUDE_DIR
  VERSION_VAR Asio_VERSION)

if(Asio_FOUND AND NOT TARGET Asio::Asio)
  find_package(Threads REQUIRED)
  add_library(Asio::Asio INTERFACE IMPORTED)
  set_target_properties(Asio::Asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${Asio_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "ASIO_STANDALONE;ASIO_NO_DEPRECATED"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
  if(WIN32)
    set_property(TARGET Asio::Asio APPEND PROPERTY
      INTERFACE_COMPILE_DEFINITIONS "_WIN32_WINNT=0x0A00")
    set_property(TARGET Asio::Asio APPEND PROPERTY
      INTERFACE_LINK_LIBRARIES ws2_32 mswsock)
  endif()
endif()
mark_as_advanced(Asio_INCLUDE_DIR)
