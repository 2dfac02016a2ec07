/**
 * custody's benchmarks ({@code bench/run.sh}): appends, replay, lineage, hashing and the CLI as users
 * run it. Not published.
 */
package dev.custody.bench;
