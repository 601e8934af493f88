# core_capture_write: the capture file writers (CaptureWriter), an OBJECT
# library of its own so that it can be built apart from the readers.
# Include from core/capture/CMakeLists.txt (`include(writer.cmake)`) and bundle
# `capture_write` into tlsring_core. Safe to include more than once.
if(NOT TARGET core_capture_write)
  add_library(core_capture_write OBJECT
    ${CMAKE_CURRENT_LIST_DIR}/capture_writer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/capture_writer_blocks.cpp)
  target_link_libraries(core_capture_write PUBLIC core_common)
endif()
