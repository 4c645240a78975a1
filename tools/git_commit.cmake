# Run at every build (sim/output/CMakeLists.txt): writes OUT, a C++ source that defines
# mss::output::build_info::git_commit(), from `git describe --always --dirty` in SRC. The file
# is rewritten only when the text changes, so a build recompiles it only after a new commit or
# a change to the working tree's dirtiness; results files then name the code that wrote them.
execute_process(COMMAND git describe --always --dirty --abbrev=12
  WORKING_DIRECTORY "${SRC}"
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
endif()
set(text "// Generated at build time by tools/git_commit.cmake: do not edit.
#include \"sim/output/build_info.hpp\"

namespace mss::output::build_info {
const char* git_commit() { return \"${commit}\"; }
}  // namespace mss::output::build_info
")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
