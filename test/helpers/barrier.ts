/** Resolves for every caller once `n` callers have arrived: lines concurrent test workers up at a step. */
export function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const all = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === n) open();
    return all;
  };
}
