// `connect --crlf`: sends each line end as CRLF, for servers that insist on it.
#pragma once

#include <string>
#include <string_view>

namespace tcpkit {

class CrlfTranslator {
  public:
    // Appends `in` to `out` with every LF not already preceded by CR turned into CRLF.
    // Remembers the last byte, so a CRLF split across two chunks is not doubled.
    void translate(std::string_view in, std::string& out);

  private:
    bool last_was_cr_ = false;
};

}  // namespace tcpkit
