/**
 * Message texts as Keycloak writes them (java.text.MessageFormat's simple form): `{0}`, `{1}` are
 * parameters and `''` is one apostrophe. Formats beyond that (`{0,number}`) are shown as written.
 */
export function formatMessage(text: string, params: readonly string[] = []): string {
  return text.replace(/''|\{(\d{1,2})\}/g, (whole, index: string | undefined) => {
    if (index === undefined) return "'";
    const value = params[Number(index)];
    return value === undefined ? whole : value;
  });
}
