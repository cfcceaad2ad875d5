// Where the input line is on the screen, as libedit lays it out, so that line mode can erase it
// (however many rows it wraps over) before printing a peer's line in its place. In builds with
// line editing only (TCPKIT_LINE_EDITING).
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

// The same after the window was resized from `old_columns` to `new_columns`, when nobody can
// know where the input line begins: a terminal that reflows its lines (tmux, VTE) has moved it,
// one that does not (xterm) has not, and both leave a cursor that ends a full row on that row.
// The smaller guess, so that a resize never erases a peer's line; at worst a piece of the old
// input line stays above the new one.
std::size_t rows_above_cursor_after_resize(std::string_view before_cursor, std::size_t old_columns,
                                           std::size_t new_columns);

}  // namespace tcpkit
