// The hex dump of `connect --hex`: one stream per direction, offsets running across chunks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tcpkit {

class HexDumper {
  public:
    // `marker` starts every line: '>' for bytes sent, '<' for bytes received.
    explicit HexDumper(char marker) : marker_(marker) {}

    // Lines of 16 bytes: marker, offset, hex bytes, printable ASCII.
    std::string dump(std::string_view data);

    std::uint64_t offset() const { return offset_; }

  private:
    char marker_;
    std::uint64_t offset_ = 0;
};

}  // namespace tcpkit
