#!/usr/bin/env bash
# Installs Debian's Chromium for exercise 06's report check, which opens the learner's report.html in a
# real headless browser (driven by playwright-core; graders/lib/browser.ts looks in /usr/bin).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo '?')"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "installed chromium $(dpkg-query -W -f='${Version}' chromium)"
