/**
 * Parsers for numeric options. Values are checked where they enter, so a
 * typo (`--api-concurrency abc`, `--throughput -5`) stops the command with one
 * line and exit 2 before any cloud is contacted, instead of turning into NaN
 * and failing much later (or passing a CI gate by accident).
 */
import { InvalidArgumentError } from "commander";

export interface NumberRule {
  min: number;
  max?: number;
  /** Whole numbers only (counts, milliseconds). */
  integer?: boolean;
}

/** Parses one numeric option value or throws commander's InvalidArgumentError with what is expected. */
export function parseNumber(value: string, rule: NumberRule): number {
  const text = value.trim();
  const pattern = rule.integer ? /^[+-]?\d+$/ : /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
  const n = pattern.test(text) ? Number(text) : Number.NaN;
  const range = rule.max === undefined ? `≥ ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  const what = rule.integer ? `a whole number ${range}` : `a number ${range}`;
  if (!Number.isFinite(n) || n < rule.min || (rule.max !== undefined && n > rule.max)) {
    throw new InvalidArgumentError(`Expected ${what}.`);
  }
  return n;
}

/** A commander argParser for whole numbers within a range. */
export const intIn = (min: number, max?: number) => (v: string) => parseNumber(v, { min, ...(max === undefined ? {} : { max }), integer: true });

/** A commander argParser for (possibly fractional) numbers within a range. */
export const numberIn = (min: number, max?: number) => (v: string) => parseNumber(v, { min, ...(max === undefined ? {} : { max }) });

/** Counts of parallel work: at least one, and a ceiling that no cloud's rate limits would survive. */
export const concurrency = intIn(1, 256);
/** Poll intervals in milliseconds: at least 1 ms, at most an hour. */
export const pollMs = intIn(1, 3_600_000);
/** Page sizes of list calls (Nova/Neutron/Cinder/Glance accept 1…1000 and more; 10,000 is a sane ceiling). */
export const pageSize = intIn(1, 10_000);
