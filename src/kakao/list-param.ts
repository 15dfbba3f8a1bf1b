/** Split a Kakao list parameter: docs use commas, SDKs use spaces (docs/kakao-wire.md §3.1). */
export function splitList(value: string | undefined | null): string[] {
  if (!value) return [];
  return value.split(/[\s,]+/).filter(Boolean);
}
