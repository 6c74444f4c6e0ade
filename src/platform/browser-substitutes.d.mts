import type { Plugin } from "esbuild";
export declare const BROWSER_SUBSTITUTES: Record<string, string>;
export declare function browserSubstitutes(): Plugin;
export declare function browserBuildOptions(): {
  bundle: true;
  splitting: true;
  platform: "browser";
  format: "esm";
  target: string;
  minify: true;
  plugins: Plugin[];
};
