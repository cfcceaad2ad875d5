// One connected byte stream, whatever carries it: TCP today; TLS and a child process's pipes
// implement the same interface, so the sessions (echo, chat) and the client relay work on all
// of them unchanged.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/cancellation_signal.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <system_error>

namespace tcpkit {

// Connected, ordered, reliable and half-closable, like a TCP connection. Used from one thread
// (its executor's); at most one read and one write in flight at a time, as with a socket.
//
// Every operation reports its failure in the caller's `error` (asio::error::eof when the peer
// has finished sending), which must outlive it: a local of the coroutine that awaits it. That
// lets an implementation hand back Asio's own awaitable, without a coroutine frame of its own:
// every idle chat client waits in wait_readable(), and such a frame cost each one about 400
// bytes (docs/benchmarks.md, "Before and after").
//
// Cancellation: reads and waits given a connected `cancel` slot end with operation_aborted when
// it is emitted (a server asking its sessions to stop reading while their queues drain); without
// one, they follow the cancellation of the coroutine that awaits them (awaitable operators).
class ByteStream {
  public:
    ByteStream() = default;
    ByteStream(const ByteStream&) = delete;
    ByteStream& operator=(const ByteStream&) = delete;
    virtual ~ByteStream() = default;

    virtual asio::any_io_executor get_executor() = 0;
    // Who is at the other end, as logs show it: `127.0.0.1:50312`.
    virtual const std::string& peer() const = 0;
    // Who the peer proved to be, when the transport checks that: the subject of a TLS client's
    // verified certificate (`CN=alice`). Empty when nothing was proved.
    virtual std::string peer_identity() const { return {}; }
    // How the connection is protected, for logs: `TLSv1.3, cipher TLS_AES_256_GCM_SHA384, alpn
    // none`. Empty for a transport that does not protect it.
    virtual std::string security_summary() const { return {}; }

    // Waits for at least one byte; returns how many were read.
    virtual asio::awaitable<std::size_t> read_some(std::span<char> buffer, std::error_code& error,
                                                   asio::cancellation_slot cancel) = 0;

    // Readiness, for sessions that share one read buffer and so must not hold it while they
    // wait: wait_readable() waits until read_available() has something (or an error) to
    // report, and read_available() returns what is there without waiting, would_block if
    // nothing is. Streams that hold bytes of their own (TLS keeps decrypted bytes the socket no
    // longer shows as readable) say so with has_buffered_input(): wait_readable() must then
    // complete at once, and read_available() must return those bytes first.
    virtual bool has_buffered_input() const { return false; }
    virtual asio::awaitable<void> wait_readable(std::error_code& error,
                                                asio::cancellation_slot cancel) = 0;
    virtual std::size_t read_available(std::span<char> buffer, std::error_code& error) = 0;

    // Waits until the connection fails (a reset, or both directions closed) without reading
    // from it: for a session that has stopped reading because the other end of its relay is
    // not keeping up (a program that does not read), and must still notice that its peer has
    // gone. Follows the awaiting coroutine's cancellation. The default never completes, for
    // transports that have no such signal.
    virtual asio::awaitable<void> wait_failed(std::error_code& error);

    // Writes every byte of `buffers` (which must outlive the write too), gathered into as few
    // system calls as the transport allows; returns how many were written.
    virtual asio::awaitable<std::size_t> write_all(std::span<const asio::const_buffer> buffers,
                                                   std::error_code& error) = 0;

    // Our half of the close: the peer reads end-of-stream once everything sent has arrived,
    // and we can go on reading what it still sends.
    virtual asio::awaitable<void> shutdown_send(std::error_code& error) = 0;
    // Closes both directions now; pending operations fail.
    virtual void close() = 0;
    virtual bool is_open() const = 0;
};

}  // namespace tcpkit
