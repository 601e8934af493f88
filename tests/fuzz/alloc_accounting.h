// Heap accounting for the standalone fuzz driver (libFuzzer has its own
// -malloc_limit_mb): replaces the global operator new/delete to count the bytes
// the C++ code holds, so that one run that allocates without bound (a length
// field taken on trust) is caught at the allocation that crosses the limit,
// with its stack, instead of swapping the machine. OpenSSL's own allocations
// (malloc) are not counted; the driver's RSS limit covers them.
#pragma once

#include <cstddef>

namespace tlsring::fuzz::alloc {

// Called (once) from inside operator new when a run holds more than the limit.
using ExceededHandler = void (*)(std::size_t run_bytes, std::size_t request);

// Starts a run: from now until end_run(), the bytes allocated beyond those
// live now may not exceed `limit_bytes` (0 = no limit).
void begin_run(std::size_t limit_bytes, ExceededHandler on_exceeded);
// Ends the run; returns the peak of the bytes it held beyond those live at its start.
std::size_t end_run();

}  // namespace tlsring::fuzz::alloc
