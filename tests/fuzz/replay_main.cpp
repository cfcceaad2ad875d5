// The main of a fuzz target in a build without libFuzzer (GCC, `make test`, the Windows cross
// build): feeds every file of the corpus directories (or the files) it is given to
// LLVMFuzzerTestOneInput, once each, in name order so that a failure is reproducible. A broken
// invariant aborts, naming the file first. No corpus file at all is a failure too: a target
// whose corpus went missing would otherwise pass without testing anything.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "fuzz_support.h"

namespace {

std::vector<std::filesystem::path> inputs_in(const std::filesystem::path& argument) {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    if (std::filesystem::is_directory(argument, error)) {
        for (const auto& entry : std::filesystem::directory_iterator(argument)) {
            if (entry.is_regular_file()) {
                files.push_back(entry.path());
            }
        }
        std::sort(files.begin(), files.end());
    } else {
        files.push_back(argument);
    }
    return files;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t replayed = 0;
    for (int i = 1; i < argc; ++i) {
        for (const auto& path : inputs_in(argv[i])) {
            std::ifstream file(path, std::ios::binary);
            if (!file) {
                std::fprintf(stderr, "cannot read %s\n", path.string().c_str());
                return 1;
            }
            std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                                    std::istreambuf_iterator<char>());
            // Named before it runs: an abort leaves this as the last line.
            std::fprintf(stderr, "%s (%zu bytes)\n", path.string().c_str(), bytes.size());
            std::fflush(stderr);
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                   bytes.size());
            ++replayed;
        }
    }
    if (replayed == 0) {
        std::fprintf(stderr, "usage: %s CORPUS_DIRECTORY_OR_FILE...: no input found\n", argv[0]);
        return 1;
    }
    std::printf("%zu inputs replayed\n", replayed);
    return 0;
}
