// Windows stand-in for <netinet/in.h>: see tcpkit_posix_sockets.h.
#pragma once
#include <tcpkit_posix_sockets.h>
