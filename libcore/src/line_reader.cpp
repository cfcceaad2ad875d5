#include "tcpkit/line_reader.h"

namespace tcpkit {

std::optional<std::string> LineReader::take_unterminated() {
    if (pending_.empty() || discarding_) {
        pending_.clear();
        return std::nullopt;
    }
    std::string line = std::move(pending_);
    pending_.clear();
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return line;
}

}  // namespace tcpkit
