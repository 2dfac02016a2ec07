/**
 * Small helpers shared by verify's packages. Internal: not API, exported to no module; it may change
 * in any release.
 */
package dev.custody.verify.internal;
