import type { Plugin } from "esbuild";
export declare const BROWSER_SUBSTITUTES: Record<string, string>;
export declare function browserSubstitutes(): Plugin;
