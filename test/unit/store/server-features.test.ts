import { describe, expect, it } from 'vitest';
import { insertSettings, parseServerVersion, serverFeatures } from '../../../store/server-features.js';

describe('parseServerVersion', () => {
  it('reads major.minor.patch from what version() prints', () => {
    expect(parseServerVersion('18.16.1')).toEqual({ major: 18, minor: 16, patch: 1, text: '18.16.1' });
    expect(parseServerVersion('24.8.4.13')).toEqual({ major: 24, minor: 8, patch: 4, text: '24.8.4.13' });
    expect(parseServerVersion('26.7')).toEqual({ major: 26, minor: 7, patch: 0, text: '26.7' });
    expect(parseServerVersion('not a version')).toBeUndefined();
  });
});

describe('serverFeatures', () => {
  const f = (v: string) => serverFeatures(parseServerVersion(v));

  it('18.16 (Debian) has neither the dedup token nor async_insert and cannot run the schema', () => {
    expect(f('18.16.1')).toEqual({ insertDeduplicationToken: false, asyncInsertSetting: false, optimizeOnInsertSetting: false, partitionLimitSetting: false, schema: false });
  });

  it('switches each feature on at the release that introduced it', () => {
    expect(f('21.10.6')).toEqual({ insertDeduplicationToken: false, asyncInsertSetting: false, optimizeOnInsertSetting: false, partitionLimitSetting: false, schema: false });
    expect(f('21.11.1')).toEqual({ insertDeduplicationToken: false, asyncInsertSetting: true, optimizeOnInsertSetting: false, partitionLimitSetting: false, schema: false });
    expect(f('22.1.9')).toEqual({ insertDeduplicationToken: false, asyncInsertSetting: true, optimizeOnInsertSetting: false, partitionLimitSetting: false, schema: false });
    expect(f('22.2.1')).toEqual({ insertDeduplicationToken: true, asyncInsertSetting: true, optimizeOnInsertSetting: true, partitionLimitSetting: true, schema: true });
    expect(f('26.7.2.1')).toEqual({ insertDeduplicationToken: true, asyncInsertSetting: true, optimizeOnInsertSetting: true, partitionLimitSetting: true, schema: true });
    expect(f('100.1')).toEqual({ insertDeduplicationToken: true, asyncInsertSetting: true, optimizeOnInsertSetting: true, partitionLimitSetting: true, schema: true });
  });

  it('an unparseable version sends no optional setting and leaves the schema check to the migrations', () => {
    expect(serverFeatures(undefined)).toEqual({ insertDeduplicationToken: false, asyncInsertSetting: false, optimizeOnInsertSetting: false, partitionLimitSetting: false, schema: true });
  });
});

describe('insertSettings', () => {
  it('sends only what the server knows', () => {
    expect(insertSettings(serverFeatures(parseServerVersion('18.16.1')), 'w-1')).toEqual({});
    expect(insertSettings(serverFeatures(parseServerVersion('21.11.1')), 'w-1')).toEqual({ async_insert: 0 });
    expect(insertSettings(serverFeatures(parseServerVersion('24.8.1')), 'w-1')).toEqual({ async_insert: 0, max_partitions_per_insert_block: 0, insert_deduplication_token: 'w-1' });
  });

  it('turns off the insert-time collapse of equal keys for a batch of unique keys, where the server has the setting', () => {
    expect(insertSettings(serverFeatures(parseServerVersion('24.8.1')), 'w-1', true)).toEqual({ async_insert: 0, optimize_on_insert: 0, max_partitions_per_insert_block: 0, insert_deduplication_token: 'w-1' });
    expect(insertSettings(serverFeatures(parseServerVersion('18.16.1')), 'w-1', true)).toEqual({});
    expect(insertSettings(serverFeatures(undefined), 'w-1', true)).toEqual({});
  });

  it('omits an absent or empty token', () => {
    const modern = serverFeatures(parseServerVersion('24.8.1'));
    expect(insertSettings(modern, undefined)).toEqual({ async_insert: 0, max_partitions_per_insert_block: 0 });
    expect(insertSettings(modern, '')).toEqual({ async_insert: 0, max_partitions_per_insert_block: 0 });
  });
});
