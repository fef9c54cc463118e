/**
 * Instantiates one of the WebAssembly kernels `npm run build` compiles from `assembly/` into
 * `dist/wasm/` (AssemblyScript, stub runtime, imported memory). Every kernel module owns its
 * memory, so kernels never see each other's data; an AssemblyScript `abort` becomes a thrown
 * Error naming the kernel.
 */
import { readFileSync } from 'node:fs';

const WASM_DIR = new URL('../../wasm/', import.meta.url);

/** The exports of `dist/wasm/<name>.wasm`, instantiated against `memory`. */
export function instantiateKernel<T>(name: string, memory: WebAssembly.Memory): T {
  const module = new WebAssembly.Module(readFileSync(new URL(`${name}.wasm`, WASM_DIR)));
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort() {
        throw new Error(`${name} kernel aborted`);
      },
    },
  });
  return instance.exports as unknown as T;
}
