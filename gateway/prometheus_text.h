// A writer of Prometheus's text exposition format (version 0.0.4): metric families, each a HELP
// and a TYPE line followed by its samples, label values escaped as the format requires.
// Thread-safety: a value type.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lake::gateway {

class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Starts a family; `type` is "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // One sample: `name` is the family's, or for a histogram the family's plus _bucket, _sum or
  // _count.
  void Sample(std::string_view name, double value, const Labels& labels = {});
  // A family of one unlabelled sample.
  void Counter(std::string_view name, std::string_view help, double value);
  void Gauge(std::string_view name, std::string_view help, double value);

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace lake::gateway
