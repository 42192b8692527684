# Project-wide switches, set by the presets in CMakePresets.json.
option(DKM_WARNINGS_AS_ERRORS "Treat compiler warnings as errors (dev preset)" OFF)
option(DKM_SANITIZE "Build with address and undefined-behaviour sanitizers (asan preset)" OFF)
option(DKM_STATIC_RUNTIME "Link Boost and libstdc++ statically into installer, dkm and dkmadmin" ON)

set(DKM_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wformat=2)

# dkm_target_defaults(TARGET): warnings and sanitizers for one of our own targets.
function(dkm_target_defaults target)
  target_compile_options(${target} PRIVATE ${DKM_WARNING_FLAGS})
  if(DKM_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Every function and object in a section of its own, so that a front end's link keeps only
# what it calls (dkm_static_runtime passes --gc-sections): libdkm's modules are static
# libraries whose objects hold more than one front end needs.
add_compile_options(-ffunction-sections -fdata-sections)

if(DKM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # Sanitizer runtimes are shared libraries: static linking of the runtime tools is off.
  set(DKM_STATIC_RUNTIME OFF CACHE BOOL "" FORCE)
endif()
