// Type declarations for dependencies that ship none.
declare module 'dcmjs' {
  const dcmjs: any;
  export default dcmjs;
}
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  export default function nodeEndpoint(nep: unknown): Endpoint;
}
