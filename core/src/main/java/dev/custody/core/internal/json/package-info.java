/**
 * Strict JSON: parsing that rejects duplicate members, lone surrogates and trailing data, typed member
 * access with errors that name the member, and JSON output. Internal: not API, exported only to
 * custody's own modules; it may change in any release.
 */
package dev.custody.core.internal.json;
