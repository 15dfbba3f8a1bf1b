/**
 * Set-up B (one shared base URL, docs/architecture.md §5): an app's server calls `/oauth/token` and
 * kapi with no cookie and no prefix, so the world is found from the credential itself. Every code,
 * access token and refresh token a sandbox stores is remembered here (its id is the value the app
 * presents: opaque tokens), and forgotten when it is consumed or destroyed, when its sandbox is reset,
 * and when the sandbox goes. An expired token stays until one of those: its sandbox's store then
 * answers it as expired, as Kakao would.
 */

/** The oidc-provider models whose id an app presents. */
export const CREDENTIAL_MODELS: ReadonlySet<string> = new Set(['AuthorizationCode', 'AccessToken', 'RefreshToken']);

export interface CredentialMap {
  remember(id: string, worldId: string): void;
  forget(id: string): void;
  forgetWorld(worldId: string): void;
  worldOf(id: string): string | undefined;
}

export function createCredentialMap(): CredentialMap {
  const owner = new Map<string, string>();
  const byWorld = new Map<string, Set<string>>();
  return {
    remember(id, worldId) {
      owner.set(id, worldId);
      let ids = byWorld.get(worldId);
      if (ids === undefined) byWorld.set(worldId, (ids = new Set()));
      ids.add(id);
    },
    forget(id) {
      const worldId = owner.get(id);
      if (worldId === undefined) return;
      owner.delete(id);
      byWorld.get(worldId)?.delete(id);
    },
    forgetWorld(worldId) {
      for (const id of byWorld.get(worldId) ?? []) owner.delete(id);
      byWorld.delete(worldId);
    },
    worldOf: (id) => owner.get(id),
  };
}
