#include "describe_platform.h"

namespace tcpkit {

std::string system_error_text(const std::error_code& error) {
    return error.message();  // already a phrase: "connection refused"
}

}  // namespace tcpkit
