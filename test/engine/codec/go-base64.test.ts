import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeGoBase64Url, encodeBase64Url } from '../../../src/engine/codec/index.js';
import { goBase64UrlOracle } from './go-rules.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('decodeGoBase64Url (Go base64.URLEncoding strictness)', () => {
  it('decodes padded base64url', () => {
    expect(decodeGoBase64Url('')).toEqual(Buffer.alloc(0));
    expect(decodeGoBase64Url('QUI=')).toEqual(bytes('AB'));
    expect(decodeGoBase64Url('QQ==')).toEqual(bytes('A'));
    expect(decodeGoBase64Url('QUJD')).toEqual(bytes('ABC'));
    expect(decodeGoBase64Url('-_-_')).toEqual(Buffer.from([0xfb, 0xff, 0xbf]));
  });

  it('ignores \\r and \\n anywhere, padding included', () => {
    expect(decodeGoBase64Url('\r\nQU\nI=\r\n')).toEqual(bytes('AB'));
    expect(decodeGoBase64Url('QQ=\r\n=')).toEqual(bytes('A'));
    expect(decodeGoBase64Url('\n\r')).toEqual(Buffer.alloc(0));
  });

  it('accepts non-zero unused trailing bits', () => {
    expect(decodeGoBase64Url('QUJ=')).toEqual(bytes('AB'));
    expect(decodeGoBase64Url('QR==')).toEqual(bytes('A'));
  });

  it.each([
    ['missing padding', 'QUI'],
    ['missing one of two pad chars', 'QQ='],
    ['a lone character', 'Q==='],
    ['padding after a full quantum', 'QUJD='],
    ['data after padding', 'QUI=QUJD'],
    ['standard alphabet +', '+/+/'],
    ['standard alphabet /', 'QU/='],
    ['space', 'QU I='],
    ['tab', 'QUI=\t'],
    ['non-ASCII', 'QUÉ='],
    ['padding only', '=='],
  ])('rejects %s', (_name, text) => {
    expect(decodeGoBase64Url(text)).toBeNull();
  });

  it('agrees with the Go rules on random strings over a base64-heavy alphabet', () => {
    const alphabet = 'AQgw-_09az=\r\n+/ !é'.split('');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(decodeGoBase64Url(text)).toEqual(goBase64UrlOracle(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the Go rules on arbitrary unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(decodeGoBase64Url(text)).toEqual(goBase64UrlOracle(text));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('encodeBase64Url', () => {
  it('writes padded URL-alphabet base64 that decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const text = encodeBase64Url(data);
        const standard = Buffer.from(data).toString('base64');
        expect(text).toBe(standard.replaceAll('+', '-').replaceAll('/', '_'));
        expect(decodeGoBase64Url(text)).toEqual(Buffer.from(data));
      }),
      { numRuns: 500 },
    );
  });

  it('encodes a view of a larger buffer without its neighbours', () => {
    const whole = Buffer.from('xxABCDxx', 'latin1');
    expect(encodeBase64Url(whole.subarray(2, 6))).toBe('QUJDRA==');
  });
});
