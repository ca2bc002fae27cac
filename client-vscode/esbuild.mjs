// Bundle src/extension.ts and its runtime dependencies into out/extension.js (vscode stays external).
import { build } from "esbuild";

const started = Date.now();
const result = await build({
  entryPoints: ["src/extension.ts"],
  bundle: true,
  outfile: "out/extension.js",
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  minify: process.argv.includes("--minify"),
  keepNames: true,
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((total, output) => total + output.bytes, 0);
console.log(`esbuild: out/extension.js, ${(bytes / 1024).toFixed(0)} KiB, ${Date.now() - started} ms`);
