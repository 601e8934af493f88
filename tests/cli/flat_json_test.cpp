// The tests' own JSON reader, on objects written by hand.
#include <catch2/catch.hpp>

#include "tests/cli/flat_json.h"

using tlsring::clitest::JsonValue;
using tlsring::clitest::parse_flat_json_object;

TEST_CASE("flat_json: scalars, escapes and nested objects of one sessions.jsonl-like line") {
  const auto object = parse_flat_json_object(
      R"( {"client":"10.0.0.1:5","n":-12.5e+3,"ok":true,"sni":null,"cert":"O=Snake Oil\\, Ltd \"x\" \u00e9\ud83d\ude00",)"
      R"("alerts":[{"a":[1,2]},"s"],"files":{"c2s":"connections/a.bin","deep":{"x":0}}} )");
  REQUIRE(object.has_value());
  const auto& o = *object;
  CHECK(o.at("client").kind == JsonValue::Kind::string);
  CHECK(o.at("client").text == "10.0.0.1:5");
  CHECK(o.at("n").kind == JsonValue::Kind::number);
  CHECK(o.at("n").text == "-12.5e+3");
  CHECK(o.at("ok").kind == JsonValue::Kind::boolean);
  CHECK(o.at("ok").text == "true");
  CHECK(o.at("sni").kind == JsonValue::Kind::null);
  // U+00E9 is C3 A9 in UTF-8; U+1F600 (surrogates D83D DE00) is F0 9F 98 80.
  CHECK(o.at("cert").text == "O=Snake Oil\\, Ltd \"x\" \xc3\xa9\xf0\x9f\x98\x80");
  CHECK(o.at("alerts").kind == JsonValue::Kind::array);
  CHECK(o.at("alerts").text == R"([{"a":[1,2]},"s"])");
  CHECK(o.at("files").kind == JsonValue::Kind::object);
  CHECK(o.at("files.c2s").text == "connections/a.bin");
  CHECK(o.at("files.deep.x").text == "0");
  CHECK(o.count("a") == 0);  // members of objects inside arrays are not flattened
}

TEST_CASE("flat_json: what is not exactly one well-formed object is refused") {
  for (const char* bad : {"", "[]", "\"s\"", "{", "{\"a\":1", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
                          "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\t\"}",
                          "{\"a\":\"\\ude00\"}", "{\"a\":1}{}", "{\"a\":1} x", "{\"a\":1,\"a\":2}",
                          "{\"a\":[1,]}", "{\"a\":\"unterminated}"}) {
    INFO("input: " << bad);
    CHECK_FALSE(parse_flat_json_object(bad).has_value());
  }
  CHECK(parse_flat_json_object("{}").has_value());
  CHECK(parse_flat_json_object("{\"a\":{},\"b\":[]}").has_value());
}
