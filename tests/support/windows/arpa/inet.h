// Windows stand-in for <arpa/inet.h>: see tcpkit_posix_sockets.h.
#pragma once
#include <tcpkit_posix_sockets.h>
