#include "tcpkit/listen/listen.h"

#include "listen_modes.h"

namespace tcpkit {

int run_listen(const ListenSettings& settings) {
    if (settings.udp) {
        return relay_datagrams(settings);
    }
    if (settings.program) {
        return serve_program(settings);
    }
    if (settings.keep_open) {
        return relay_every_client(settings);
    }
    return relay_one_connection(settings);
}

}  // namespace tcpkit
