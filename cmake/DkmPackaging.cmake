# Packaging. `cmake --install` puts the runtime front ends in PREFIX/bin. CPack packages
# the bundle that dkmpack staged (it does not build components itself):
#
#   dkmpack --skip-archive          # build the components, stage BUILD/bundle/NAME-VERSION
#   cpack --preset release          # -> build/release/packages/:
#                                   #    NAME-VERSION-linux-ARCH.tar.gz (+ .sha256), .deb, .rpm
#
# The packages are described once, in cmake/DkmBundleCPack.cmake, which dkmpack's own
# archive step uses too: both routes give the same archive, byte for byte, from the same
# stage. DKM_BUNDLE_SETTINGS names the stage (the file dkmpack writes beside it).
include(GNUInstallDirs)
install(TARGETS installer dkm dkmadmin RUNTIME DESTINATION bin)

set(DKM_BUNDLE_SETTINGS "${PROJECT_SOURCE_DIR}/build/dkmpack/bundle/cpack-settings.cmake" CACHE FILEPATH
    "The staged bundle CPack packages: BUILD/bundle/cpack-settings.cmake of a dkmpack build directory")

set(CPACK_PACKAGE_NAME "dkumonitor")
set(CPACK_PACKAGE_VENDOR "dkumonitor")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "External;DEB;RPM")
set(CPACK_PACKAGE_FILE_NAME "dkumonitor-${PROJECT_VERSION}-linux-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/DkmBundleCPack.cmake")
set(CPACK_DKM_BUNDLE_SETTINGS "${DKM_BUNDLE_SETTINGS}")
set(CPACK_DKM_BUNDLE_ARCHIVER "${CMAKE_BINARY_DIR}/tools/dkmpack")
include(CPack)
