#!/usr/bin/env bash
# Installs a Debian package that a test needs, only when its program is missing:
#   install-debian-package.sh <package> <program path>     e.g. chromium /usr/bin/chromium, redis-server /usr/bin/redis-server
# One mechanism for CI and for a plain `dotnet test`: .ci/run calls it, and so do the tests themselves
# (tests/LlmAdapters.Samples.Tests/DebianPackage.cs: the status-page test's Chromium, the multi-instance test's redis-server).
# Runs once at a time: a file lock keeps parallel test processes (and CI) from racing apt-get, and the check is repeated
# under the lock. Needs root (or password-less sudo) and apt-get; without them it exits 1 and says how to install.
set -euo pipefail
package=${1:?usage: install-debian-package.sh <package> <program path>}
program=${2:?usage: install-debian-package.sh <package> <program path>}
if [ -x "$program" ]; then
  exit 0
fi

how="Install $package yourself: 'sudo apt-get install $package' on Debian or Ubuntu (the test runs $program), then run the tests again."
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$package is not installed at $program, and apt-get is not available to install it. $how" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "$package is not installed at $program, and installing it needs root (or password-less sudo). $how" >&2
  exit 1
fi

lock="${TMPDIR:-/tmp}/llm-adapters-install-$package.lock"
exec 9>"$lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 1800 9 || { echo "Waited 30 minutes for another $package install ($lock); giving up." >&2; exit 1; }
fi
if [ -x "$program" ]; then
  exit 0 # installed by the process that held the lock
fi

export DEBIAN_FRONTEND=noninteractive
echo "Installing $package with apt-get (once; later runs find $program)..." >&2
# apt waits for another apt or dpkg (another install on the machine) instead of failing at once.
apt_options=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${apt_options[@]}" update
$SUDO apt-get "${apt_options[@]}" install -y --no-install-recommends "$package"
"$program" --version
