// dkmadmin: builds the dkumonitor bundle from recipes/ (engine: libdkm/include/dkm/pack).
#include <dkm/core/error.hpp>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::cout << "dkmadmin " DKM_VERSION "\n";
      return dkm::kExitOk;
    }
  }
  std::cerr << "dkmadmin: this front end is not implemented yet \n";
  return dkm::kExitFailure;
}
