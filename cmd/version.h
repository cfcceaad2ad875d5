// What `tcpkit --version` prints.
#pragma once

#include <string>

namespace tcpkit {

// "tcpkit 0.1.0 (git 1a2b3c4)" followed by the versions of the libraries it was built with.
std::string version_text();

}  // namespace tcpkit
