# CPack: `cpack --preset release` archives the runtime front ends.
# (The bundle's full layout and reproducible archive come with dkmpack's assembly.)
include(GNUInstallDirs)
install(TARGETS installer dkm dkmadmin RUNTIME DESTINATION bin)

set(CPACK_PACKAGE_NAME "dkumonitor")
set(CPACK_PACKAGE_VENDOR "dkumonitor")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "TGZ")
set(CPACK_PACKAGE_FILE_NAME "dkumonitor-${PROJECT_VERSION}-linux-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
include(CPack)
