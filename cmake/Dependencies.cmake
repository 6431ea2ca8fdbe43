# Dependencies, all from Debian's packages. A missing one stops the
# configuration with the package to install.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

function(allocscope_require_pkg prefix module package)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "${module} not found: apt-get install ${package}")
  endif()
endfunction()

allocscope_require_pkg(YAML yaml-0.1 libyaml-dev)
allocscope_require_pkg(JANSSON jansson libjansson-dev)
# Recorded allocation traces are zstd streams (harness/record, harness/trace).
allocscope_require_pkg(ZSTD libzstd libzstd-dev)

# The allocators are preloaded into the worker at run time, never linked
# into the harness; the build only checks they are there so a fresh machine
# fails early rather than reporting them unavailable.
function(allocscope_require_lib var soname package)
  find_library(${var} NAMES ${soname})
  if(NOT ${var})
    message(FATAL_ERROR "${soname} not found: apt-get install ${package}")
  endif()
endfunction()

allocscope_require_lib(JEMALLOC_LIBRARY libjemalloc.so.2 "libjemalloc2 libjemalloc-dev")
allocscope_require_lib(MIMALLOC_LIBRARY libmimalloc.so.2 "libmimalloc2.0 libmimalloc-dev")

find_program(GNUPLOT_EXECUTABLE gnuplot)
if(NOT GNUPLOT_EXECUTABLE)
  message(FATAL_ERROR "gnuplot not found: apt-get install gnuplot-nox")
endif()

find_package(Threads REQUIRED)
