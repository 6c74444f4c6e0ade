// Types of bundle-budget.mjs, for test/bundle-browser.test.ts.
export declare const CORE_FILE_BUDGET_GZIP: number;
export declare const CLIENT_ONLY_BUDGET_GZIP: number;
export declare const LOADED_ONLY_WHEN_USED: readonly RegExp[];
export declare const CLIENT_ONLY_ALSO_LAZY: readonly RegExp[];
export declare const LOADED_AT_CONNECT: readonly RegExp[];
export declare const LOADED_FOR_MLKEM: readonly RegExp[];
