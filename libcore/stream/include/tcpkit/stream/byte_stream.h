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

// What a read or write did: `bytes` moved, then `error` if it stopped early (asio::error::eof
// when the peer has finished sending).
struct IoResult {
    std::error_code error;
    std::size_t bytes = 0;
};

// Connected, ordered, reliable and half-closable, like a TCP connection. Used from one thread
// (its executor's); at most one read and one write in flight at a time, as with a socket.
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

    // Waits for at least one byte.
    virtual asio::awaitable<IoResult> read_some(std::span<char> buffer,
                                                asio::cancellation_slot cancel = {}) = 0;

    // Readiness, for sessions that share one read buffer and so must not hold it while they
    // wait: wait_readable() waits until read_available() has something (or an error) to
    // report, and read_available() returns what is there without waiting, would_block if
    // nothing is. Streams that hold bytes of their own (TLS keeps decrypted bytes the socket no
    // longer shows as readable) say so with has_buffered_input(): wait_readable() must then
    // complete at once, and read_available() must return those bytes first.
    virtual bool has_buffered_input() const { return false; }
    virtual asio::awaitable<std::error_code> wait_readable(asio::cancellation_slot cancel = {}) = 0;
    virtual IoResult read_available(std::span<char> buffer) = 0;

    // Writes every byte of `buffers`, gathered into as few system calls as the transport allows.
    virtual asio::awaitable<IoResult> write_all(std::span<const asio::const_buffer> buffers) = 0;
    // One buffer. A coroutine, so that `buffer` lives in its frame until the write is done.
    asio::awaitable<IoResult> write_all(asio::const_buffer buffer) {
        co_return co_await write_all(std::span<const asio::const_buffer>(&buffer, 1));
    }

    // Our half of the close: the peer reads end-of-stream once everything sent has arrived,
    // and we can go on reading what it still sends.
    virtual asio::awaitable<std::error_code> shutdown_send() = 0;
    // Closes both directions now; pending operations fail.
    virtual void close() = 0;
    virtual bool is_open() const = 0;
};

}  // namespace tcpkit
