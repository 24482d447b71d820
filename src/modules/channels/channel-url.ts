import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

// The SSRF rule (reminders.md): a channel URL is http(s), and outside development and tests it may not lead to this
// machine or the office network — loopback, private, link-local, unique-local or otherwise reserved addresses — unless
// CHANNEL_ALLOW_PRIVATE=true. Checked when saved and again before each post (a name may resolve elsewhere later).

export class ChannelUrlError extends Error {}

const PUBLIC_RANGES = new Set(['unicast']);

/** Whether an address is one the service may post to from the internet side. */
export function isPublicAddress(address: string): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return PUBLIC_RANGES.has(parsed.range());
}

/** Refuses (ChannelUrlError, in Chinese) a URL that is not http(s), or that leads to a private address when not allowed. */
export async function checkChannelUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ChannelUrlError('不是有效的网址');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ChannelUrlError('必须是 http 或 https 网址');
  if (url.username || url.password) throw new ChannelUrlError('网址中不能带用户名或密码');
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new ChannelUrlError('无法解析该网址的主机名');
  }
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) throw new ChannelUrlError('不能指向本机或内网地址');
  return url;
}
