// Reads what the dynamic loader needs from an ELF file: its interpreter (PT_INTERP),
#include <dkm/pack/elf.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace dkm::pack {

namespace {

/// An open file read at offsets; closes on destruction.
class Reader {
 public:
  explicit Reader(const fs::path& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw Error(path.string() + ": cannot read: " + errno_text());
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() { ::close(fd_); }

  /// Reads exactly `size` bytes at `offset`; false on a short read (truncated file).
  bool read_at(uint64_t offset, void* out, size_t size) const {
    auto* p = static_cast<char*>(out);
    while (size > 0) {
      ssize_t n = ::pread(fd_, p, size, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error(path_.string() + ": cannot read: " + errno_text());
      if (n == 0) return false;
      p += n;
      offset += static_cast<uint64_t>(n);
      size -= static_cast<size_t>(n);
    }
    return true;
  }

  /// Throws the "malformed ELF" error for this file.
  [[noreturn]] void malformed(const std::string& what) const {
    throw Error(path_.string() + ": malformed ELF file: " + what);
  }

 private:
  fs::path path_;
  int fd_;
};

/// A value in the file's byte order turned into the host's.
template <typename T>
T fix(T value, bool swap) {
  if (!swap) return value;
  if constexpr (sizeof(T) == 1) return value;
  else {
    T out;
    auto* src = reinterpret_cast<const unsigned char*>(&value);
    auto* dst = reinterpret_cast<unsigned char*>(&out);
    for (size_t i = 0; i < sizeof(T); ++i) dst[i] = src[sizeof(T) - 1 - i];
    return out;
  }
}

/// The file offset of virtual address `vaddr`, from the PT_LOAD segment that holds it.
template <typename Phdr>
std::optional<uint64_t> vaddr_to_offset(const std::vector<Phdr>& phdrs, uint64_t vaddr, bool swap) {
  for (const auto& ph : phdrs) {
    if (fix(ph.p_type, swap) != PT_LOAD) continue;
    uint64_t start = fix(ph.p_vaddr, swap), filesz = fix(ph.p_filesz, swap);
    if (vaddr >= start && vaddr < start + filesz) return vaddr - start + fix(ph.p_offset, swap);
  }
  return std::nullopt;
}

/// Parses one ELF class (Elf32_* or Elf64_* types).
template <typename Ehdr, typename Phdr, typename Dyn>
ElfInfo parse(const Reader& in, bool swap, int bits) {
  constexpr uint64_t kMaxTable = 64u << 20;  // sanity bound on header tables and strings
  Ehdr eh;
  if (!in.read_at(0, &eh, sizeof eh)) in.malformed("truncated header");
  ElfInfo info;
  info.bits = bits;
  info.type = fix(eh.e_type, swap);
  uint64_t phoff = fix(eh.e_phoff, swap);
  uint16_t phnum = fix(eh.e_phnum, swap), phentsize = fix(eh.e_phentsize, swap);
  if (phnum == 0 || phoff == 0) return info;  // relocatable objects have no program headers
  if (phentsize != sizeof(Phdr)) in.malformed("unexpected program header size " + std::to_string(phentsize));
  std::vector<Phdr> phdrs(phnum);
  if (!in.read_at(phoff, phdrs.data(), phnum * sizeof(Phdr))) in.malformed("truncated program headers");

  std::optional<Phdr> dynamic;
  for (const auto& ph : phdrs) {
    uint32_t type = fix(ph.p_type, swap);
    if (type == PT_INTERP) {
      uint64_t size = fix(ph.p_filesz, swap);
      if (size == 0 || size > 4096) in.malformed("bad PT_INTERP size");
      std::string interp(size, '\0');
      if (!in.read_at(fix(ph.p_offset, swap), interp.data(), size)) in.malformed("truncated PT_INTERP");
      interp.resize(std::strlen(interp.c_str()));
      info.interpreter = interp;
    } else if (type == PT_DYNAMIC) {
      dynamic = ph;
    }
  }
  if (!dynamic) return info;
  info.dynamic = true;

  uint64_t dyn_size = fix(dynamic->p_filesz, swap);
  if (dyn_size > kMaxTable) in.malformed("PT_DYNAMIC too large");
  std::vector<Dyn> dyns(dyn_size / sizeof(Dyn));
  if (!in.read_at(fix(dynamic->p_offset, swap), dyns.data(), dyns.size() * sizeof(Dyn)))
    in.malformed("truncated PT_DYNAMIC");

  uint64_t strtab = 0, strsz = 0;
  std::vector<uint64_t> needed, runpath, rpath;
  for (const auto& d : dyns) {
    auto tag = static_cast<int64_t>(fix(d.d_tag, swap));
    uint64_t val = fix(d.d_un.d_val, swap);
    if (tag == DT_NULL) break;
    if (tag == DT_STRTAB) strtab = val;
    else if (tag == DT_STRSZ) strsz = val;
    else if (tag == DT_NEEDED) needed.push_back(val);
    else if (tag == DT_RUNPATH) runpath.push_back(val);
    else if (tag == DT_RPATH) rpath.push_back(val);
  }
  if (needed.empty() && runpath.empty() && rpath.empty()) return info;
  if (strtab == 0 || strsz == 0 || strsz > kMaxTable) in.malformed("missing or bad DT_STRTAB/DT_STRSZ");
  auto offset = vaddr_to_offset(phdrs, strtab, swap);
  if (!offset) in.malformed("DT_STRTAB outside every PT_LOAD segment");
  std::string strings(strsz, '\0');
  if (!in.read_at(*offset, strings.data(), strsz)) in.malformed("truncated string table");
  auto string_at = [&](uint64_t index) {
    if (index >= strings.size()) in.malformed("string index out of range");
    return std::string(strings.c_str() + index);
  };
  for (uint64_t i : needed) info.needed.push_back(string_at(i));
  // The loader ignores DT_RPATH when DT_RUNPATH is present.
  for (uint64_t i : runpath.empty() ? rpath : runpath)
    for (auto& entry : split(string_at(i), ':'))
      if (!entry.empty()) info.runpath.push_back(entry);
  return info;
}

}  // namespace


bool is_elf_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char magic[SELFMAG];
  ssize_t n = ::read(fd, magic, SELFMAG);
  ::close(fd);
  return n == SELFMAG && std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

std::optional<ElfInfo> read_elf(const fs::path& path) {
  if (!is_elf_file(path)) return std::nullopt;
  Reader in(path);
  unsigned char ident[EI_NIDENT];
  if (!in.read_at(0, ident, sizeof ident)) in.malformed("truncated identification");
  bool little = ident[EI_DATA] == ELFDATA2LSB;
  if (!little && ident[EI_DATA] != ELFDATA2MSB) in.malformed("unknown byte order");
  bool swap = little != (std::endian::native == std::endian::little);
  if (ident[EI_CLASS] == ELFCLASS64) return parse<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn>(in, swap, 64);
  if (ident[EI_CLASS] == ELFCLASS32) return parse<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn>(in, swap, 32);
  in.malformed("unknown class " + std::to_string(ident[EI_CLASS]));
}

}  // namespace dkm::pack
