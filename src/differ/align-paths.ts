import type { Cassette, Entry } from '../core/cassette.js';

const MAC_DIR = /^(\/[^/]+\/meta-data\/network\/interfaces\/macs\/)([^/]+)\//;
const ASSOCIATION = /^(.*\/ipv4-associations\/)([^/]+)$/;

function textOf(entry: Entry | undefined): string | undefined {
  return entry && entry.status === 200 && entry.body !== undefined ? entry.body.trim() : undefined;
}

/**
 * The name an interface directory gets when paths are aligned: `device-<n>` on network card 0,
 * `card-<c>.device-<n>` on other cards. Multi-card types reuse device numbers per card (the EC2
 * guide puts every extra EFA interface at device index 1 on its own card), so the card is part of it.
 */
function interfaceName(cassette: Cassette, macDir: string): string | undefined {
  const device = textOf(cassette.entries[`${macDir}device-number`]);
  if (device === undefined || !/^\d+$/.test(device)) return undefined;
  const card = textOf(cassette.entries[`${macDir}network-card`]) ?? '0';
  if (!/^\d+$/.test(card)) return undefined;
  return card === '0' ? `device-${device}` : `card-${card}.device-${device}`;
}

function renameInterfaces(cassette: Cassette, keys: readonly string[]): Map<string, string> {
  const macDirs = new Map<string, string>();
  for (const key of keys) {
    const match = MAC_DIR.exec(key);
    if (match) macDirs.set(`${match[1]}${match[2]}/`, match[1]!);
  }
  const renamed = new Map<string, string>();
  const taken = new Set<string>();
  for (const [macDir, parent] of [...macDirs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = interfaceName(cassette, macDir);
    // A hot-plugged interface reads device-number 0 until it settles (docs/imds-behaviour.md §4); the second keeps its MAC.
    if (name === undefined || taken.has(parent + name)) continue;
    taken.add(parent + name);
    renamed.set(macDir, `${parent}${name}/`);
  }
  return renamed;
}

function renameAssociations(cassette: Cassette, keys: readonly string[]): Map<string, string> {
  const byDir = new Map<string, string[]>();
  for (const key of keys) {
    const match = ASSOCIATION.exec(key);
    if (!match) continue;
    const list = byDir.get(match[1]!) ?? [];
    list.push(key);
    byDir.set(match[1]!, list);
  }
  const renamed = new Map<string, string>();
  for (const [dir, list] of byDir) {
    // Number associations by the private address they point at, primary first, so they line up across instances.
    const interfaceDir = dir.slice(0, -'ipv4-associations/'.length);
    const privateIps = (textOf(cassette.entries[`${interfaceDir}local-ipv4s`]) ?? '').split('\n');
    const rank = (key: string): number => {
      const index = privateIps.indexOf(textOf(cassette.entries[key]) ?? '');
      return index === -1 ? privateIps.length : index;
    };
    const ordered = list.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    ordered.forEach((key, index) => renamed.set(key, `${dir}public-ipv4-${index + 1}`));
  }
  return renamed;
}

/**
 * Maps each key of `cassette` to its aligned path: interface directories under
 * `network/interfaces/macs/` are named by network card and device number instead of MAC, and
 * `ipv4-associations/<public ip>` by position, so the same layout lines up across instances.
 * Only keys that change are in the map.
 */
export function alignPaths(cassette: Cassette): Map<string, string> {
  const keys = Object.keys(cassette.entries);
  const interfaces = renameInterfaces(cassette, keys);
  const associations = renameAssociations(cassette, keys);
  const aligned = new Map<string, string>();
  for (const key of keys) {
    let path = associations.get(key) ?? key;
    const match = MAC_DIR.exec(path);
    const macDir = match ? `${match[1]}${match[2]}/` : undefined;
    const renamedDir = macDir === undefined ? undefined : interfaces.get(macDir);
    if (macDir !== undefined && renamedDir !== undefined) path = renamedDir + path.slice(macDir.length);
    if (path !== key) aligned.set(key, path);
  }
  return aligned;
}
