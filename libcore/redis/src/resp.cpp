#include "tcpkit/redis/resp.h"

#include <hiredis/hiredis.h>

#include <stdexcept>
#include <vector>

namespace tcpkit {
namespace {

RedisReply to_reply(const redisReply& reply) {
    RedisReply result;
    switch (reply.type) {
        case REDIS_REPLY_STATUS:
            result.type = RedisReply::Type::status;
            break;
        case REDIS_REPLY_ERROR:
            result.type = RedisReply::Type::error;
            break;
        case REDIS_REPLY_INTEGER:
            result.type = RedisReply::Type::integer;
            result.integer = reply.integer;
            return result;
        case REDIS_REPLY_NIL:
            return result;
        case REDIS_REPLY_ARRAY:
            result.type = RedisReply::Type::array;
            result.elements.reserve(reply.elements);
            for (std::size_t i = 0; i < reply.elements; ++i) {
                result.elements.push_back(to_reply(*reply.element[i]));
            }
            return result;
        default:  // strings, and hiredis 1.x's RESP3 types, which carry their text in str
            result.type = RedisReply::Type::string;
            break;
    }
    if (reply.str != nullptr) {
        result.text.assign(reply.str, reply.len);
    }
    return result;
}

}  // namespace

const RedisReply& RedisReply::operator[](std::size_t index) const {
    static const RedisReply nil;
    return index < elements.size() ? elements[index] : nil;
}

std::string hiredis_version() {
    return "hiredis " + std::to_string(HIREDIS_MAJOR) + "." + std::to_string(HIREDIS_MINOR) + "." +
           std::to_string(HIREDIS_PATCH);
}

std::string format_resp_array(std::span<const std::string> arguments) {
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
    pointers.reserve(arguments.size());
    lengths.reserve(arguments.size());
    for (const std::string& argument : arguments) {
        pointers.push_back(argument.data());
        lengths.push_back(argument.size());
    }
    char* formatted = nullptr;
    int length = redisFormatCommandArgv(&formatted, static_cast<int>(arguments.size()),
                                        pointers.data(), lengths.data());
    if (length < 0 || formatted == nullptr) {
        throw std::bad_alloc();
    }
    std::string result(formatted, static_cast<std::size_t>(length));
    redisFreeCommand(formatted);
    return result;
}

struct RespReader::Impl {
    redisReader* reader = redisReaderCreate();
    // hiredis's functions that build its reply objects, and the same with array creation
    // bounded (max_resp_elements), which the reader uses.
    redisReplyObjectFunctions hiredis_functions{};
    redisReplyObjectFunctions bounded_functions{};
    std::size_t elements_declared = 0;  // by the arrays of the reply being read
    bool too_many_elements = false;

    ~Impl() { redisReaderFree(reader); }

    // The element count is an int in hiredis 0.14 and a size_t in 1.x.
    template <typename Count>
    static void* create_array(const redisReadTask* task, Count elements) {
        auto* impl = static_cast<Impl*>(task->privdata);
        if (elements > 0) {
            impl->elements_declared += static_cast<std::size_t>(elements);
        }
        if (impl->elements_declared > max_resp_elements) {
            impl->too_many_elements = true;
            return nullptr;  // hiredis fails the read, as if out of memory
        }
        return impl->hiredis_functions.createArray(task, elements);
    }
    template <typename Count>
    static void bound(void* (*&create)(const redisReadTask*, Count)) {
        create = &create_array<Count>;
    }
};

RespReader::RespReader() : impl_(std::make_unique<Impl>()) {
    if (impl_->reader == nullptr) {
        throw std::bad_alloc();
    }
    impl_->hiredis_functions = *impl_->reader->fn;
    impl_->bounded_functions = impl_->hiredis_functions;
    Impl::bound(impl_->bounded_functions.createArray);
    impl_->reader->fn = &impl_->bounded_functions;
    impl_->reader->privdata = impl_.get();
}

RespReader::~RespReader() = default;

void RespReader::feed(std::string_view bytes) {
    if (redisReaderFeed(impl_->reader, bytes.data(), bytes.size()) != REDIS_OK) {
        throw std::runtime_error(std::string("not the Redis protocol: ") + impl_->reader->errstr);
    }
}

std::optional<RedisReply> RespReader::next() {
    void* raw = nullptr;
    if (redisReaderGetReply(impl_->reader, &raw) != REDIS_OK) {
        if (impl_->too_many_elements) {
            throw std::runtime_error("a Redis reply of more than " +
                                     std::to_string(max_resp_elements) + " elements");
        }
        throw std::runtime_error(std::string("not the Redis protocol: ") + impl_->reader->errstr);
    }
    if (raw == nullptr) {
        return std::nullopt;
    }
    impl_->elements_declared = 0;  // the next reply has the whole allowance
    auto* reply = static_cast<redisReply*>(raw);
    RedisReply result = to_reply(*reply);
    freeReplyObject(reply);
    return result;
}

std::size_t RespReader::buffered_bytes() const {
    return impl_->reader->len - impl_->reader->pos;
}

std::optional<RedisReply> parse_resp_value(std::string_view bytes) {
    try {
        RespReader reader;
        reader.feed(bytes);
        auto value = reader.next();
        if (!value || reader.buffered_bytes() != 0) {
            return std::nullopt;
        }
        return value;
    } catch (const std::runtime_error&) {
        return std::nullopt;
    }
}

}  // namespace tcpkit
