/**
 * What is wrong with an integration base URL's shape, or null. Request paths are appended to it,
 * so a query or fragment (even an empty `?` or `#`) would let the tenant pick the exact path and
 * swallow ours; credentials in the URL would travel outside the encrypted credentials.
 */
export function baseUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  // `new URL('https://h/x?').search` is '' — look at the text as well.
  if (value.includes('?') || url.search) return 'must not have a query string';
  if (value.includes('#') || url.hash) return 'must not have a fragment';
  return null;
}
