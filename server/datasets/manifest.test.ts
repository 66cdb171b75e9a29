import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SkipReason } from './import-report';
import { ManifestError, csvFields, parseManifest } from './manifest';

test('CSV manifests: header, quoting, comments and blank lines; bad lines are reported', () => {
  const m = parseManifest(
    [
      'url,label',
      'https://example.com/a.png,cat',
      '',
      '# a comment',
      '"https://example.com/b.png","dog, small"',
      'ftp://example.com/c.png,cat',
      'https://example.com/d.png,',
      'not a url,cat',
    ].join('\r\n'),
  );
  assert.deepEqual(
    m.entries.map((e) => [e.url, e.label, e.where]),
    [
      ['https://example.com/a.png', 'cat', 'line 2'],
      ['https://example.com/b.png', 'dog, small', 'line 5'],
    ],
  );
  assert.deepEqual(
    m.skipped.map((s) => `${s.path}: ${s.reason}`),
    [`line 6: ${SkipReason.INVALID_URL}`, `line 7: ${SkipReason.MISSING_LABEL}`, `line 8: ${SkipReason.INVALID_URL}`],
  );
  assert.equal(m.total, 5, 'the header and blank or comment lines are not counted');
});

test('TSV manifests: tab-separated by a .tsv name, or by a tab in the first line; labels in NFC', () => {
  const tsv = ['url\tlabel', 'https://example.com/a,1.png\tcat', 'https://example.com/b.png\tcafe\u0301', ''].join(
    '\n',
  );
  const expected = [
    ['https://example.com/a,1.png', 'cat'],
    ['https://example.com/b.png', 'caf\u00e9'],
  ];
  assert.deepEqual(
    parseManifest(tsv, { filename: 'data.TSV' }).entries.map((e) => [e.url, e.label]),
    expected,
  );
  assert.deepEqual(
    parseManifest(tsv, { filename: 'data.txt' }).entries.map((e) => [e.url, e.label]),
    expected,
  );
  assert.equal(
    parseManifest('https://example.com/a.png,cat\twith tab', { filename: 'x.csv' }).entries[0]!.label,
    'cat\twith tab',
  );
});

test('JSON manifests are arrays of { url, label }', () => {
  const m = parseManifest(JSON.stringify([{ url: 'http://h/x.jpg', label: 'x' }, { url: 'http://h/y.jpg' }]));
  assert.deepEqual(
    m.entries.map((e) => e.label),
    ['x'],
  );
  assert.equal(m.skipped[0]?.reason, SkipReason.MISSING_LABEL);
  assert.throws(() => parseManifest('[{"url": '), ManifestError);
  assert.throws(() => parseManifest('{"url": "http://h/x.jpg"}'), /array/);
});

test('csvFields follows RFC 4180 quoting', () => {
  assert.deepEqual(csvFields('a,"b ""quoted"", c",d'), ['a', 'b "quoted", c', 'd']);
  assert.deepEqual(csvFields('a,'), ['a', '']);
});

test('literal private and loopback addresses are skipped unless private URLs are allowed', () => {
  const lines = [
    'http://169.254.169.254/latest/x.png',
    'http://10.0.0.1/a.png',
    'http://[::1]/b.png',
    'http://127.0.0.1:9/c.png',
    'http://localhost/d.png',
    'http://LOCALHOST./f.png',
    'http://0x7f.1/g.png',
  ];
  const text = `url,label\n${lines.map((u) => `${u},cat`).join('\n')}\nhttps://images.example.org/e.png,cat\n`;
  const refused = parseManifest(text);
  assert.deepEqual(
    refused.skipped.map((s) => s.reason),
    lines.map(() => 'INVALID_URL'),
  );
  assert.ok(
    refused.skipped.every((s) => /private or loopback/.test(s.detail)),
    JSON.stringify(refused.skipped),
  );
  assert.deepEqual(
    refused.entries.map((e) => e.url),
    ['https://images.example.org/e.png'],
  );
  assert.equal(parseManifest(text, { allowPrivate: true }).entries.length, lines.length + 1);
});
