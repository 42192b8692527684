# Every third-party package comes from Debian (see cmake/install-deps.sh).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# The runtime tools link Boost statically so they run on other distributions;
# Debian's -dev packages ship the .a files beside the shared ones.
if(DKM_STATIC_RUNTIME)
  set(Boost_USE_STATIC_LIBS ON)
endif()
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(LibArchive REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2>=1.1)

# Nettle's SHA-256 for dkmadmin's boot records, linked from its static library so that the
# runtime tools stay free of shared libraries beyond libc's (OpenSSL stays dkmpack's).
find_path(NETTLE_INCLUDE_DIR nettle/sha2.h REQUIRED)
find_library(NETTLE_STATIC_LIBRARY NAMES libnettle.a REQUIRED)
add_library(dkm_nettle INTERFACE)
target_include_directories(dkm_nettle SYSTEM INTERFACE ${NETTLE_INCLUDE_DIR})
target_link_libraries(dkm_nettle INTERFACE ${NETTLE_STATIC_LIBRARY})

# kainjow::mustache is one header in Debian's libkainjow-mustache-dev.
find_path(MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)
add_library(dkm_mustache INTERFACE)
target_include_directories(dkm_mustache SYSTEM INTERFACE ${MUSTACHE_INCLUDE_DIR})

# dkm_static_runtime(TARGET): libstdc++ and libgcc linked in, so `ldd` lists only libc's
# family; sections nothing calls are dropped, so the front end carries what it runs.
function(dkm_static_runtime target)
  if(DKM_STATIC_RUNTIME)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
  target_link_options(${target} PRIVATE -Wl,--gc-sections)
endfunction()
