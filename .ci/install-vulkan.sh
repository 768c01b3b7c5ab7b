#!/usr/bin/env bash
# Installs the Vulkan loader and Mesa's lavapipe (a CPU Vulkan driver) so that Dawn, and so the
# WebGPU backend, runs on a machine without a GPU. Bookworm's own Mesa 22.3 is too old for Dawn
# ("shaderUniform*ArrayDynamicIndexing required"); version 25 comes from bookworm-backports.
set -euo pipefail
if command -v vulkaninfo >/dev/null 2>&1 && ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 \
  && dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -qE '^(2[5-9]|[3-9][0-9])'; then
  echo "lavapipe already installed: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
sources=/etc/apt/sources.list.d/debian.sources
backports=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -f "$backports" ]; then
  # Same mirror and keyring as the machine's own bookworm entry.
  uri=$(awk '/^URIs:/ {print $2; exit}' "$sources" 2>/dev/null || true)
  key=$(awk '/^Signed-By:/ {print $2; exit}' "$sources" 2>/dev/null || true)
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
    "${uri:-http://deb.debian.org/debian}" "${key:-/usr/share/keyrings/debian-archive-keyring.gpg}" >"$backports"
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends libvulkan1 vulkan-tools >/dev/null
apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers >/dev/null
echo "installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
