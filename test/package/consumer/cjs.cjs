// A CommonJS consumer: require() of the ESM package (Node's require(esm)), then a real request.
/* eslint-disable @typescript-eslint/no-require-imports -- this file is a CommonJS consumer on purpose */
const { startServer } = require('ec2-imds-replay');
const { imdsHandlers, defaultCassette } = require('ec2-imds-replay/msw/node');

startServer({ port: 0 }).then(async (server) => {
  const response = await fetch(`${server.url}/latest/meta-data/instance-id`);
  console.log(
    JSON.stringify({ status: response.status, body: await response.text(), msw: typeof imdsHandlers, cassette: defaultCassette.format }),
  );
  await server.close();
});
