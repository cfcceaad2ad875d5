#include "tcpkit/chat/message_catalog.h"

#include <cstddef>
#include <string>

#include "catch.h"
#include "tcpkit/base/errors.h"

using namespace tcpkit;

TEST_CASE("MessageCatalog formats every message in both languages", "[message_catalog]") {
    for (Language language : {Language::en, Language::zh}) {
        MessageCatalog catalog(language);
        for (std::size_t i = 0; i < message_count; ++i) {
            INFO("message " << i);
            // Two arguments are enough for every message; extra ones are ignored by fmt.
            CHECK_NOTHROW(catalog.text(static_cast<Message>(i), "A", "B"));
        }
    }
}

TEST_CASE("MessageCatalog zh uses the tutorial's wording", "[message_catalog]") {
    MessageCatalog zh(Language::zh);
    CHECK(zh.line(Message::banner, 3) == "在线人数: 3\r\n");
    CHECK(zh.text(Message::nickname_prompt) == "请输入昵称: ");
    CHECK(zh.text(Message::nickname_taken, "小明") == "小明该昵称被占用了,请更换");
    CHECK(zh.text(Message::joined, "小明") == "欢迎小明加入");
    CHECK(zh.text(Message::said, "小明", "你好") == "小明 说：你好");
    CHECK(zh.text(Message::left, "小明") == "小明离开聊天室");
}

TEST_CASE("MessageCatalog en lines end with CRLF, prompts with none", "[message_catalog]") {
    MessageCatalog en(Language::en);
    CHECK(en.line(Message::said, "bob", "hi") == "bob: hi\r\n");
    CHECK(en.text(Message::nickname_prompt) == "Choose a nickname: ");
}

TEST_CASE("parse_language takes en and zh only", "[message_catalog]") {
    CHECK(parse_language("en") == Language::en);
    CHECK(parse_language("zh") == Language::zh);
    CHECK_THROWS_AS(parse_language("fr"), UsageError);
}
