// Lint rules, including the folder table of the design ("each dependency lives in one folder and
// imports point inward"): a change that breaks a boundary fails `npm test`, not a review.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * What each folder of src/ may import. `folders` are the other src/ folders (a folder may always
 * import itself); `packages` the npm packages that live there and nowhere else; `node` whether
 * Node's built-in modules are allowed (not in code that must run in a browser).
 */
export const FOLDER_RULES = {
  // @noble/hashes: audited, synchronous, browser-safe SHA-256/HMAC for the IMDSv2 tokens.
  core: { folders: [], packages: ['@noble/hashes'], node: false },
  cassette: { folders: ['core'], packages: ['lowdb'], node: true },
  server: { folders: ['core', 'cassette', 'eventbridge'], packages: [], node: true },
  // The browser-safe entry `aemm/msw`; its node entry (below) may also load cassettes from disk.
  msw: { folders: ['core', 'eventbridge'], packages: ['msw'], node: false, files: 'src/msw/**/!(node).ts' },
  'msw/node.ts': { folders: ['core', 'cassette', 'eventbridge'], packages: ['msw'], node: true },
  // The EventBridge twin: event builders and the watcher are pure (msw uses them in browsers);
  // the SQS delivery in its sqs/ folder is the only place the AWS SDK's SQS client is used.
  eventbridge: { folders: ['core'], packages: [], node: false, files: 'src/eventbridge/*.ts' },
  'eventbridge/sqs': { folders: ['core'], packages: ['@aws-sdk/client-sqs', '@aws-sdk/core'], node: true },
  recorder: { folders: ['core', 'cassette'], packages: ['http-proxy'], node: true },
  differ: { folders: ['core'], packages: [], node: false },
  // Generates the shipped synthetic recordings from instance specs; only its writer script uses node.
  synth: { folders: ['core'], packages: [], node: true },
  // The ec2-metadata-mock drop-in's own CLI: a shell like commands/cli, but without oclif, so the
  // bin starts fast.
  aemm: { folders: ['core', 'cassette', 'server', 'cli'], packages: [], node: true },
  cli: {
    folders: ['core', 'cassette', 'server', 'recorder', 'differ', 'msw', 'eventbridge'],
    packages: ['@oclif/core', 'chalk'],
    node: true,
  },
  commands: {
    folders: ['core', 'cassette', 'server', 'recorder', 'differ', 'msw', 'eventbridge', 'cli'],
    packages: ['@oclif/core', 'chalk'],
    node: true,
  },
  // The bundled entries of both bins and the single executables (scripts/bundle-bins.js, npm run build:binary).
  sea: { folders: ['core', 'cassette', 'server', 'recorder', 'differ', 'cli', 'commands', 'aemm'], packages: ['@oclif/core'], node: true },
};

/** Packages with a home folder; anywhere else an import of one is an error. */
const OWNED_PACKAGES = [...new Set(Object.values(FOLDER_RULES).flatMap((rule) => rule.packages))];

/** The files a rule covers, as a path (or glob) from the repository root. */
const filesOf = (folder) => FOLDER_RULES[folder]?.files ?? `src/${folder}`;
/** The src/ folder a rule's path sits in (`msw/node.ts` is in `msw`). */
const homeOf = (folder) => folder.split('/')[0];

const folderZones = Object.entries(FOLDER_RULES).map(([folder, rule]) => ({
  target: `./${filesOf(folder)}`,
  from: './src',
  except: [`./${homeOf(folder)}`, ...rule.folders.map((name) => `./${name}`)],
  message: `src/${folder} may import only ${[homeOf(folder), ...rule.folders].map((name) => `src/${name}`).join(', ')} (folder table in README "Design notes").`,
}));

const packageZones = OWNED_PACKAGES.map((name) => {
  const owners = Object.keys(FOLDER_RULES).filter((folder) => FOLDER_RULES[folder].packages.includes(name));
  return {
    target: [
      './src/index.ts',
      ...Object.keys(FOLDER_RULES)
        .filter((folder) => !owners.includes(folder))
        .map((folder) => `./${filesOf(folder)}`),
    ],
    // A package's types may come from DefinitelyTyped, so the @types folder is the package too.
    from: [`./node_modules/${name}`, `./node_modules/@types/${name.replace('@', '').replace('/', '__')}`],
    message: `${name} is imported only in ${owners.map((folder) => `src/${folder}`).join(' and ')}.`,
  };
});

const coreZone = {
  target: './src/core',
  from: './node_modules',
  except: FOLDER_RULES.core.packages.map((name) => `./${name}`),
  message: `src/core is pure: no npm packages but ${FOLDER_RULES.core.packages.join(', ')} (it runs unchanged in a browser).`,
};

// The library entry re-exports the library, not the oclif CLI.
const indexZone = {
  target: './src/index.ts',
  from: './src',
  except: Object.keys(FOLDER_RULES)
    .filter((folder) => !folder.includes('/') && folder !== 'cli' && folder !== 'commands')
    .map((folder) => `./${folder}`),
  message: 'src/index.ts exports the library; the oclif CLI (src/cli, src/commands) stays out of it.',
};

const browserFolders = Object.keys(FOLDER_RULES)
  .filter((folder) => !FOLDER_RULES[folder].node)
  .map((folder) => FOLDER_RULES[folder].files ?? `src/${folder}/**/*.ts`);

export default tseslint.config(
  { ignores: ['dist/**', 'dist-sea/**', 'node_modules/**', 'test/browser/.build/**', '.aemm-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.node } },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'test/tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-unresolved': 'error',
      // Matching control characters is the point where we do it (ANSI escapes, header checks).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    // The compiler reports undefined names (with types) and unused ones (noUnused* in tsconfig.json).
    rules: { 'no-undef': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    // Tests break cassettes on purpose by writing into parsed JSON.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // An unresolved import would slip past the boundary rule below, so resolution is checked too.
      'import-x/no-restricted-paths': ['error', { zones: [...folderZones, ...packageZones, coreZone, indexZone] }],
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, peerDependencies: true, optionalDependencies: false }],
    },
  },
  {
    files: browserFolders,
    rules: { 'import-x/no-nodejs-modules': 'error' },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // Time and randomness arrive as arguments, so a test can move the clock.
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'src/core takes time as an argument (the engine clock).' },
        { object: 'Math', property: 'random', message: 'src/core takes randomness as an argument.' },
        { object: 'performance', property: 'now', message: 'src/core takes time as an argument (the engine clock).' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'src/core takes time as an argument (the engine clock): no new Date().',
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch', 'crypto'].map((name) => ({
          name,
          message: `src/core does no I/O and keeps no timers: no ${name}.`,
        })),
      ],
    },
  },
);
