#include "ad/cli.h"
int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-score", "placeholder");
  return tool.run(argc, argv, [] { throw ad::usage_error("not available yet"); });
}
