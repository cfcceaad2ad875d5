#include "tcpkit/chat/message_catalog.h"

#include <iterator>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

struct Entry {
    Message message;
    std::string_view english;
    std::string_view chinese;
};

// Multi-line texts use CRLF inside, as every line the server sends does.
constexpr Entry entries[] = {
    {Message::banner, "Welcome to tcpkit chat. Online: {}", "在线人数: {}"},
    {Message::motd, "Message of the day: {}", "今日公告: {}"},
    {Message::nickname_prompt, "Choose a nickname: ", "请输入昵称: "},
    {Message::nickname_taken, "The nickname {} is taken, please choose another",
     "{}该昵称被占用了,请更换"},
    {Message::nickname_empty, "A nickname needs at least one character", "昵称不能为空"},
    {Message::nickname_too_long, "A nickname has at most {} characters", "昵称最多 {} 个字符"},
    {Message::nickname_bad_character,
     "A nickname may only have letters, digits, '_', '-' and '.', not '{}'",
     "昵称只能包含字母、数字、'_'、'-' 和 '.'，不能包含 '{}'"},
    {Message::nickname_starts_with_mark, "A nickname may not start with the combining mark '{}'",
     "昵称不能以组合符号 '{}' 开头"},
    {Message::nickname_mixed_scripts,
     "A nickname may not mix {} and {} letters, please choose another",
     "昵称不能混用 {} 和 {} 文字,请更换"},
    {Message::nickname_lookalike,
     "The nickname {} looks like '{}', who is here, please choose another",
     "昵称 {} 与在线的 '{}' 太相像,请更换"},
    {Message::welcome, "Welcome, {}! Online: {}. Type /help for commands.",
     "欢迎{}加入! 在线: {}。输入 /help 查看命令。"},
    {Message::joined, "* {} joined", "欢迎{}加入"},
    {Message::joined_together, "* {} joined: {}", "欢迎 {} 人加入: {}"},
    {Message::said, "{}: {}", "{} 说：{}"},
    {Message::action, "* {} {}", "* {} {}"},
    {Message::left, "* {} left", "{}离开聊天室"},
    {Message::left_because, "* {} left ({})", "{}离开聊天室 ({})"},
    {Message::left_together, "* {} left: {}", "{} 人离开聊天室: {}"},
    {Message::renamed, "* {} is now known as {}", "* {} 改名为 {}"},
    {Message::you_are_now, "You are now known as {}", "你的昵称已改为 {}"},
    {Message::private_from, "[private] {}: {}", "[私聊] {} 说：{}"},
    {Message::private_to, "[private to {}] {}", "[私聊给 {}] {}"},
    {Message::no_such_person, "No one called {} is online", "{} 不在线"},
    {Message::who, "Online ({}): {}", "在线 ({}): {}"},
    {Message::help,
     "Commands:\r\n"
     "  /who              who is online\r\n"
     "  /nick NEW         change your nickname\r\n"
     "  /me ACTION        describe what you do: * you ACTION\r\n"
     "  /msg NAME TEXT    a private message, only NAME sees it\r\n"
     "  /quit [REASON]    leave\r\n"
     "  /help             this list\r\n"
     "Other lines go to everyone; start a line with // to send one that begins with /.",
     "命令:\r\n"
     "  /who              在线用户\r\n"
     "  /nick 新昵称      修改昵称\r\n"
     "  /me 动作          描述你的动作: * 你 动作\r\n"
     "  /msg 昵称 内容    私聊，只有对方能看到\r\n"
     "  /quit [原因]      离开聊天室\r\n"
     "  /help             显示本帮助\r\n"
     "其他内容会发给所有人；以 // 开头可发送以 / 开头的消息。"},
    {Message::unknown_command, "Unknown command {}. Type /help for commands.",
     "未知命令 {}。输入 /help 查看命令。"},
    {Message::usage_nick, "Usage: /nick NEW", "用法: /nick 新昵称"},
    {Message::usage_me, "Usage: /me ACTION", "用法: /me 动作"},
    {Message::usage_msg, "Usage: /msg NAME TEXT", "用法: /msg 昵称 内容"},
    {Message::already_named, "You are already called {}", "你的昵称已经是 {}"},
    {Message::line_too_long, "Your line was longer than {} bytes and was dropped",
     "消息超过 {} 字节，已丢弃"},
    {Message::slow_down, "You are sending too fast: lines are being dropped",
     "发送太快，消息已被丢弃"},
    {Message::disconnected_flooding, "Disconnected for flooding", "发送过多，连接已断开"},
    {Message::server_full, "Server full, please try again later", "服务器已满，请稍后再试"},
    {Message::nickname_timeout, "No nickname chosen within {}, goodbye", "{} 内未输入昵称，再见"},
    {Message::shutting_down, "* The server is shutting down", "* 服务器正在关闭"},
    {Message::history_header, "--- the last {} message(s) ---", "--- 最近 {} 条消息 ---"},
    {Message::history_line, "[history] {}", "[历史] {}"},
    {Message::history_footer, "--- end of history ---", "--- 历史结束 ---"},
    {Message::goodbye, "Bye!", "再见!"},
    {Message::reason_quit, "quit: {}", "退出: {}"},
    {Message::reason_connection_lost, "connection lost", "连接中断"},
    {Message::reason_idle, "idle", "长时间未活动"},
    {Message::reason_too_slow, "too slow", "接收太慢"},
    {Message::reason_flooding, "flooding", "发送过多"},
    {Message::reason_server_stopped, "their server stopped", "所在服务器已关闭"},
    {Message::room_split,
     "* The link to the other servers is down: you can reach only the {} people on this server",
     "* 与其他服务器的连接中断：只有本服务器上的 {} 人能看到你的消息"},
    {Message::room_whole, "* The link to the other servers is back: {} online",
     "* 与其他服务器的连接已恢复：在线 {} 人"},
    {Message::renamed_after_split,
     "* While the room was split, {} was taken on another server: you are now {}. Use /nick to "
     "choose another name",
     "* 聊天室分裂期间，{} 已被其他服务器上的人使用：你现在叫 {}。可用 /nick 更换昵称"},
};

// Entries are listed in the order of the enum, so a message is found by its value; and every
// message has its texts, so that a new one cannot be shown to anyone as an empty line.
constexpr bool one_entry_per_message_in_enum_order() {
    for (std::size_t i = 0; i < std::size(entries); ++i) {
        if (static_cast<std::size_t>(entries[i].message) != i) {
            return false;
        }
    }
    return true;
}
constexpr bool every_text_given() {
    for (const Entry& entry : entries) {
        if (entry.english.empty() || entry.chinese.empty()) {
            return false;
        }
    }
    return true;
}
static_assert(std::size(entries) == message_count,
              "the catalogue needs one entry for each enumerator of enum Message");
static_assert(one_entry_per_message_in_enum_order(),
              "keep the catalogue in the order of enum Message");
static_assert(every_text_given(), "every message needs its English and its Chinese text");

}  // namespace

Language parse_language(std::string_view text) {
    for (Language language : {Language::en, Language::zh}) {
        if (text == language_code(language)) {
            return language;
        }
    }
    throw UsageError(fmt::format("invalid language '{}': expected en or zh", text));
}

std::string_view language_code(Language language) {
    return language == Language::zh ? "zh" : "en";
}

std::string_view MessageCatalog::pattern(Message message) const {
    const Entry& entry = entries[static_cast<std::size_t>(message)];
    return language_ == Language::zh ? entry.chinese : entry.english;
}

}  // namespace tcpkit
