/**
 * Which part of the alerting state each firing alert instance belongs to
 * (alerting-processor.ts): an input key's, for a rule whose labels identify
 * one (alert-key.ts), moving with the key's partition; or the per-env whole.
 * And the orphans among them: restored instances of rules not enabled here,
 * each with the note its resolution carries and, for one restored with a
 * key's state, that key (a rule this version no longer has names no key).
 */
import type { RuleName } from '../../config/alert-rules.js';
import { alertKey } from './alert-key.js';
import type { Labels } from './alert-instance.js';

export interface Orphan {
  note: string;
  key: string | undefined;
}

export class AlertInstanceParts {
  /** Firing instances by input key (keyed rules) … */
  private readonly byKey = new Map<string, Set<string>>();
  /** … and the fingerprints of the others (per-env rules). */
  readonly whole = new Set<string>();
  /** Restored instances of rules not enabled here, by fingerprint. */
  readonly orphans = new Map<string, Orphan>();

  /** The fingerprints of the instances firing under `key`. */
  ofKey(key: string): Iterable<string> {
    return this.byKey.get(key) ?? [];
  }

  /** Forgets the instances of `key`, orphans among them included; returns their fingerprints. */
  takeKey(key: string): Iterable<string> {
    const fingerprints = this.byKey.get(key) ?? [];
    for (const fp of fingerprints) this.orphans.delete(fp);
    this.byKey.delete(key);
    return fingerprints;
  }

  /** Forgets the per-env instances, orphans among them included; returns their fingerprints. */
  takeWhole(): string[] {
    const fingerprints = [...this.whole];
    for (const fp of fingerprints) this.orphans.delete(fp);
    this.whole.clear();
    return fingerprints;
  }

  /** Files the instance under its part as it starts or stops firing; returns its key, or undefined for a per-env one. */
  track(rule: RuleName, labels: Labels, fingerprint: string, firing: boolean): string | undefined {
    const key = alertKey(rule, labels) ?? this.orphans.get(fingerprint)?.key;
    if (key === undefined) {
      if (firing) this.whole.add(fingerprint);
      else this.whole.delete(fingerprint);
      return undefined;
    }
    let fps = this.byKey.get(key);
    if (firing) {
      if (!fps) this.byKey.set(key, (fps = new Set()));
      fps.add(fingerprint);
    } else if (fps?.delete(fingerprint) && fps.size === 0) {
      this.byKey.delete(key);
    }
    return key;
  }
}
