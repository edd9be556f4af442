/** A value in AEMM's configuration, as its JSON config file and viper hold it. */
export type AemmNode = string | number | boolean | null | readonly AemmNode[] | AemmTree;

/** AEMM's configuration as nested objects, keyed like its config file (`metadata.values.mac`). */
export interface AemmTree {
  [key: string]: AemmNode;
}

/** Whether a node is a nested object rather than a value. */
export function isAemmTree(node: AemmNode | undefined): node is AemmTree {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/**
 * A config file's JSON as viper reads it: every key lower-cased (so `"Metadata": {"Values": …}`
 * works). Arrays stay arrays: AEMM's `marketplaceProductCodes` is a list.
 */
export function toAemmTree(value: unknown): AemmTree {
  const tree: AemmTree = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return tree;
  for (const [key, item] of Object.entries(value)) tree[key.toLowerCase()] = toNode(item);
  return tree;
}

function toNode(value: unknown): AemmNode {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toNode);
  return toAemmTree(value);
}

/** The node at a dotted key (`server.port`), or undefined. */
export function getAemmValue(tree: AemmTree, key: string): AemmNode | undefined {
  let node: AemmNode | undefined = tree;
  for (const part of key.split('.')) {
    if (!isAemmTree(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Sets the node at a dotted key, creating (or replacing values with) objects on the way. */
export function setAemmValue(tree: AemmTree, key: string, value: AemmNode): void {
  const parts = key.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (isAemmTree(next)) node = next;
    else node = node[part] = {};
  }
  node[parts[parts.length - 1]!] = value;
}

/** Every dotted key that holds a value rather than an object, like viper's AllKeys. */
export function listAemmLeafKeys(tree: AemmTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, node]) =>
    isAemmTree(node) ? listAemmLeafKeys(node, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/**
 * `over` laid on `base` key by key, recursing into objects on both sides; returns a new tree that
 * shares no objects with either. A null in `over` keeps `base`'s value: viper treats it as unset.
 */
export function mergeAemmTrees(base: AemmTree, over: AemmTree): AemmTree {
  const merged: AemmTree = {};
  for (const [key, node] of Object.entries(base)) merged[key] = cloneNode(node);
  for (const [key, node] of Object.entries(over)) {
    const under = merged[key];
    if (node === null && under !== undefined) continue;
    merged[key] = isAemmTree(under) && isAemmTree(node) ? mergeAemmTrees(under, node) : cloneNode(node);
  }
  return merged;
}

function cloneNode(node: AemmNode): AemmNode {
  return isAemmTree(node) ? mergeAemmTrees({}, node) : node;
}
