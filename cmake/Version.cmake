# The version both daemons print with --version: project(... VERSION ...) and, when the source is
# a git checkout, its commit. The header is written at configure time (configure_file rewrites it
# only when its text changes). HEAD and the branch's ref are configure dependencies, so a new
# commit re-runs CMake at the next build and the two daemons are rebuilt with it; a source
# tarball without .git (or without git installed) gets the version alone.
set(XMPPFED_GIT_COMMIT "")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${PROJECT_SOURCE_DIR} rev-parse --show-toplevel
    OUTPUT_VARIABLE git_top OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_rc)
  file(REAL_PATH "${PROJECT_SOURCE_DIR}" source_real)
  if(git_rc EQUAL 0)
    file(REAL_PATH "${git_top}" git_top)
  endif()
  # Only this project's own checkout: a tarball unpacked inside another repository has no commit.
  if(git_rc EQUAL 0 AND git_top STREQUAL source_real)
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${PROJECT_SOURCE_DIR} rev-parse --short=12 HEAD
      OUTPUT_VARIABLE XMPPFED_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${PROJECT_SOURCE_DIR} symbolic-ref -q HEAD
      OUTPUT_VARIABLE git_ref OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    # --git-path finds the files of a linked worktree too (its refs live in the main .git).
    foreach(name HEAD ${git_ref} packed-refs)
      execute_process(COMMAND ${GIT_EXECUTABLE} -C ${PROJECT_SOURCE_DIR} rev-parse
        --path-format=absolute --git-path ${name}
        OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(path AND EXISTS "${path}")
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${path}")
      endif()
    endforeach()
  endif()
endif()
set(XMPPFED_VERSION_TEXT "${PROJECT_VERSION}")
if(XMPPFED_GIT_COMMIT)
  string(APPEND XMPPFED_VERSION_TEXT " (git ${XMPPFED_GIT_COMMIT})")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.h.in
  ${PROJECT_BINARY_DIR}/generated/xmppfed/version.h @ONLY)
# Only the daemons' main.cpp include it, so a new commit rebuilds those two files and no more.
add_library(xmppfed_version INTERFACE)
target_include_directories(xmppfed_version INTERFACE ${PROJECT_BINARY_DIR}/generated)
