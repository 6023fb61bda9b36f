"""Python helpers for the scripts: the sample-data generators (logins, signin) and their tables."""
