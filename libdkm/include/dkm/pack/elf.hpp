#pragma once
// Reads what the dynamic loader needs from an ELF file: its interpreter (PT_INTERP),
// the libraries it needs (DT_NEEDED) and where it looks for them (DT_RUNPATH, or the
// older DT_RPATH). Program headers only, so stripped binaries read the same; 32 and
// 64 bit, either byte order. Reads with pread, never the whole file.
// Implementation: libdkm/src/pack/elf.cpp.

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

/// The loader-relevant facts of one ELF file.
struct ElfInfo {
  int bits = 64;                      ///< 32 or 64
  uint16_t type = ET_NONE;            ///< ET_EXEC, ET_DYN, ET_REL, ...
  std::string interpreter;            ///< PT_INTERP, empty for static files and libraries
  std::vector<std::string> needed;    ///< DT_NEEDED, in order
  std::vector<std::string> runpath;   ///< DT_RUNPATH entries (or DT_RPATH's when there is no RUNPATH)
  bool dynamic = false;               ///< has a PT_DYNAMIC segment
};

/// True when the file starts with the ELF magic bytes (false for anything unreadable or short).
bool is_elf_file(const fs::path& path);

/// Reads an ELF file's interpreter, needed libraries and run path; std::nullopt when the
/// file is not ELF. Throws Error naming the file when it is ELF but malformed.
std::optional<ElfInfo> read_elf(const fs::path& path);

}  // namespace dkm::pack
