#!/usr/bin/env bash
# Installs redis-server (/usr/bin/redis-server) for the Gateway multi-instance test, only when it is missing. One
# mechanism for CI and for a plain `dotnet test`: .ci/run calls it, and so does the test itself
# (tests/LlmAdapters.Samples.Tests/Gateway/Redis.cs) when redis-server is missing.
# Runs once at a time: a file lock keeps parallel test processes (and CI) from racing apt-get, and the check is repeated
# under the lock. Needs root (or password-less sudo) and apt-get; without them it exits 1 and says how to install.
set -euo pipefail
redis=/usr/bin/redis-server
if [ -x "$redis" ]; then
  exit 0
fi

how="Install redis-server yourself: 'sudo apt-get install redis-server' on Debian or Ubuntu (the test runs $redis), then run the tests again."
if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is not installed at $redis, and apt-get is not available to install it. $how" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "redis-server is not installed at $redis, and installing it needs root (or password-less sudo). $how" >&2
  exit 1
fi

lock="${TMPDIR:-/tmp}/llm-adapters-install-redis.lock"
exec 9>"$lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 1800 9 || { echo "Waited 30 minutes for another redis-server install ($lock); giving up." >&2; exit 1; }
fi
if [ -x "$redis" ]; then
  exit 0 # installed by the process that held the lock
fi

export DEBIAN_FRONTEND=noninteractive
echo "Installing redis-server with apt-get (once; later runs find $redis)..." >&2
# apt waits for another apt or dpkg (another install on the machine) instead of failing at once.
apt_options=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${apt_options[@]}" update
$SUDO apt-get "${apt_options[@]}" install -y --no-install-recommends redis-server
"$redis" --version
