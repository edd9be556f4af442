import { describeInstalledOnNode } from './installed-on-node.js';

describeInstalledOnNode('22');
