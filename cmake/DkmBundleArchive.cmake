# CPack External generator script (CPACK_EXTERNAL_PACKAGE_SCRIPT, see DkmBundleCPack.cmake):
# writes the bundle's reproducible archive with `dkmpack --write-archive`, straight into
# the output directory under a temporary name, renamed when complete, plus its .sha256.
# CPack's own archive generators cannot do it in CMake 3.25: they store the packaging
# user's name and ids, and CPack copies the result into place without a rename.

if(NOT CPACK_DKM_BUNDLE_ARCHIVER OR NOT EXISTS "${CPACK_DKM_BUNDLE_ARCHIVER}")
  message(FATAL_ERROR "dkumonitor: the archiver '${CPACK_DKM_BUNDLE_ARCHIVER}' (dkmpack) does not exist; build it first.")
endif()
set(archive "${CPACK_DKM_BUNDLE_OUTPUT_DIR}/${CPACK_PACKAGE_FILE_NAME}.tar.gz")
execute_process(
  COMMAND "${CPACK_DKM_BUNDLE_ARCHIVER}" --write-archive "${DKM_BUNDLE_STAGE}"
          --archive-top "${DKM_BUNDLE_NAME}-${DKM_BUNDLE_VERSION}"
          --archive-mtime "${DKM_BUNDLE_EPOCH}"
          --archive-output "${archive}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "dkumonitor: writing ${archive} failed (${result})")
endif()
message(STATUS "- package: ${archive} generated.")
