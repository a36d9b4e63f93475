// A checker of Prometheus's text exposition format (0.0.4), for tests of /metrics where promtool
// is not installed: every sample belongs to a family declared once by HELP and TYPE lines before
// it, names and label names are valid, values parse, counters end in _total, and a histogram's
// buckets grow with `le`, end at +Inf, and agree with its _count. Returns the samples by their
// full text before the value ("name" or "name{labels}"), or the first problem found.
// Header-only; test support.
#pragma once

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace lake::testing {

struct PrometheusSamples {
  std::map<std::string, double> values;  // "name{labels}" -> value
  std::string error;                     // "" when the text is well formed
};

inline PrometheusSamples CheckPrometheusText(const std::string& text) {
  static const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (\S+))");
  PrometheusSamples out;
  std::map<std::string, std::string> types;  // family -> type
  std::set<std::string> helped;
  std::string family;  // the family the samples below belong to
  double last_bucket = -1;
  double last_le = -INFINITY;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  const auto fail = [&](const std::string& why) {
    out.error = "line " + std::to_string(number) + ": " + why + ": " + line;
    return out;
  };
  while (std::getline(lines, line)) {
    ++number;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name;
      std::string rest;
      words >> name >> rest;
      if (!std::regex_match(name, kName)) return fail("bad metric name");
      if (line[2] == 'H') {
        if (!helped.insert(name).second) return fail("HELP twice");
        continue;
      }
      if (types.count(name)) return fail("TYPE twice");
      if (rest != "counter" && rest != "gauge" && rest != "histogram") return fail("bad type");
      if (rest == "counter" && name.size() < 6) return fail("counter without _total");
      if (rest == "counter" && name.substr(name.size() - 6) != "_total") {
        return fail("counter without _total");
      }
      types[name] = rest;
      family = name;
      last_bucket = -1;
      last_le = -INFINITY;
      continue;
    }
    std::smatch match;
    if (!std::regex_match(line, match, kSample)) return fail("not a sample");
    const std::string name = match[1];
    const std::string key = line.substr(0, line.rfind(' '));
    double value = 0;
    try {
      value = match[5] == "+Inf" ? INFINITY : std::stod(match[5]);
    } catch (...) {
      return fail("bad value");
    }
    if (family.empty() || !helped.count(family)) return fail("sample before HELP and TYPE");
    const std::string& type = types[family];
    if (type == "histogram") {
      if (name == family + "_bucket") {
        const std::string labels = match[2];
        const size_t le = labels.find("le=\"");
        if (le == std::string::npos) return fail("bucket without le");
        const std::string bound = labels.substr(le + 4, labels.find('"', le + 4) - le - 4);
        const double le_value = bound == "+Inf" ? INFINITY : std::stod(bound);
        if (le_value <= last_le || value < last_bucket) return fail("buckets out of order");
        last_le = le_value;
        last_bucket = value;
      } else if (name == family + "_count") {
        if (last_le != INFINITY || value != last_bucket) return fail("count disagrees with +Inf");
      } else if (name != family + "_sum") {
        return fail("sample outside its family");
      }
    } else if (name != family) {
      return fail("sample outside its family");
    }
    if (type == "counter" && value < 0) return fail("negative counter");
    if (!out.values.emplace(key, value).second) return fail("sample twice");
  }
  if (!text.empty() && text.back() != '\n') {
    out.error = "no newline at the end";
  }
  return out;
}

}  // namespace lake::testing
