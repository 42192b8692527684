#pragma once
// SHA-256 (and SHA-1, which SPDX requires beside it) through OpenSSL's EVP interface.
// Pack side only: the runtime front ends never link OpenSSL.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <string_view>

namespace dkm::pack {

/// Lower-case hexadecimal of a byte buffer.
inline std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

/// An incremental digest (EVP): feed bytes with update(), read the hex digest with hex().
class Digest {
 public:
  /// A SHA-256 digest.
  static Digest sha256() { return Digest(EVP_sha256()); }
  /// A SHA-1 digest (SPDX documents list it beside SHA-256).
  static Digest sha1() { return Digest(EVP_sha1()); }

  /// Adds bytes to the digest.
  void update(const void* data, size_t size) {
    if (EVP_DigestUpdate(ctx_.get(), data, size) != 1) throw Error("EVP_DigestUpdate failed");
  }
  /// Adds a string's bytes to the digest.
  void update(std::string_view data) { update(data.data(), data.size()); }

  /// Finishes the digest and returns it in lower-case hex (call once).
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), md, &len) != 1) throw Error("EVP_DigestFinal_ex failed");
    return to_hex(md, len);
  }

 protected:
  /// A digest of the given EVP algorithm.
  explicit Digest(const EVP_MD* md) : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md, nullptr) != 1) throw Error("EVP_DigestInit_ex failed");
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

/// An incremental SHA-256 (a Digest that is always SHA-256).
class Sha256 : public Digest {
 public:
  /// Starts an empty SHA-256.
  Sha256() : Digest(EVP_sha256()) {}
};

/// SHA-256 of a byte string, in hex.
inline std::string sha256_hex(std::string_view data) {
  Digest d = Digest::sha256();
  d.update(data);
  return d.hex();
}

/// SHA-256 and SHA-1 of one file, read once.
struct FileDigests {
  std::string sha256;  ///< hex
  std::string sha1;    ///< hex (empty when not asked for)
  uint64_t size = 0;   ///< bytes read
};

/// Hashes a file's content with SHA-256 (and SHA-1 unless `with_sha1` is false) in one
/// pass; throws Error naming the file.
inline FileDigests file_digests(const fs::path& path, bool with_sha1 = true) {
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

/// SHA-256 of one file's content, in hex; throws Error naming the file.
inline std::string sha256_file(const fs::path& path) { return file_digests(path, false).sha256; }

}  // namespace dkm::pack
