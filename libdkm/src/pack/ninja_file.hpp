#pragma once
// build.ninja: one edge per step of each component, each calling dkmpack itself as the
// step executor. An edge's inputs are its key file (rewritten by dkmpack only when the key
// changes) and the previous step's stamp, so a run with nothing changed runs nothing, and a
// changed key runs that step and the ones after it, in that component only.
// Implementation: libdkm/src/pack/ninja_file.cpp.

#include <dkm/pack/build_layout.hpp>

#include <string>
#include <vector>

namespace dkm::pack {

/// The text of build.ninja for `components`, paths relative to the build directory.
std::string ninja_file_text(const std::vector<std::string>& components);

}  // namespace dkm::pack
