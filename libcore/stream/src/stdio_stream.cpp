// The platform-independent part of the stdio streams; stdio_stream_posix.cpp and
// stdio_stream_windows.cpp hold each platform's standard input and output.
#include "tcpkit/stream/stdio_stream.h"

#include <algorithm>
#include <cstring>

namespace tcpkit {
namespace {

class StringInput final : public InputStream {
  public:
    explicit StringInput(std::string bytes) : bytes_(std::move(bytes)) {}

    asio::awaitable<std::size_t> read_some(std::span<char> buffer) override {
        std::size_t count = std::min(buffer.size(), bytes_.size() - position_);
        std::memcpy(buffer.data(), bytes_.data() + position_, count);
        position_ += count;
        co_return count;
    }

    std::optional<std::uint64_t> known_size() const override { return bytes_.size() - position_; }

  private:
    std::string bytes_;
    std::size_t position_ = 0;
};

}  // namespace

std::unique_ptr<InputStream> InputStream::from_string(std::string bytes) {
    return std::make_unique<StringInput>(std::move(bytes));
}

}  // namespace tcpkit
