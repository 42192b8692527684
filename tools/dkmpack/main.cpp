// dkmpack: builds the dkumonitor bundle from recipes/ (engine: libdkm/include/dkm/pack).
#include <dkm/core/error.hpp>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::cout << "dkmpack " DKM_VERSION "\n";
      return dkm::kExitOk;
    }
  }
  std::cerr << "dkmpack: the build engine is not implemented yet (see issue 2)\n";
  return dkm::kExitFailure;
}
