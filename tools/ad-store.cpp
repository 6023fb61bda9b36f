// ad-store: Save scored anomalies in PostgreSQL and read the history back as CSV.
// Not implemented yet: this only answers --help and --version.
#include "ad/cli.h"

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-store", "Save scored anomalies in PostgreSQL and read the history back as CSV.");
  std::vector<std::string> files;
  tool.app().add_option("FILE", files, "Scored CSV input (default: standard input)");
  return tool.run(argc, argv, [] {
    throw ad::Error(ad::Status::kUsage, "not available yet in this version of ad");
  });
}
