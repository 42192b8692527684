#pragma once
// SHA-256 (and SHA-1, which SPDX requires beside it) through OpenSSL's EVP interface.
// Pack side only: the runtime front ends never link OpenSSL.
// Implementation: libdkm/src/pack/sha256.cpp.

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
std::string to_hex(const unsigned char* data, size_t size);

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
  std::string hex();

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
std::string sha256_hex(std::string_view data);

/// SHA-256 and SHA-1 of one file, read once.
struct FileDigests {
  std::string sha256;  ///< hex
  std::string sha1;    ///< hex (empty when not asked for)
  uint64_t size = 0;   ///< bytes read
};

/// Hashes a file's content with SHA-256 (and SHA-1 unless `with_sha1` is false) in one
/// pass; throws Error naming the file.
FileDigests file_digests(const fs::path& path, bool with_sha1 = true);

/// SHA-256 of one file's content, in hex; throws Error naming the file.
inline std::string sha256_file(const fs::path& path) { return file_digests(path, false).sha256; }

}  // namespace dkm::pack
