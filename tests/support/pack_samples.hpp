#pragma once
// Small real inputs the pack unit tests share: a tree of files to archive or describe,
// and C programs compiled with the real gcc to read as ELF files.

#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace dkm::test {

/// A small tree under `root`: nested directories, an executable, a symbolic link.
inline fs::path make_sample_tree(const fs::path& root) {
  fs::create_directories(root / "bin");
  fs::create_directories(root / "conf" / "sub");
  fs::create_directories(root / "empty");
  write_file_atomic(root / "bin" / "tool", "#!/bin/sh\necho tool\n", 0750);
  write_file_atomic(root / "conf" / "a.ini", "a = 1\n", 0600);
  write_file_atomic(root / "conf" / "sub" / "z.txt", std::string(100000, 'z'));
  write_file_atomic(root / "VERSION", "1.2.3\n");
  fs::create_symlink("bin/tool", root / "tool-link");
  return root;
}

/// Compiles a C source with gcc; fails the test with gcc's output when it does not compile.
inline void compile_c(const fs::path& source_dir, const std::string& code, const fs::path& output,
                      const std::vector<std::string>& flags) {
  fs::path src = source_dir / (output.filename().string() + ".c");
  write_file_atomic(src, code);
  std::vector<std::string> argv = {"gcc", "-o", output.string(), src.string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto r = run_process(argv);
  INFO(r.output);
  REQUIRE(r.ok());
}

/// A program that needs zlib.
inline const char* kUsesZlib = "#include <zlib.h>\n#include <stdio.h>\nint main(void){puts(zlibVersion());return 0;}\n";
/// A program that needs libc alone.
inline const char* kHello = "#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n";

}  // namespace dkm::test
