// The formatter lives in the core, where the mock layers use it too.
export { formatImdsJson, type ImdsJsonValue } from '../core/format-imds-json.js';
