# CPack project config for the dkumonitor bundle (CPACK_PROJECT_CONFIG_FILE), read by
# CPack once per generator. The one description of the bundle's packages, shared by
# both routes:
#   dkmpack                  writes BUILD/bundle/CPackConfig.cmake and runs cpack on it;
#   cpack --preset release   reads build/release/CPackConfig.cmake (cmake/DkmPackaging.cmake).
# Either way it packages the stage dkmpack assembled, described by the settings file
# dkmpack wrote beside it (CPACK_DKM_BUNDLE_SETTINGS, BUILD/bundle/cpack-settings.cmake):
#   DKM_BUNDLE_NAME, DKM_BUNDLE_VERSION, DKM_BUNDLE_STAGE, DKM_BUNDLE_EPOCH, DKM_BUNDLE_ARCH,
#   DKM_BUNDLE_LICENSE
# Generators:
#   External  the reproducible NAME-VERSION-linux-ARCH.tar.gz and its .sha256
#             (cmake/DkmBundleArchive.cmake runs `dkmpack --write-archive`);
#   DEB, RPM  the same tree under /opt/NAME-VERSION, with no maintainer scripts.

if(NOT CPACK_DKM_BUNDLE_SETTINGS OR NOT EXISTS "${CPACK_DKM_BUNDLE_SETTINGS}")
  message(FATAL_ERROR "dkumonitor: no staged bundle (settings file '${CPACK_DKM_BUNDLE_SETTINGS}' is missing). "
    "Stage one first: `dkmpack --skip-archive` (or pass -D CPACK_DKM_BUNDLE_SETTINGS=BUILD/bundle/cpack-settings.cmake).")
endif()
include("${CPACK_DKM_BUNDLE_SETTINGS}")
if(NOT IS_DIRECTORY "${DKM_BUNDLE_STAGE}")
  message(FATAL_ERROR "dkumonitor: the staged bundle '${DKM_BUNDLE_STAGE}' named by ${CPACK_DKM_BUNDLE_SETTINGS} is gone; "
    "run `dkmpack --skip-build --skip-archive` to stage it again.")
endif()

set(CPACK_PACKAGE_NAME "${DKM_BUNDLE_NAME}")
set(CPACK_PACKAGE_VERSION "${DKM_BUNDLE_VERSION}")
set(CPACK_PACKAGE_FILE_NAME "${DKM_BUNDLE_NAME}-${DKM_BUNDLE_VERSION}-linux-${DKM_BUNDLE_ARCH}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Self-contained monitoring bundle: go-carbon, carbonapi, Grafana, collectd, run by dkm")
set(CPACK_PACKAGE_DESCRIPTION "One archive with everything a host needs to be monitored: go-carbon, carbonapi,
Grafana and collectd, installed by `installer`, run by `dkm`, started at boot by `dkmadmin`.
Needs nothing but a Linux libc.")
set(CPACK_PACKAGE_VENDOR "dkumonitor")
set(CPACK_PACKAGE_CONTACT "dkumonitor maintainers <dkumonitor@localhost>")
# The stage is the whole package: none of the CMake project's own install rules.
set(CPACK_INSTALL_CMAKE_PROJECTS "")
# DEB and RPM install it as /opt/NAME-VERSION (they package from a DESTDIR, so the
# prefix is the installed directory's destination).
set(CPACK_PACKAGING_INSTALL_PREFIX "/opt/${DKM_BUNDLE_NAME}-${DKM_BUNDLE_VERSION}")
set(CPACK_INSTALLED_DIRECTORIES "${DKM_BUNDLE_STAGE};${CPACK_PACKAGING_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES OFF)
unset(CPACK_PACKAGE_CHECKSUM)
if(NOT CPACK_DKM_BUNDLE_OUTPUT_DIR)
  set(CPACK_DKM_BUNDLE_OUTPUT_DIR "${CPACK_PACKAGE_DIRECTORY}")
endif()

if(CPACK_GENERATOR STREQUAL "External")
  # No copy of the stage: the archiver reads it where it is.
  set(CPACK_EXTERNAL_ENABLE_STAGING OFF)
  set(CPACK_EXTERNAL_REQUESTED_VERSIONS "1.0")
  set(CPACK_EXTERNAL_PACKAGE_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/DkmBundleArchive.cmake")
  # CPack's own description of the package (JSON) stays in its work area; the archive
  # is written (atomically) by the script, not copied by CPack.
  set(CPACK_OUTPUT_FILE_PREFIX "${CPACK_PACKAGE_DIRECTORY}/_CPack_Packages")
elseif(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
  set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
  set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "")
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  # Nothing runs as root at install time: no preinst/postinst/prerm/postrm, no triggers.
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "")
elseif(CPACK_GENERATOR STREQUAL "RPM")
  set(CPACK_RPM_FILE_NAME "RPM-DEFAULT")
  set(CPACK_RPM_PACKAGE_LICENSE "${DKM_BUNDLE_LICENSE}")
  set(CPACK_RPM_PACKAGE_GROUP "Applications/System")
  # Self-contained: no automatic Requires/Provides from the bundled ELF files.
  set(CPACK_RPM_PACKAGE_AUTOREQPROV "no")
  set(CPACK_RPM_COMPRESSION_TYPE "gzip")
  # Ship the files as built: no stripping, no debug package, no build-id links.
  set(CPACK_RPM_SPEC_MORE_DEFINE "%define __spec_install_post /bin/true
%define __os_install_post %{nil}
%define debug_package %{nil}
%define _build_id_links none")
  # /opt belongs to the system, not to the package.
  set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION "/opt")
endif()
