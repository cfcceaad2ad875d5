#include "tcpkit/codec/bounded_write_queue.h"

namespace tcpkit {

bool BoundedWriteQueue::push(SharedBytes message) {
    if (!message || message->empty()) {
        return true;
    }
    if (message->size() > max_bytes_ - bytes_) {
        return false;
    }
    bytes_ += message->size();
    messages_.push_back(std::move(message));
    return true;
}

void BoundedWriteQueue::pop_front(std::size_t count) {
    while (count-- > 0 && !messages_.empty()) {
        bytes_ -= messages_.front()->size();
        messages_.pop_front();
    }
}

void BoundedWriteQueue::clear() {
    messages_.clear();
    bytes_ = 0;
}

}  // namespace tcpkit
