// What a terminal sends when keys are pressed, as characters for the line editor.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tcpkit {

// Bracketed paste (ESC [ ? 2004 h): the terminal sends a paste between these two markers.
inline constexpr std::string_view paste_start_marker = "\x1b[200~";
inline constexpr std::string_view paste_end_marker = "\x1b[201~";

// Decodes UTF-8 (an invalid byte becomes U+FFFD) and takes bracketed paste's markers out. What
// was pasted is text, never editing keys: each line end (CR, LF or CR LF) is Enter, so that
// every pasted line is sent; a tab stays a tab; every other control character is dropped.
class KeyboardDecoder {
  public:
    void add(std::string_view bytes);

    // The next character, or nullopt when no whole one is there yet: the bytes left may be the
    // start of a UTF-8 character or of a paste marker, whose rest is on its way.
    std::optional<char32_t> next();

    // Nothing more is coming for now: the bytes held back are taken as they are.
    void release_held() { release_held_ = true; }

    bool empty() const { return position_ >= bytes_.size(); }
    std::size_t pending_bytes() const { return bytes_.size() - position_; }
    bool in_paste() const { return in_paste_; }

  private:
    std::optional<char32_t> decode_character();

    std::string bytes_;
    std::size_t position_ = 0;
    bool in_paste_ = false;
    bool release_held_ = false;
    bool after_pasted_carriage_return_ = false;
};

}  // namespace tcpkit
