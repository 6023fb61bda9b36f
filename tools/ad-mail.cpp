// ad-mail: Email the security team an alert about flagged logins.
// Not implemented yet: this only answers --help and --version.
#include "ad/cli.h"

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-mail", "Email the security team an alert about flagged logins.");
  std::vector<std::string> files;
  tool.app().add_option("FILE", files, "Scored CSV input (default: standard input)");
  return tool.run(argc, argv, [] {
    throw ad::Error(ad::Status::kUsage, "not available yet in this version of ad");
  });
}
