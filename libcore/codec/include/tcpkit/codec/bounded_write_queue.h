// A per-connection output queue bounded in bytes. Messages are shared, immutable buffers:
// a broadcast is formatted once and the same bytes sit in every receiver's queue.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

namespace tcpkit {

using SharedBytes = std::shared_ptr<const std::string>;

inline SharedBytes make_shared_bytes(std::string bytes) {
    return std::make_shared<const std::string>(std::move(bytes));
}

class BoundedWriteQueue {
  public:
    explicit BoundedWriteQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    // Queues `message` unless that would take the queue past its limit; a refused message is
    // not queued at all (never half a line), and the caller decides what to do with the peer.
    [[nodiscard]] bool push(SharedBytes message);

    // Calls `visit(std::string_view)` for up to `max_messages` messages from the front, so one
    // write system call can carry several of them.
    template <typename Visit>
    std::size_t visit_front(std::size_t max_messages, Visit&& visit) const {
        std::size_t count = 0;
        for (auto it = messages_.begin(); it != messages_.end() && count < max_messages;
             ++it, ++count) {
            visit(std::string_view(**it));
        }
        return count;
    }

    // Drops the first `count` messages once they have been written.
    void pop_front(std::size_t count);

    void clear();
    bool empty() const { return messages_.empty(); }
    std::size_t size() const { return messages_.size(); }
    std::size_t bytes() const { return bytes_; }
    std::size_t max_bytes() const { return max_bytes_; }

  private:
    std::deque<SharedBytes> messages_;
    std::size_t bytes_ = 0;
    std::size_t max_bytes_;
};

}  // namespace tcpkit
