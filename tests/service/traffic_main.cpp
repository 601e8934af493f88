// tlsring-traffic: T-Server-like TLS traffic on loopback for the demo and the
// service tests (see live_traffic.h).
//   tlsring-traffic --keys DIR [--write-keys-only] [--port 3000] [--seconds 10]
//                   [--interval-ms 400] [--short 6] [--manifest FILE]
#include <cstdlib>
#include <iostream>
#include <string>

#include "tests/service/live_traffic.h"

int main(int argc, char** argv) {
  using namespace tlsring::testsvc;
  TrafficOptions options;
  std::string keys;
  std::string manifest;
  bool keys_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "tlsring-traffic: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--keys") keys = next();
    else if (arg == "--write-keys-only") keys_only = true;
    else if (arg == "--port") options.port = static_cast<std::uint16_t>(std::stoi(next()));
    else if (arg == "--seconds") options.duration = std::chrono::milliseconds(std::stoi(next()) * 1000);
    else if (arg == "--interval-ms") options.interval = std::chrono::milliseconds(std::stoi(next()));
    else if (arg == "--short") options.short_connections = static_cast<unsigned>(std::stoi(next()));
    else if (arg == "--manifest") manifest = next();
    else {
      std::cerr << "tlsring-traffic: unknown option " << arg << "\n";
      return 2;
    }
  }
  if (keys.empty()) {
    std::cerr << "tlsring-traffic: --keys DIR is required\n";
    return 2;
  }
  if (keys_only) {
    auto written = write_server_credentials(keys);
    if (!written.ok()) {
      std::cerr << "tlsring-traffic: " << written.error().message << "\n";
      return 1;
    }
    return 0;
  }
  auto result = run_traffic(keys, options);
  if (!result.ok()) {
    std::cerr << "tlsring-traffic: " << result.error().message << "\n";
    return 1;
  }
  if (!manifest.empty()) {
    if (auto written = write_manifest(manifest, *result); !written.ok()) {
      std::cerr << "tlsring-traffic: " << written.error().message << "\n";
      return 1;
    }
  }
  std::cout << "tlsring-traffic: " << result->connections << " connections (" << result->resumed
            << " resumed), " << result->messages.size() << " messages\n";
  return 0;
}
