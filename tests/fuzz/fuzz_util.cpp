#include "fuzz_util.h"

#include <map>

namespace fuzz {

std::string tag_census(std::string_view html) {
  std::map<std::string, int> count;
  for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
    std::size_t j = i + 1;
    if (j < html.size() && (html[j] == '/' || html[j] == '!')) ++j;
    while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == '-'))
      ++j;
    ++count[std::string(html.substr(i + 1, j - i - 1))];
  }
  std::string out;
  for (const auto& [name, n] : count) out += name + "=" + std::to_string(n) + " ";
  return out;
}

}  // namespace fuzz
