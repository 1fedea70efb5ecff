// Records optional platform packages that this machine's registry does not serve, so `npm ci`
// accepts the lockfile (npm requires an entry for every optional dependency, even foreign ones).
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2] ?? "package-lock.json";
const lock = JSON.parse(readFileSync(file, "utf8"));
const pkgs = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  if (path === "" || !meta.optionalDependencies) continue;
  for (const [name, spec] of Object.entries(meta.optionalDependencies)) {
    // npm resolves from the nearest node_modules up the tree.
    const parts = path
      .split("node_modules/")
      .slice(1)
      .map((p) => p.replace(/\/$/, ""));
    let found = false;
    for (let i = parts.length; i >= 0; i--) {
      const prefix = parts
        .slice(0, i)
        .map((p) => `node_modules/${p}/`)
        .join("");
      if (pkgs[`${prefix}node_modules/${name}`]) {
        found = true;
        break;
      }
    }
    if (found) continue;
    const version = spec.replace(/^[\^~=]/, "");
    pkgs[`node_modules/${name}`] = { version, dev: meta.dev, optional: true };
    if (!meta.dev) delete pkgs[`node_modules/${name}`].dev;
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`recorded ${added} optional platform packages`);
