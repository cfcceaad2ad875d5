// End-to-end: the nickname rules of the real `tcpkit chat-server`: one name in any case or
// form, in Latin, Cyrillic, Greek, Armenian and CJK; look-alikes and mixed scripts refused, with
// the reason, at the first name as at /nick.
#include <string>
#include <vector>

#include "catch.h"
#include "chat_client.h"
#include "chat_server.h"
#include "line_client.h"
#include "process.h"

using namespace tcpkit::test;

namespace {

// Cyrillic letters that look like Latin ones.
#define CYRILLIC_A "\xD0\xB0"
#define CYRILLIC_ER "\xD1\x80"
#define CYRILLIC_IE "\xD0\xB5"

// Sends `name` at the prompt and returns the answer; the client is at the prompt again after.
std::string refused(LineClient& client, const std::string& name) {
    client.send_line(name);
    std::string answer = client.line();
    client.until(prompt);
    return answer;
}

// The next line that is not a join or leave announcement.
std::string next_not_presence(LineClient& client) {
    for (;;) {
        std::string line = client.line();
        if (line.rfind("* ", 0) != 0) {
            return line;
        }
    }
}

}  // namespace

TEST_CASE("chat-server: a name is one name in any case, width or composition", "[chat-server]") {
    ChatServer server;
    LineClient alice(server.port);
    join(alice, "Alice");
    LineClient hanna(server.port);
    join(hanna, "Ґанна");
    LineClient other(server.port);
    other.until(prompt);
    CHECK(refused(other, "ＡＬＩＣＥ") ==
          "The nickname ＡＬＩＣＥ is taken, please choose another");
    CHECK(refused(other, "ґАННА") == "The nickname ґАННА is taken, please choose another");
    other.send_line("Zo\xC3\xAB");  // composed ë
    CHECK(other.line().rfind("Welcome, Zoë!", 0) == 0);
    LineClient late(server.port);
    late.until(prompt);
    CHECK(refused(late, "ZOE\xCC\x88") ==  // E and a combining diaeresis
          "The nickname ZOE\xCC\x88 is taken, please choose another");
    alice.send_line("/msg ґанна привіт");
    CHECK(next_not_presence(alice) == "[private to Ґанна] привіт");
    CHECK(next_not_presence(hanna) == "[private] Alice: привіт");
}

TEST_CASE("chat-server: a name that looks like someone's is refused, saying whose",
          "[chat-server]") {
    ChatServer server;
    LineClient ape(server.port);
    join(ape, "ape");
    LineClient ian(server.port);
    join(ian, "Ian");
    LineClient mary(server.port);
    join(mary, "mary");
    LineClient other(server.port);
    other.until(prompt);
    // All Cyrillic: one script, but the same look as "ape".
    CHECK(refused(other, CYRILLIC_A CYRILLIC_ER CYRILLIC_IE) ==
          "The nickname " CYRILLIC_A CYRILLIC_ER CYRILLIC_IE
          " looks like 'ape', who is here, please choose another");
    CHECK(refused(other, "lan") ==
          "The nickname lan looks like 'Ian', who is here, please "
          "choose another");
    CHECK(refused(other, "rnary") ==
          "The nickname rnary looks like 'mary', who is here, please "
          "choose another");
    other.send_line("bob");
    CHECK(other.line() == "Welcome, bob! Online: ape, bob, Ian, mary. Type /help for commands.");
    SECTION("/nick has the same rules") {
        other.send_line("/nick " CYRILLIC_A CYRILLIC_ER CYRILLIC_IE);
        CHECK(other.line() == "The nickname " CYRILLIC_A CYRILLIC_ER CYRILLIC_IE
                              " looks like 'ape', who is here, please choose another");
        other.send_line("/nick " CYRILLIC_A "lice");
        CHECK(other.line() ==
              "A nickname may not mix Cyrillic and Latin letters, please choose another");
        other.send_line("/nick BOB");  // their own name, in another case: theirs
        CHECK(other.line() == "You are now known as BOB");
    }
    SECTION("a look-alike name is free again once its holder has gone") {
        ape.send_line("/quit");
        CHECK(next_not_presence(ape) == "Bye!");
        LineClient later(server.port);
        later.until(prompt);
        later.send_line(CYRILLIC_A CYRILLIC_ER CYRILLIC_IE);
        CHECK(later.line().rfind("Welcome, " CYRILLIC_A CYRILLIC_ER CYRILLIC_IE "!", 0) == 0);
    }
}

TEST_CASE("chat-server: names of one script, or Latin with CJK, are welcome, others refused",
          "[chat-server]") {
    ChatServer server;
    LineClient first(server.port);
    join(first, "Ελένη");
    LineClient other(server.port);
    other.until(prompt);
    CHECK(refused(other, "ΕΛΈΝΗ") == "The nickname ΕΛΈΝΗ is taken, please choose another");
    CHECK(refused(other, "Ελένηx") ==
          "A nickname may not mix Greek and Latin letters, please choose another");
    CHECK(refused(other, "ab।") ==
          "A nickname may only have letters, digits, '_', '-' and '.', not '।'");
    CHECK(refused(other,
                  "\xCC\x81"
                  "abc") == "A nickname may not start with the combining mark '\xCC\x81'");
    other.send_line("tanaka東京さくら");
    CHECK(other.line() ==
          "Welcome, tanaka東京さくら! Online: tanaka東京さくら, Ελένη. Type /help for commands.");
    LineClient korean(server.port);
    join(korean, "김민준");
    LineClient armenian(server.port);
    join(armenian, "Արամ");
    LineClient again(server.port);
    again.until(prompt);
    CHECK(refused(again, "ԱՐԱՄ") == "The nickname ԱՐԱՄ is taken, please choose another");
}

TEST_CASE("chat-server --lang zh: a look-alike is refused in Chinese", "[chat-server]") {
    ChatServer server({"--lang", "zh"});
    LineClient ape(server.port);
    join(ape, "ape", "请输入昵称: ");
    LineClient other(server.port);
    other.until("请输入昵称: ");
    other.send_line(CYRILLIC_A CYRILLIC_ER CYRILLIC_IE);
    CHECK(other.line() == "昵称 " CYRILLIC_A CYRILLIC_ER CYRILLIC_IE
                          " 与在线的 'ape' 太相像,请更换");
}
