// The URL-scheme rule for request schemas (defined in core, where domain services use it too).
export { HTTP_URL_PROBLEM, httpUrl, isHttpUrl } from '../core/url-fields.js';
