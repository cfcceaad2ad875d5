#include "tcpkit/codec/line_reader.h"

#include <utility>

namespace tcpkit {

std::optional<std::string> LineReader::take_unterminated() {
    bool was_discarding = std::exchange(discarding_, false);
    std::string line = std::exchange(pending_, std::string());
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    // The extra byte kept while waiting for a possible CR does not count as room for text.
    if (was_discarding || line.empty() || line.size() > max_line_bytes_) {
        return std::nullopt;
    }
    return line;
}

}  // namespace tcpkit
