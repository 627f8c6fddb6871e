/**
 * Runtime configuration: the storefront server answers /config.json with the gateway's URL (from
 * GATEWAY_URL), so one production build works against any gateway. Vite's dev server has no
 * such file: the default gateway of `npm start` is used (VITE_GATEWAY_URL overrides it).
 */
export interface StorefrontConfig {
  gatewayUrl: string;
}

const DEFAULT_GATEWAY = (import.meta.env.VITE_GATEWAY_URL as string | undefined) ?? 'http://127.0.0.1:4000/graphql';

export async function loadConfig(): Promise<StorefrontConfig> {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) {
      const body = (await res.json()) as Partial<StorefrontConfig>;
      if (body.gatewayUrl) return { gatewayUrl: body.gatewayUrl };
    }
  } catch {
    /* dev server: no config.json */
  }
  return { gatewayUrl: DEFAULT_GATEWAY };
}
