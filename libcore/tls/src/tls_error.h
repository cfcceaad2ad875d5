// TLS failures as std::error_code, so that sessions and the relay report them like socket
// errors: describe(error) reads "the server requires a client certificate".
#pragma once

#include <string>
#include <system_error>

namespace tcpkit {

// The category of OpenSSL's SSL-library reasons (ERR_GET_REASON of an ERR_LIB_SSL error).
const std::error_category& tls_category();

// The code for the error at the front of this thread's OpenSSL error queue, or for `fallback`
// (a reason code) when the queue is empty.
std::error_code tls_error_from_queue(int fallback);

// OpenSSL's reason text for `reason`, without its library prefix: "wrong version number".
std::string tls_reason_text(int reason);

}  // namespace tcpkit
