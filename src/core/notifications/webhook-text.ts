// A verified webhook is stored as text without NUL characters: PostgreSQL text cannot hold them, and nothing a
// provider means is lost with them. The signature was checked on the exact bytes first; the delivery id was
// taken from them too, so a redelivery is still recognised.
/* eslint-disable no-control-regex -- NUL is what these remove */

/** "\u0000" escapes in JSON text: an even number of backslashes (possibly none) before the escape. */
const JSON_NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;
const RAW_NUL = /\u0000/g;
/** %00 in form-encoded bodies (Twilio), including a "+"-free encoding of it. */
const FORM_NUL = /%00/g;

export function storedWebhookText(body: Buffer, contentType: string | undefined): string {
  let text = body.toString('utf8').replace(RAW_NUL, '');
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? '')) text = text.replace(FORM_NUL, '');
  else text = text.replace(JSON_NUL_ESCAPE, '$1');
  return text;
}
