// BoundedWriteQueue: a per-connection output queue bounded in bytes, of shared immutable buffers.
#include "tcpkit/codec/bounded_write_queue.h"

#include <string>
#include <vector>

#include "catch.h"

using tcpkit::BoundedWriteQueue;
using tcpkit::make_shared_bytes;
using tcpkit::SharedBytes;

namespace {

std::vector<std::string> front(const BoundedWriteQueue& queue, std::size_t max_messages) {
    std::vector<std::string> seen;
    queue.visit_front(max_messages, [&](std::string_view bytes) { seen.emplace_back(bytes); });
    return seen;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("BoundedWriteQueue starts empty", "[write_queue]") {
    BoundedWriteQueue queue(10);
    CHECK(queue.empty());
    CHECK(queue.size() == 0);
    CHECK(queue.bytes() == 0);
    CHECK(queue.max_bytes() == 10);
    CHECK(front(queue, 5).empty());
}

TEST_CASE("BoundedWriteQueue accepts messages up to exactly its limit", "[write_queue]") {
    BoundedWriteQueue queue(10);
    REQUIRE(queue.push(make_shared_bytes("hello")));
    CHECK(queue.bytes() == 5);
    CHECK(queue.size() == 1);
    REQUIRE(queue.push(make_shared_bytes("world")));
    CHECK(queue.bytes() == 10);
    CHECK(queue.size() == 2);
    CHECK_FALSE(queue.empty());
    CHECK(front(queue, 10) == Strings{"hello", "world"});
}

TEST_CASE("BoundedWriteQueue accepts one message as large as its limit", "[write_queue]") {
    BoundedWriteQueue queue(10);
    REQUIRE(queue.push(make_shared_bytes(std::string(10, 'x'))));
    CHECK(queue.bytes() == 10);
    CHECK(queue.size() == 1);
}

TEST_CASE("BoundedWriteQueue refuses a message that would pass its limit, queuing none of it",
          "[write_queue]") {
    BoundedWriteQueue queue(10);
    REQUIRE(queue.push(make_shared_bytes("12345678")));

    SECTION("one byte too many") {
        CHECK_FALSE(queue.push(make_shared_bytes("abc")));
        CHECK(queue.bytes() == 8);
        CHECK(queue.size() == 1);
        CHECK(front(queue, 10) == Strings{"12345678"});
        // What still fits is accepted after a refusal.
        CHECK(queue.push(make_shared_bytes("ab")));
        CHECK(queue.bytes() == 10);
        CHECK(front(queue, 10) == Strings{"12345678", "ab"});
    }
    SECTION("when full, even one byte is refused") {
        REQUIRE(queue.push(make_shared_bytes("90")));
        CHECK_FALSE(queue.push(make_shared_bytes("x")));
        CHECK(queue.bytes() == 10);
        CHECK(queue.size() == 2);
        CHECK(front(queue, 10) == Strings{"12345678", "90"});
    }
    SECTION("a message larger than the whole limit") {
        BoundedWriteQueue empty_queue(10);
        CHECK_FALSE(empty_queue.push(make_shared_bytes(std::string(11, 'x'))));
        CHECK(empty_queue.empty());
        CHECK(empty_queue.bytes() == 0);
        CHECK_FALSE(empty_queue.push(make_shared_bytes(std::string(1 << 20, 'x'))));
        CHECK(empty_queue.empty());
    }
}

TEST_CASE("BoundedWriteQueue with a limit of zero refuses every non-empty message",
          "[write_queue]") {
    BoundedWriteQueue queue(0);
    CHECK_FALSE(queue.push(make_shared_bytes("x")));
    CHECK(queue.empty());
    CHECK(queue.bytes() == 0);
}

TEST_CASE("BoundedWriteQueue takes empty and null messages as sent, queuing nothing",
          "[write_queue]") {
    BoundedWriteQueue queue(4);
    REQUIRE(queue.push(make_shared_bytes("full")));
    // Nothing to write costs nothing, so it is never refused, even by a full queue.
    CHECK(queue.push(make_shared_bytes("")));
    CHECK(queue.push(SharedBytes{}));
    CHECK(queue.size() == 1);
    CHECK(queue.bytes() == 4);
    CHECK(front(queue, 10) == Strings{"full"});
}

TEST_CASE("BoundedWriteQueue visits and pops messages in the order they were pushed",
          "[write_queue]") {
    BoundedWriteQueue queue(100);
    for (const char* text : {"a", "bb", "ccc", "dddd"}) {
        REQUIRE(queue.push(make_shared_bytes(text)));
    }
    CHECK(queue.bytes() == 10);

    SECTION("visit_front sees at most max_messages from the front and changes nothing") {
        std::size_t visited = queue.visit_front(2, [](std::string_view) {});
        CHECK(visited == 2);
        CHECK(front(queue, 2) == Strings{"a", "bb"});
        CHECK(front(queue, 0).empty());
        CHECK(queue.visit_front(0, [](std::string_view) {}) == 0);
        CHECK(queue.visit_front(99, [](std::string_view) {}) == 4);
        CHECK(front(queue, 99) == Strings{"a", "bb", "ccc", "dddd"});
        CHECK(queue.size() == 4);
        CHECK(queue.bytes() == 10);
    }
    SECTION("pop_front drops written messages from the front and their bytes") {
        queue.pop_front(1);
        CHECK(queue.size() == 3);
        CHECK(queue.bytes() == 9);
        CHECK(front(queue, 99) == Strings{"bb", "ccc", "dddd"});
        queue.pop_front(2);
        CHECK(queue.size() == 1);
        CHECK(queue.bytes() == 4);
        CHECK(front(queue, 99) == Strings{"dddd"});
        queue.pop_front(0);
        CHECK(queue.size() == 1);
        CHECK(queue.bytes() == 4);
        queue.pop_front(1);
        CHECK(queue.empty());
        CHECK(queue.bytes() == 0);
    }
    SECTION("pop_front of more than is queued just empties the queue") {
        queue.pop_front(10);
        CHECK(queue.empty());
        CHECK(queue.size() == 0);
        CHECK(queue.bytes() == 0);
        queue.pop_front(1);
        CHECK(queue.empty());
        CHECK(queue.bytes() == 0);
    }
    SECTION("room freed by pop_front can be used again") {
        BoundedWriteQueue small(5);
        REQUIRE(small.push(make_shared_bytes("abc")));
        REQUIRE(small.push(make_shared_bytes("de")));
        CHECK_FALSE(small.push(make_shared_bytes("f")));
        small.pop_front(1);
        CHECK(small.bytes() == 2);
        CHECK(small.push(make_shared_bytes("fgh")));
        CHECK_FALSE(small.push(make_shared_bytes("i")));
        CHECK(front(small, 9) == Strings{"de", "fgh"});
        CHECK(small.bytes() == 5);
    }
    SECTION("clear drops everything and frees all the room") {
        queue.clear();
        CHECK(queue.empty());
        CHECK(queue.bytes() == 0);
        CHECK(front(queue, 9).empty());
        CHECK(queue.push(make_shared_bytes(std::string(100, 'z'))));
        CHECK(queue.bytes() == 100);
    }
}

TEST_CASE("BoundedWriteQueue byte count stays exact over many pushes and pops", "[write_queue]") {
    BoundedWriteQueue queue(1000);
    std::size_t expected_bytes = 0;
    std::vector<std::size_t> sizes;
    for (std::size_t round = 0; round < 200; ++round) {
        const std::size_t size = 1 + (round * 37) % 91;
        const bool fits = expected_bytes + size <= 1000;
        REQUIRE(queue.push(make_shared_bytes(std::string(size, 'q'))) == fits);
        if (fits) {
            expected_bytes += size;
            sizes.push_back(size);
        }
        if (round % 3 == 2 && !sizes.empty()) {
            queue.pop_front(1);
            expected_bytes -= sizes.front();
            sizes.erase(sizes.begin());
        }
        REQUIRE(queue.bytes() == expected_bytes);
        REQUIRE(queue.size() == sizes.size());
        REQUIRE(queue.bytes() <= queue.max_bytes());
    }
}

TEST_CASE("A message pushed to two queues is one shared buffer, not a copy", "[write_queue]") {
    BoundedWriteQueue first(100);
    BoundedWriteQueue second(100);
    SharedBytes message = make_shared_bytes("broadcast\n");
    const char* const buffer = message->data();
    CHECK(message.use_count() == 1);

    REQUIRE(first.push(message));
    REQUIRE(second.push(message));
    CHECK(message.use_count() == 3);
    CHECK(first.bytes() == 10);
    CHECK(second.bytes() == 10);

    // Both queues hand out views of the very same bytes.
    const char* seen_first = nullptr;
    const char* seen_second = nullptr;
    first.visit_front(1, [&](std::string_view bytes) { seen_first = bytes.data(); });
    second.visit_front(1, [&](std::string_view bytes) { seen_second = bytes.data(); });
    CHECK(seen_first == buffer);
    CHECK(seen_second == buffer);

    // Visiting shares, it does not take a reference.
    CHECK(message.use_count() == 3);

    first.pop_front(1);
    CHECK(message.use_count() == 2);
    CHECK(front(second, 1) == Strings{"broadcast\n"});
    second.clear();
    CHECK(message.use_count() == 1);
    CHECK(*message == "broadcast\n");
}

TEST_CASE("A refused message is not kept by the queue", "[write_queue]") {
    BoundedWriteQueue queue(3);
    SharedBytes message = make_shared_bytes("too long");
    CHECK_FALSE(queue.push(message));
    CHECK(message.use_count() == 1);
}

TEST_CASE("make_shared_bytes holds the bytes it was given, NUL bytes included", "[write_queue]") {
    const std::string bytes("a\0b", 3);
    SharedBytes shared = make_shared_bytes(bytes);
    REQUIRE(shared);
    CHECK(*shared == bytes);
    CHECK(shared->size() == 3);
}
