/**
 * API. The safetensors weight format, read strictly: {@link dev.custody.core.safetensors.SafetensorsHeader}
 * (the validated header of one file), {@link dev.custody.core.safetensors.SafetensorsFile} (a file
 * and its per-tensor SHA-256 digests), {@link dev.custody.core.safetensors.SafetensorsModel} (one
 * file or a directory of shards) and the two layout {@link dev.custody.core.safetensors.Fingerprints}.
 * Every malformed file is a {@link dev.custody.core.safetensors.SafetensorsException} naming the
 * file, the tensor and the broken rule.
 */
package dev.custody.core.safetensors;
