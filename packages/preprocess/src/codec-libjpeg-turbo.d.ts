// The codec ships without type declarations; decode-jpeg-wasm.ts describes the part it uses.
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: unknown;
  export default factory;
}
