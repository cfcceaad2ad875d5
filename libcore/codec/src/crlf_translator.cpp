#include "tcpkit/codec/crlf_translator.h"

namespace tcpkit {

void CrlfTranslator::translate(std::string_view in, std::string& out) {
    out.reserve(out.size() + in.size() + in.size() / 16);
    for (char c : in) {
        if (c == '\n' && !last_was_cr_) {
            out += '\r';
        }
        out += c;
        last_was_cr_ = c == '\r';
    }
}

}  // namespace tcpkit
