# The layering check must pass on the tree as it is and refuse each kind of violation:
#   cmake -DTCPKIT_SOURCE_DIR=<tree> -DWORK_DIR=<scratch> -P tests/layers/check_layers_refuses.cmake
# Each case copies libcore/ and cmd/ into WORK_DIR, adds one forbidden include to one file,
# and expects cmake/CheckLayers.cmake to fail naming that file and the rule it breaks.
cmake_minimum_required(VERSION 3.20)

set(check "${TCPKIT_SOURCE_DIR}/cmake/CheckLayers.cmake")

function(run_check tree out_result out_output)
  execute_process(COMMAND "${CMAKE_COMMAND}" -DTCPKIT_SOURCE_DIR=${tree} -P "${check}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  set(${out_result} "${result}" PARENT_SCOPE)
  set(${out_output} "${output}" PARENT_SCOPE)
endfunction()

run_check("${TCPKIT_SOURCE_DIR}" result output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the tree as it is fails its own layering check:\n${output}")
endif()

# expect_refused(NAME FILE INCLUDE EXPECTED_TEXT)
function(expect_refused name file include expected)
  set(tree "${WORK_DIR}/${name}")
  file(REMOVE_RECURSE "${tree}")
  file(COPY "${TCPKIT_SOURCE_DIR}/libcore" "${TCPKIT_SOURCE_DIR}/cmd" DESTINATION "${tree}")
  file(APPEND "${tree}/${file}" "\n#include ${include}\n")
  run_check("${tree}" result output)
  if(result EQUAL 0)
    message(FATAL_ERROR "${name}: ${file} including ${include} passed the check")
  endif()
  if(NOT output MATCHES "${file}" OR NOT output MATCHES "${expected}")
    message(FATAL_ERROR "${name}: expected '${file}' and '${expected}' in:\n${output}")
  endif()
  message(STATUS "${name}: refused as expected")
  file(REMOVE_RECURSE "${tree}")
endfunction()

expect_refused(asio-in-base libcore/base/src/utf8.cpp "<asio/post.hpp>" "has no Asio")
expect_refused(asio-in-codec libcore/codec/include/tcpkit/codec/line_reader.h "<asio.hpp>"
               "has no Asio")
expect_refused(upper-layer-in-net libcore/net/src/listener.cpp "\"tcpkit/chat/chat_room.h\""
               "may not use the chat layer")
expect_refused(other-app-in-chat libcore/chat/src/chat_room.cpp "\"tcpkit/echo/echo_server.h\""
               "may not use the echo layer")
expect_refused(cli-in-libcore libcore/client/src/client.cpp "<CLI/CLI.hpp>" "CLI11 is for cmd")
expect_refused(openssl-outside-tls libcore/net/src/tcp_server.cpp "<openssl/ssl.h>"
               "OpenSSL is for the tls layer only")
expect_refused(net-in-tls libcore/tls/src/tls_server.cpp "\"tcpkit/net/listener.h\""
               "may not use the net layer")
expect_refused(private-header-from-cmd cmd/main.cpp "\"../libcore/net/src/signals_platform.h\""
               "no relative includes")
expect_refused(old-flat-header libcore/chat/src/chat_room.cpp "\"tcpkit/logger.h\""
               "live in a layer")
