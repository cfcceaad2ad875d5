#include "tcpkit/terminal/input_area.h"

#include <algorithm>
#include <cwchar>

#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

// libedit pads a tab with spaces to the next multiple of 8, or to the end of the row.
std::size_t columns_of(char32_t character, std::size_t column, std::size_t columns) {
    if (character == '\t') {
        return std::min(8 - column % 8, columns - column);
    }
    int width = ::wcwidth(static_cast<wchar_t>(character));
    return width < 0 ? 2 : static_cast<std::size_t>(width);
}

struct CursorPlace {
    std::size_t row = 0;
    std::size_t column = 0;
};

CursorPlace place_cursor(std::string_view before_cursor, std::size_t columns) {
    std::size_t row = 0;
    std::size_t column = 0;
    std::size_t position = 0;
    while (position < before_cursor.size()) {
        char32_t character = next_code_point(before_cursor, position);
        std::size_t width = columns_of(character, column, columns);
        if (column + width > columns) {  // a wide character that does not fit
            ++row;
            column = 0;
        }
        column += width;
        if (column >= columns) {
            ++row;
            column = 0;
        }
    }
    return {row, column};
}

}  // namespace

std::size_t rows_above_cursor(std::string_view before_cursor, std::size_t columns) {
    return columns == 0 ? 0 : place_cursor(before_cursor, columns).row;
}

std::size_t rows_above_cursor_after_resize(std::string_view before_cursor, std::size_t old_columns,
                                           std::size_t new_columns) {
    std::size_t unmoved = rows_above_cursor(before_cursor, old_columns);
    if (new_columns == 0) {
        return unmoved;
    }
    CursorPlace reflowed = place_cursor(before_cursor, new_columns);
    std::size_t reflowed_row =
        reflowed.column == 0 && reflowed.row > 0 ? reflowed.row - 1 : reflowed.row;
    return std::min(unmoved, reflowed_row);
}

}  // namespace tcpkit
