#!/usr/bin/env bash
# Installs what the test suite needs and the machine lacks, from Debian's packages.
set -euo pipefail

missing=()
# Usage: test-deps.sh COMMAND[:PACKAGE]... Each command missing from the PATH is installed from
# the Debian package of the same name, or of the name after the colon where they differ
# (node:nodejs: Debian's nodejs package brings the node command).
for spec in "$@"; do
  tool=${spec%%:*}
  package=${spec#*:}
  command -v "$tool" >/dev/null 2>&1 || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  echo "installing test dependencies: ${missing[*]}"
  sudo_cmd=""
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
