#include "core/output/session_json.h"

#include <catch2/catch.hpp>

using tlsring::output::json_quote;
using tlsring::output::session_to_json;

TEST_CASE("json_quote escapes quotes, backslashes, control and non-ASCII bytes") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_quote("line\nnext\ttab\r") == "\"line\\nnext\\ttab\\r\"");
  CHECK(json_quote(std::string("\x01\x7f\xc3", 3)) == "\"\\u0001\\u007f\\u00c3\"");
}

TEST_CASE("session_to_json: the fields sessions.jsonl promises, IPv6 in brackets") {
  tlsring::decrypt::SessionReport s;
  s.connection_id = 42;
  s.client.ip.version = 6;
  s.client.ip.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  s.client.port = 51000;
  s.server.ip.version = 4;
  s.server.ip.bytes = {10, 1, 0, 1};
  s.server.port = 3000;
  s.first_seen_ns = 1700000000000000000LL;
  s.last_seen_ns = 1700000001000000000LL;
  s.version = 0x0303;
  s.cipher_suite = 0x009c;
  s.resumed = tlsring::decrypt::Resumption::ticket;
  s.keys_from = "session cache (ticket)";
  s.extended_master_secret = true;
  s.sni = "tserver.example";
  s.c2s_bytes = 10;
  s.s2c_bytes = 20;
  s.records = 3;
  s.verdict = tlsring::decrypt::Verdict::decrypted;
  const std::string json = session_to_json(s, {"connections/x.transcript.txt", "connections/x.c2s.bin", "connections/x.s2c.bin"});
  CHECK_THAT(json, Catch::StartsWith("{\"connection\":42,"));
  CHECK_THAT(json, Catch::Contains("\"client\":\"[2001:db8::1]:51000\""));
  CHECK_THAT(json, Catch::Contains("\"server\":\"10.1.0.1:3000\""));
  CHECK_THAT(json, Catch::Contains("\"first_seen\":\"2023-11-14T22:13:20.000000000Z\""));
  CHECK_THAT(json, Catch::Contains("\"version\":\"TLS 1.2\""));
  CHECK_THAT(json, Catch::Contains("\"cipher\":\"TLS_RSA_WITH_AES_128_GCM_SHA256\""));
  CHECK_THAT(json, Catch::Contains("\"resumed\":\"ticket\",\"keys_from\":\"session cache (ticket)\""));
  CHECK_THAT(json, Catch::Contains("\"extended_master_secret\":true"));
  CHECK_THAT(json, Catch::Contains("\"sni\":\"tserver.example\""));
  CHECK_THAT(json, Catch::Contains("\"c2s_bytes\":10,\"s2c_bytes\":20,\"records\":3"));
  CHECK_THAT(json, Catch::Contains("\"verdict\":\"decrypted\""));
  CHECK_THAT(json, Catch::EndsWith("\"files\":{\"transcript\":\"connections/x.transcript.txt\","
                                   "\"c2s\":\"connections/x.c2s.bin\",\"s2c\":\"connections/x.s2c.bin\"}}"));
  tlsring::decrypt::SessionReport bare;
  CHECK_THAT(session_to_json(bare, {}), Catch::Contains("\"version\":null") && Catch::Contains("\"files\":null") &&
                                            Catch::Contains("\"keys_from\":null"));
}
