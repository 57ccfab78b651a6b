#!/usr/bin/env bash
# Runs the Nest-facing tests (packages/nest, test/interop) against NestJS 11 instead of 12: copies the
# tracked files to a temporary folder, installs NestJS 11 there and runs Vitest. Leaves this tree alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$work")
cd "$work"
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  Object.assign(pkg.devDependencies, {
    "@nestjs/common": "~11.2.10", "@nestjs/core": "~11.2.10", "@nestjs/microservices": "~11.2.6",
    "@nestjs/platform-express": "~11.2.10", "@nestjs/terminus": "~11.1.1", "@nestjs/testing": "~11.2.6",
  });
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));
'
rm -f package-lock.json
# The workspace packages' peer range (^11 || ^12) admits 11; the other dev tools pin 12 peers.
npm install --no-audit --no-fund --legacy-peer-deps >/dev/null
echo "NestJS $(node -p 'require("@nestjs/core/package.json").version')"
npx vitest run packages/nest test/interop
