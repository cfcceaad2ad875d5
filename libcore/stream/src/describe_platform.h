// The system's own words for an error, as each platform gives them (describe_posix.cpp,
// describe_windows.cpp); describe() turns them into tcpkit's wording.
#pragma once

#include <string>
#include <system_error>

namespace tcpkit {

// The message of `error` without a trailing full stop or line end; its case as the system
// wrote it.
std::string system_error_text(const std::error_code& error);

}  // namespace tcpkit
