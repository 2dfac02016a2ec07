/**
 * JMH micro-benchmarks of the per-entry costs (parse, sign, verify). Not published.
 */
package dev.custody.bench.micro;
