// Windows stand-in for <poll.h>: see tcpkit_posix_sockets.h.
#pragma once
#include <tcpkit_posix_sockets.h>
