#include "tests/gen/traffic.h"

#include <algorithm>
#include <array>
#include <string>

namespace tlsring::testgen {
namespace {

constexpr std::array<const char*, 6> kRequests = {"RequestMakeCall", "RequestAnswerCall",
                                                  "RequestReleaseCall", "RequestAgentReady",
                                                  "RequestRegisterAddress", "RequestQueryCall"};
constexpr std::array<const char*, 6> kEvents = {"EventRinging", "EventEstablished", "EventReleased",
                                                "EventAgentReady", "EventRegistered", "EventDialing"};

std::string digits(Rng& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + rng.next() % 10));
  return out;
}

std::string word(Rng& rng, std::size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(kAlphabet[rng.next() % (sizeof kAlphabet - 1)]);
  return out;
}

}  // namespace

std::vector<std::uint8_t> cti_message(Rng& rng, std::size_t size, Direction direction,
                                      std::uint64_t reference_id) {
  const bool request = direction == Direction::client_to_server;
  std::string text = request ? kRequests[rng.next() % kRequests.size()]
                             : kEvents[rng.next() % kEvents.size()];
  text += "\n\tAttributeReferenceID\t" + std::to_string(reference_id);
  text += "\n\tAttributeThisDN\t'" + digits(rng, 4) + "'";
  if (!request) text += "\n\tAttributeConnID\t" + word(rng, 16);
  text += "\n\tAttributeOtherDN\t'0" + digits(rng, 9) + "'";
  text += "\n\tAttributeUserData\t[" + std::to_string(size) + "]";
  for (int key = 1; text.size() < size; ++key) {
    text += "\n\t\t'Key" + std::to_string(key) + "'\t'" + word(rng, 8 + rng.next() % 24) + "'";
  }
  text.resize(size);
  if (size > 0) text.back() = '\n';
  return {text.begin(), text.end()};
}

std::vector<std::uint8_t> bulk_text(Rng& rng, std::size_t size) {
  std::vector<std::uint8_t> out(size);
  std::size_t i = 0;
  while (i < size) {
    std::uint64_t r = rng.next();
    for (int k = 0; k < 8 && i < size; ++k, ++i, r >>= 8) {
      out[i] = (i % 64 == 63) ? '\n' : static_cast<std::uint8_t>('a' + (r & 0xff) % 26);
    }
  }
  return out;
}

std::vector<Message> make_messages(const TrafficPlan& plan, Rng& rng) {
  if (!plan.script.empty()) return plan.script;
  std::vector<Message> out;
  out.reserve(plan.exchanges * (1 + plan.responses) + 8);
  const std::size_t lo = std::min(plan.min_size, plan.max_size);
  const std::size_t hi = std::max(plan.min_size, plan.max_size);
  const std::uint64_t first_reference = rng.between(1, 90000);
  for (std::size_t i = 0; i < plan.exchanges; ++i) {
    const std::uint64_t reference = first_reference + i;
    out.push_back({Direction::client_to_server,
                   cti_message(rng, rng.between(lo, hi), Direction::client_to_server, reference)});
    for (std::size_t r = 0; r < plan.responses; ++r) {
      out.push_back({Direction::server_to_client,
                     cti_message(rng, rng.between(lo, hi), Direction::server_to_client, reference)});
    }
  }
  const std::size_t chunk = std::max<std::size_t>(plan.bulk_write, 1);
  for (Direction d : {Direction::client_to_server, Direction::server_to_client}) {
    std::uint64_t left = d == Direction::client_to_server ? plan.bulk_client_to_server
                                                          : plan.bulk_server_to_client;
    while (left > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk));
      out.push_back({d, bulk_text(rng, n)});
      left -= n;
    }
  }
  return out;
}

}  // namespace tlsring::testgen
