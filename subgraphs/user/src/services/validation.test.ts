import { normaliseEmail, passwordWeakness, validAddress, validEmail, validName, validPhone } from './validation';

describe('account input rules', () => {
  it('normalises emails to one indexed form', () => {
    expect(normaliseEmail('  Alice.Smith@Example.COM ')).toBe('alice.smith@example.com');
    expect(validEmail('Bob+tag@Example.org')).toBe('bob+tag@example.org');
  });

  it.each([
    ['short1A', /at least 10/],
    ['alllowercaseletters', /two kinds/],
    ['ALLUPPERCASELETTERS', /two kinds/],
    ['0123456789012', /two kinds/],
    ['!!!!!!!!!!!!', /two kinds/],
  ])('rejects the weak password %p', (password, reason) => {
    expect(passwordWeakness(password)).toMatch(reason);
  });

  it.each(['correct horse 42', 'lowercase-and-dash', 'Passphrase12', 'ünïcödé wörds'])('accepts %p', (password) => {
    expect(passwordWeakness(password)).toBeNull();
  });

  it('accepts international phone formats and refuses junk', () => {
    expect(validPhone(' +44 (20) 7946-0958 ')).toBe('+44 (20) 7946-0958');
    expect(() => validPhone('12345')).toThrow(/at least 6 digits/);
    expect(() => validPhone('DROP TABLE')).toThrow();
  });

  it('refuses text with a lone UTF-16 surrogate as malformed input (found by the abuse property tests)', () => {
    expect(() => validEmail('\ud800')).toThrow(/not a valid address/);
    expect(() => validEmail('a\udfff@example.com')).toThrow(/not a valid address/);
    expect(() => validName('Ada \ud800')).toThrow(/not valid Unicode/);
    expect(() => validAddress('\udc00 Main St')).toThrow(/not valid Unicode/);
    // a proper surrogate pair is one character and fine
    expect(validName('Ada 😀')).toBe('Ada 😀');
  });
});
