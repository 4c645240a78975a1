// tests/fuzz/toml_release_asserts.hpp — force-included in the fuzz build (see CMakeLists.txt):
// toml++ with its assertions off, as in the release library that Debian ships and `mss` runs.
#pragma once
#define TOML_ASSERT(expr) static_cast<void>(0)
