import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BerthError } from './errors.js';
import { parseComposeText } from './parse.js';
import { validateSchema } from './validate.js';

const FULL_EXAMPLE = new URL('../../fixtures/model/full-example/compose.yaml', import.meta.url);

function check(text: string): void {
  const [doc] = parseComposeText('compose.yaml', text);
  validateSchema(doc!);
}

function failsWith(text: string, expected: string): void {
  assert.throws(
    () => check(text),
    (error: unknown) => {
      assert.ok(error instanceof BerthError);
      assert.equal(error.describe(), expected);
      return true;
    },
  );
}

test('the specification\'s full example is valid', () => {
  check(readFileSync(FULL_EXAMPLE, 'utf8'));
});

test('an unknown service key names the key, its path, line and column', () => {
  failsWith('services:\n  web:\n    image: x\n    imagee: y\n', 'compose.yaml:4:13: services.web.imagee: services.web additional property imagee is not allowed');
});

test('an unknown top-level key is refused; x- extensions are allowed anywhere they may be', () => {
  failsWith('services: {}\nfoo: 1\n', 'compose.yaml:2:6: (root) additional property foo is not allowed');
  check('x-common: {a: 1}\nservices:\n  web:\n    image: x\n    x-note: hi\n');
});

test('a value of the wrong type says what it must be', () => {
  failsWith('services:\n  web:\n    image: [x]\n', 'compose.yaml:3:12: services.web.image must be a string');
  failsWith('services:\n  web:\n    image: x\n    privileged: {a: 1}\n', 'compose.yaml:4:17: services.web.privileged must be a boolean or a string');
});

test('an enum value out of range lists the allowed ones', () => {
  failsWith(
    'services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: started\n',
    'compose.yaml:6:20: services.web.depends_on.db.condition must be one of: service_started, service_healthy, service_completed_successfully',
  );
});

test('a port in no allowed form is refused at its position', () => {
  failsWith('services:\n  web:\n    image: x\n    ports:\n      - [80]\n', 'compose.yaml:5:9: services.web.ports[0] must be a number, a string or an object');
});
