// Shows untrusted bytes in a log line: printable ASCII as is, everything else escaped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tcpkit {

// Escapes \n \r \t \\ and non-printable bytes as \xHH, and cuts the result after `max_bytes`
// input bytes, noting how many were left out, so one log line stays one readable line.
std::string escape_bytes(std::string_view data, std::size_t max_bytes = 256);

}  // namespace tcpkit
