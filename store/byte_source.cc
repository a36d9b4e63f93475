#include "store/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace lake::store {
namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    while (true) {
      const ssize_t got = ::pread(fd_, buf, n, static_cast<off_t>(offset));
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return Status::IOError(std::string("read: ") + std::strerror(errno));
    }
  }
  uint64_t size() const override { return size_; }

 private:
  const int fd_;
  const uint64_t size_;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": not a regular file");
  }
  // Both passes read sequentially: let the kernel read ahead generously.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteSource>(new FileSource(fd, static_cast<uint64_t>(st.st_size)));
}

Result<size_t> MemorySource::ReadAt(uint64_t offset, char* buf, size_t n) const {
  if (offset >= bytes_.size()) return size_t{0};
  const size_t count = std::min<uint64_t>(n, bytes_.size() - offset);
  std::memcpy(buf, bytes_.data() + offset, count);
  return count;
}

}  // namespace lake::store
