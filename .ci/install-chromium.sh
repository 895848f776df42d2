#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium (/usr/bin/chromium) for the Gateway status-page test, only when it is
# missing. One mechanism for CI and for a plain `dotnet test`: .ci/run calls it, and so does the test itself
# (tests/LlmAdapters.Samples.Tests/Gateway/Chromium.cs) when Chromium is missing.
# Runs once at a time: a file lock keeps parallel test processes (and CI) from racing apt-get, and the check is repeated
# under the lock. Needs root (or password-less sudo) and apt-get; without them it exits 1 and says how to install.
set -euo pipefail
chromium=/usr/bin/chromium
if [ -x "$chromium" ]; then
  exit 0
fi

how="Install Chromium yourself: 'sudo apt-get install chromium' on Debian or Ubuntu (the test runs $chromium), then run the tests again."
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is not installed at $chromium, and apt-get is not available to install it. $how" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Chromium is not installed at $chromium, and installing it needs root (or password-less sudo). $how" >&2
  exit 1
fi

lock="${TMPDIR:-/tmp}/llm-adapters-install-chromium.lock"
exec 9>"$lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 1800 9 || { echo "Waited 30 minutes for another Chromium install ($lock); giving up." >&2; exit 1; }
fi
if [ -x "$chromium" ]; then
  exit 0 # installed by the process that held the lock
fi

export DEBIAN_FRONTEND=noninteractive
echo "Installing Chromium with apt-get (once; later runs find $chromium)..." >&2
# apt waits for another apt or dpkg (another install on the machine) instead of failing at once.
apt_options=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${apt_options[@]}" update
$SUDO apt-get "${apt_options[@]}" install -y --no-install-recommends chromium
"$chromium" --version
