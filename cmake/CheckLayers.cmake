# Checks the include rules of libcore's layers (see libcore/CMakeLists.txt), in script mode:
#   cmake -DTCPKIT_SOURCE_DIR=<tree> -P cmake/CheckLayers.cmake
# Include paths already keep a layer from the tcpkit headers of layers it does not link, but
# Asio, CLI11 and fmt sit in the system's include directory where any file can reach them, and
# a relative path reaches anything. So, for every file of libcore/<layer>/ and cmd/:
#   - "tcpkit/<other>/..." only for the layers below (and the layer itself);
#   - <asio...> nowhere in base and codec; <CLI/...> only in cmd/; <openssl/...> only in tls;
#     <editline/...> (libedit) only in terminal; <hiredis/...> only in redis; <unicode/...>
#     (ICU) only in the build-time generator libcore/chat/tools/, whose answers tcpkit carries;
#   - no "../" (a private header of another folder) anywhere.
# Prints one line per violation and fails when there is any.

cmake_minimum_required(VERSION 3.20)

if(NOT TCPKIT_SOURCE_DIR)
  message(FATAL_ERROR "CheckLayers.cmake: pass -DTCPKIT_SOURCE_DIR=<source tree>")
endif()

# Which tcpkit layers each may include: the layers it links, and itself.
set(allowed_base   base)
set(allowed_codec  base codec)
set(allowed_stream base codec stream)
set(allowed_tls    base codec stream tls)
set(allowed_terminal base codec stream terminal)
set(allowed_net    base codec stream tls net)
set(allowed_redis  base codec stream tls net redis)
set(allowed_echo   base codec stream tls net echo)
set(allowed_chat   base codec stream tls net chat)
set(allowed_client base codec stream tls terminal net client)
set(allowed_listen base codec stream tls terminal net listen)
set(allowed_cluster base codec stream tls net redis chat cluster)
set(allowed_cmd    base codec stream tls terminal net redis echo chat client listen cluster)
set(no_asio base codec)

set(violations 0)
foreach(layer base codec stream tls terminal net redis echo chat client listen cluster cmd)
  if(layer STREQUAL "cmd")
    set(folder "${TCPKIT_SOURCE_DIR}/cmd")
  else()
    set(folder "${TCPKIT_SOURCE_DIR}/libcore/${layer}")
  endif()
  file(GLOB_RECURSE files "${folder}/*.h" "${folder}/*.cpp")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    file(RELATIVE_PATH shown "${TCPKIT_SOURCE_DIR}" "${file}")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*" "\\1" header "${line}")
      set(problem "")
      if(header MATCHES "^tcpkit/([a-z_]+)/")
        set(target_layer "${CMAKE_MATCH_1}")
        if(NOT target_layer IN_LIST allowed_${layer})
          set(problem "the ${layer} layer may not use the ${target_layer} layer")
        endif()
      elseif(header MATCHES "^tcpkit/")
        set(problem "tcpkit headers live in a layer: tcpkit/<layer>/NAME.h")
      elseif(header MATCHES "^asio([./]|$)" AND layer IN_LIST no_asio)
        set(problem "the ${layer} layer has no Asio: sockets and event loops start at stream")
      elseif(header MATCHES "^openssl/" AND NOT layer STREQUAL "tls")
        set(problem "OpenSSL is for the tls layer only: the others see TLS as a ByteStream")
      elseif(header MATCHES "^editline/" AND NOT layer STREQUAL "terminal")
        set(problem "libedit is for the terminal layer only: the others see its streams")
      elseif(header MATCHES "^hiredis/" AND NOT layer STREQUAL "redis")
        set(problem "hiredis is for the redis layer only: the others see RedisConnection")
      elseif(header MATCHES "^unicode/" AND NOT shown MATCHES "^libcore/chat/tools/")
        set(problem "ICU is for libcore/chat/tools/ only: tcpkit carries its answers as tables")
      elseif(header MATCHES "^CLI/" AND NOT layer STREQUAL "cmd")
        set(problem "CLI11 is for cmd/ only: libcore takes its options as structs")
      elseif(header MATCHES "(^|/)\\.\\./")
        set(problem "no relative includes: another folder's private header is not for this one")
      endif()
      if(problem)
        message("${shown}: #include \"${header}\": ${problem}")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations GREATER 0)
  message(FATAL_ERROR "${violations} include(s) break the layering of libcore (libcore/CMakeLists.txt)")
endif()
