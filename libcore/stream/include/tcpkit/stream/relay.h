// The client engine behind `connect` and `send`: input to the socket and the socket to output,
// both at once, in constant memory, until one of the documented stopping conditions.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/udp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "tcpkit/base/duration.h"
#include "tcpkit/stream/byte_stream.h"
#include "tcpkit/stream/stdio_stream.h"

namespace tcpkit {

// Bytes read from the input per system call: a pipe holds 64 KiB, and reading it whole made
// uploads about 20% faster than 16 KiB reads (docs/benchmarks.md).
inline constexpr std::size_t relay_input_chunk_bytes = std::size_t{64} * 1024;
// Bytes read from the socket per system call. Smaller than the input's on purpose: draining
// loopback in 16 KiB reads returned the receive window sooner and made downloads about 30%
// faster than 64 KiB reads, the same for a plain C reader (docs/benchmarks.md).
inline constexpr std::size_t relay_receive_chunk_bytes = std::size_t{16} * 1024;
// A UDP datagram carries at most this much over IPv4.
inline constexpr std::size_t max_udp_payload = 65507;
// How long `--udp` keeps waiting for replies after the input ends, unless --idle-timeout says.
inline constexpr Milliseconds udp_reply_wait{1000};

struct RelayOptions {
    bool crlf = false;                // send LF as CRLF
    bool hex = false;                 // hex dump of both directions to stderr
    Milliseconds idle_timeout{0};     // no byte either way for this long ends it; 0 = never
    Milliseconds overall_timeout{0};  // the whole exchange; 0 = no limit
    bool half_close_at_end = true;    // shut down sending when the input ends
    // --recv-only: the input is never read, so its end (a script's /dev/null) half-closes
    // nothing; only the peer's close ends the relay.
    bool receive_only = false;
    std::optional<std::size_t> max_reply_lines;  // stop after this many lines received
    // --progress: bytes each way, rates, and how much of an input of known size is sent, on
    // stderr while the relay runs, and a summary line when it ends (stream/progress.h).
    bool progress = false;
    // When overall_timeout started counting (so that it can include connecting); default: now.
    std::optional<std::chrono::steady_clock::time_point> started_at;
};

enum class RelayEnd {
    peer_closed,     // the server closed: the normal end
    reply_complete,  // --lines reached
    input_finished,  // UDP: the input ended and no more replies came
    output_closed,   // whoever read our standard output went away
    idle_timeout,
    overall_timeout,
    connection_failed,  // reset, refused (UDP), unreachable...
    input_failed,
};

struct RelayResult {
    RelayEnd end = RelayEnd::peer_closed;
    std::string detail;  // the OS's words, for failures
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;

    bool succeeded() const {
        return end == RelayEnd::peer_closed || end == RelayEnd::reply_complete ||
               end == RelayEnd::input_finished || end == RelayEnd::output_closed;
    }
    // "closed by peer", "idle for 3s", "connection reset by peer"...
    std::string describe(const RelayOptions& options) const;
};

// Says how the relay ended, on stderr (an error line for a failure, a debug line otherwise), and
// returns the exit status: 0 for a normal end, 1 for a failure.
int report_relay_end(const RelayResult& result, const RelayOptions& options);

asio::awaitable<RelayResult> relay(ByteStream& stream, InputStream& input, OutputStream& output,
                                   const RelayOptions& options);

// Each chunk of input becomes one datagram; each datagram received is written out as is.
asio::awaitable<RelayResult> relay(asio::ip::udp::socket& socket, InputStream& input,
                                   OutputStream& output, const RelayOptions& options);

}  // namespace tcpkit
