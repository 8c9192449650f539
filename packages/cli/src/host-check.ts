import { isIP } from 'node:net';

/**
 * Whether a request's `Host` header names this server. A DNS-rebinding page reaches a local server under the
 * attacker's own domain name, so only names the user chose pass: IP literals (no DNS involved), `localhost`,
 * and `allowedHosts` (for a server reached by name). The port is not compared: rebinding keeps the port.
 */
export function isAllowedHost(header: string | undefined, allowedHosts: readonly string[] = []): boolean {
  if (!header) return false;
  const host = hostName(header);
  if (host === null) return false;
  if (isIP(host) !== 0) return true;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return allowedHosts.some((allowed) => allowed.toLowerCase().replace(/\.$/, '') === host);
}

/** The host part of a `Host` header (`[::1]:8080` → `::1`), lower-cased, or null when malformed. */
export function hostName(header: string): string | null {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return null;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    return value.slice(1, end);
  }
  const match = /^([^:\s/@]+)(?::\d{1,5})?$/.exec(value);
  return match ? match[1].replace(/\.$/, '') : null;
}
