/**
 * API. What an entry records: {@link dev.custody.core.event.Event} of an {@link
 * dev.custody.core.event.EventType}, its typed details, and the {@link
 * dev.custody.core.event.ArtifactRef}s it reads and writes.
 */
package dev.custody.core.event;
