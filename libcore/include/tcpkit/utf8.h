// Untrusted bytes that are meant to be text: JSON log lines, and later chat messages.
#pragma once

#include <string>
#include <string_view>

namespace tcpkit {

// Returns `bytes` with every invalid UTF-8 sequence (stray continuation bytes, truncated or
// overlong sequences, surrogates, code points past U+10FFFF) replaced by U+FFFD, one per
// maximal invalid subpart as Unicode recommends. Valid input comes back unchanged.
std::string to_valid_utf8(std::string_view bytes);

}  // namespace tcpkit
