// Builds without hiredis (TCPKIT_CLUSTER=OFF, the Windows build): no --cluster.
#include "tcpkit/base/errors.h"
#include "tcpkit/cluster/cluster.h"

namespace tcpkit {

bool cluster_available() {
    return false;
}

std::string cluster_library_version() {
    return "no --cluster (built without hiredis)";
}

RoomLinkFactory cluster_link_factory(const ClusterSettings& /*settings*/) {
    throw UsageError("--cluster is not available in this build");
}

}  // namespace tcpkit
