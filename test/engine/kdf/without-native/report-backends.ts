/** Prints which backends load in this process, as JSON on stdout. */
import { isEngineError } from '../../../../src/engine/errors.js';
import { loadArgon2idBackend } from '../../../../src/engine/kdf/index.js';

const auto = await loadArgon2idBackend('auto');
const key = await auto.deriveKey(
  Buffer.from('pwA-0123456789abcdef'),
  Buffer.from('6f91c7e627029999dcfee9c30e743e29', 'hex'),
  { iterations: 1, memoryKiB: 64, parallelism: 1 },
);
const nativeError: unknown = await loadArgon2idBackend('native').then(
  () => null,
  (error: unknown) => error,
);
console.log(
  JSON.stringify({
    auto: auto.name,
    autoKey: Buffer.from(key).toString('hex'),
    nativeCode: isEngineError(nativeError) ? nativeError.code : null,
    nativeMessage: nativeError instanceof Error ? nativeError.message : null,
  }),
);
