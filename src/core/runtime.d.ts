// The runtime APIs the core uses beyond ES2022, present in browsers, workers and Node alike. Only
// tsconfig.core.json reads this file: it type-checks src/core without DOM or Node types, so `document`,
// `window`, `indexedDB` or `process` do not compile there (the main tsconfig has the full DOM versions).
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare function structuredClone<T>(value: T): T;
declare const performance: { now(): number };
declare class AbortSignal {
  readonly aborted: boolean;
}
