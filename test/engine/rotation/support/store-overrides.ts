/**
 * The real store the storage module opens, with some of its methods
 * replaced (for vi.mock of src/engine/storage/index.js): everything else is
 * the store's own, bound to it.
 */
import type * as Storage from '../../../../src/engine/storage/index.js';
import type { VaultStore } from '../../../../src/engine/storage/types.js';

export type StoreOverrides = (store: VaultStore) => Partial<VaultStore>;

export function withStoreOverrides(
  original: typeof Storage,
  overrides: StoreOverrides,
): typeof Storage {
  return {
    ...original,
    openVault: async (...args: Parameters<typeof original.openVault>): Promise<VaultStore> => {
      const store = await original.openVault(...args);
      const replaced: Partial<VaultStore> = overrides(store);
      return new Proxy(store, {
        get(target, property, receiver) {
          if (Object.hasOwn(replaced, property)) return replaced[property as keyof VaultStore];
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
}
