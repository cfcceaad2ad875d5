// Where the input line is on the screen, as libedit lays it out, so that line mode can erase it
// (however many rows it wraps over) before printing a peer's line in its place.
#pragma once

#include <cstddef>
#include <string_view>

namespace tcpkit {

// How many rows above the cursor the input line begins, for a terminal `columns` wide, when
// `before_cursor` is the prompt and the typed text up to the cursor (valid UTF-8). Follows
// libedit's layout (refresh.c): each character takes wcwidth() columns (a control character 2,
// as ^X), a wide character that does not fit is moved to the next row, a tab goes to the next
// multiple of 8, and a full row puts the cursor at the start of the next one.
std::size_t rows_above_cursor(std::string_view before_cursor, std::size_t columns);

}  // namespace tcpkit
