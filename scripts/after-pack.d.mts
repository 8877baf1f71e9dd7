/** Types of after-pack.mjs (a plain .mjs so electron-builder can load it; tests import it). */
import type { FuseV1Config } from '@electron/fuses';

export interface AfterPackContext {
  readonly appOutDir: string;
  readonly electronPlatformName: string;
  readonly packager: {
    readonly appInfo: { readonly productFilename: string };
    readonly executableName?: string;
  };
}

export function fuseConfig(platform: string): FuseV1Config;
export function electronBinaryPath(context: AfterPackContext): string;
export default function afterPack(context: AfterPackContext): Promise<void>;
