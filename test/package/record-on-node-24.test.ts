import { describeRecordOnNode } from './record-proxy-on-node.js';

describeRecordOnNode('24');
