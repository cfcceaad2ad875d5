// Shows untrusted bytes in a log line: printable ASCII as is, everything else escaped; and the
// same for a JSON string value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tcpkit {

// Escapes \n \r \t \\ and non-printable bytes as \xHH, and cuts the result after `max_bytes`
// input bytes, noting how many were left out, so one log line stays one readable line.
std::string escape_bytes(std::string_view data, std::size_t max_bytes = 256);

// Escapes text for a JSON string value: \" \\ \n \r \t, other control characters (C0, DEL and
// the C1 controls U+0080-U+009F, which a terminal showing the line would obey) as \u00HH.
// Bytes that are not UTF-8 become U+FFFD, as JSON text is UTF-8.
std::string json_escape(std::string_view text);

}  // namespace tcpkit
