/**
 * electron-builder `afterPack` hook (electron-builder.yml): flips the Electron
 * fuses of the packaged binary before it is signed. Fuses are bits compiled
 * into the Electron executable; once flipped, no command-line switch or
 * environment variable can turn the feature back on.
 *
 * - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the signed app into a plain Node.
 * - NODE_OPTIONS and --inspect off: nobody injects code or attaches a debugger to main.
 * - Cookie encryption on (the app keeps no cookies; this is the safe default).
 * - Only load the app from app.asar, and (macOS, Windows) validate the archive's
 *   embedded integrity hash: a changed app.asar refuses to start.
 * - file:// gets no extra privileges: the page is served from app:// (src/main/shell/app-protocol.ts).
 */
import { join } from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';

/** Platforms where Electron checks the asar integrity hash electron-builder embeds. */
const ASAR_INTEGRITY_PLATFORMS = new Set(['darwin', 'mas', 'win32']);

/**
 * The fuse settings for one platform (electron-builder's electronPlatformName).
 * @param {string} platform
 */
export function fuseConfig(platform) {
  return {
    version: FuseVersion.V1,
    // The arm64 macOS binary carries an ad-hoc signature that flipping bits breaks.
    resetAdHocDarwinSignature: platform === 'darwin' || platform === 'mas',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: ASAR_INTEGRITY_PLATFORMS.has(platform),
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/**
 * Where the Electron executable of the packed app is (the same rule as
 * electron-builder's own addElectronFuses).
 * @param {{ appOutDir: string; electronPlatformName: string; packager: { appInfo: { productFilename: string }; executableName?: string } }} context
 */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'linux':
      return join(appOutDir, packager.executableName ?? packager.appInfo.productFilename);
    default:
      throw new Error(
        `afterPack: unknown platform "${electronPlatformName}"; cannot find the Electron binary to set its fuses.`,
      );
  }
}

/** @param {Parameters<typeof electronBinaryPath>[0]} context */
export default async function afterPack(context) {
  const binary = electronBinaryPath(context);
  const config = fuseConfig(context.electronPlatformName);
  // Throws (failing the build) when the binary has no fuse wire: never ship without fuses.
  await flipFuses(binary, config);
  console.log(`  • fuses set on ${binary}`);
}
