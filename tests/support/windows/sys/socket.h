// Windows stand-in for <sys/socket.h>: see tcpkit_posix_sockets.h.
#pragma once
#include <tcpkit_posix_sockets.h>
