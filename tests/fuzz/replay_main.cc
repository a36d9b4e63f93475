// The replay driver linked into each fuzz target when it is not built for libFuzzer (LAKE_FUZZ
// off): runs every file named on the command line, or found in a directory named there, through
// LLVMFuzzerTestOneInput once, so that the corpora and the inputs that once crashed a target run
// as ordinary tests under any compiler. A missing directory counts as empty.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy of exactly the input's size, so that reading past its end is caught by ASan when the
  // build has it, as in libFuzzer.
  std::vector<uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(arg, error)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (!entry.is_regular_file()) continue;
        RunFile(entry.path());
        ++files;
      }
    } else if (std::filesystem::is_regular_file(arg, error)) {
      RunFile(arg);
      ++files;
    }
  }
  std::printf("replayed %zu inputs\n", files);
  return 0;
}
