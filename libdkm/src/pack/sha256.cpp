// SHA-256 (and SHA-1, which SPDX requires beside it) through OpenSSL's EVP interface.
#include <dkm/pack/sha256.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <openssl/evp.h>
#include <fcntl.h>
#include <unistd.h>
#include <memory>
#include <string>
#include <string_view>

namespace dkm::pack {

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Digest d = Digest::sha256();
  d.update(data);
  return d.hex();
}

FileDigests file_digests(const fs::path& path, bool with_sha1) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path.string() + ": cannot read: " + errno_text());
  Digest s256 = Digest::sha256(), s1 = Digest::sha1();
  FileDigests out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw Error(path.string() + ": cannot read: " + errno_text(err));
    }
    if (n == 0) break;
    s256.update(buf, static_cast<size_t>(n));
    if (with_sha1) s1.update(buf, static_cast<size_t>(n));
    out.size += static_cast<uint64_t>(n);
  }
  ::close(fd);
  out.sha256 = s256.hex();
  if (with_sha1) out.sha1 = s1.hex();
  return out;
}

std::string Digest::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), md, &len) != 1) throw Error("EVP_DigestFinal_ex failed");
  return to_hex(md, len);
}

}  // namespace dkm::pack
