#include "input_area.h"

#include <cwchar>

#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

std::size_t columns_of(char32_t character) {
    if (character == '\t') {
        return 0;  // handled by the caller: it depends on the column
    }
    int width = ::wcwidth(static_cast<wchar_t>(character));
    return width < 0 ? 2 : static_cast<std::size_t>(width);
}

}  // namespace

std::size_t rows_above_cursor(std::string_view before_cursor, std::size_t columns) {
    if (columns == 0) {
        return 0;
    }
    std::size_t row = 0;
    std::size_t column = 0;
    std::size_t position = 0;
    while (position < before_cursor.size()) {
        char32_t character = next_code_point(before_cursor, position);
        std::size_t width = character == '\t' ? 8 - column % 8 : columns_of(character);
        if (column + width > columns) {
            ++row;
            column = 0;
            if (character == '\t') {
                width = 8;
            }
        }
        column += width;
        if (column >= columns) {
            ++row;
            column = 0;
        }
    }
    return row;
}

}  // namespace tcpkit
