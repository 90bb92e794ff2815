#!/usr/bin/env bash
# Installs what the test suite needs and the machine lacks, from Debian's packages.
set -euo pipefail

missing=()
# Usage: test-deps.sh COMMAND... (each command is installed from the Debian package of the same name).
for tool in "$@"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done

if ((${#missing[@]} > 0)); then
  echo "installing test dependencies: ${missing[*]}"
  sudo_cmd=""
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
