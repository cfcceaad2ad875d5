#include "version.h"

#include <fmt/format.h>

#include <CLI/Version.hpp>
#include <asio/version.hpp>

#include "tcpkit/chat/nickname.h"
#include "tcpkit/cluster/cluster.h"
#include "tcpkit/tls/tls_options.h"

namespace tcpkit {

std::string version_text() {
    std::string revision = TCPKIT_GIT_REVISION;
    return fmt::format(
        "tcpkit {}{}\nbuilt with asio {}.{}.{}, fmt {}.{}.{}, CLI11 {}\nTLS: {}\ncluster: "
        "{}\nnicknames: Unicode {}\n",
        TCPKIT_VERSION, revision.empty() ? std::string() : fmt::format(" (git {})", revision),
        ASIO_VERSION / 100000, ASIO_VERSION / 100 % 1000, ASIO_VERSION % 100, FMT_VERSION / 10000,
        FMT_VERSION / 100 % 100, FMT_VERSION % 100, CLI11_VERSION, tls_library_version(),
        cluster_library_version(), nickname_unicode_version());
}

}  // namespace tcpkit
