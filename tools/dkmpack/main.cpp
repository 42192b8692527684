// dkmpack: builds the dkumonitor bundle from recipes/ (engine: libdkm/include/dkm/pack).
#include <dkm/core/error.hpp>
#include <dkm/pack/packaging.hpp>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  // Bundle assembly: the archive writer CPack's External generator runs (cmake/DkmBundleArchive.cmake).
  if (argc > 1 && std::strcmp(argv[1], "--write-archive") == 0) {
    try {
      return dkm::pack::write_archive_main(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const dkm::Error& e) {
      std::cerr << "dkmpack: " << e.what() << "\n";
      return e.exit_code();
    }
  }
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::cout << "dkmpack " DKM_VERSION "\n";
      return dkm::kExitOk;
    }
  }
  std::cerr << "dkmpack: the build engine is not implemented yet (see issue 2)\n";
  return dkm::kExitFailure;
}
